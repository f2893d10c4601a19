"""Role-by-endpoint matrix for the documents API. The employee persona owns the document and authored its revision;
"approver" is asked to approve the draft of the second document. Everything else follows from the roles."""

import pytest

from documents import services
from tests.conftest import PASSWORD, api_as
from tests.documents.conftest import text_file

pytestmark = pytest.mark.django_db

QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"
READ_PUBLISHED = {QM: 200, AUD: 200, EMP: 200, EXT: 200, NONE: 403}


@pytest.fixture
def world(effective, employee, approver, quality_manager, sop_type):
    """An effective document (SOP-0001) and a second document with a draft in review (SOP-0002)."""
    second = services.document_create(actor=quality_manager, document_type=sop_type, title="Second", owner=employee)
    draft = services.revision_create(actor=employee, document=second, file=text_file(), change_summary="x")
    services.revision_submit(actor=employee, revision=draft, approvers=[approver])
    return {"doc": effective.document_id, "rev": effective.pk, "draft_doc": second.pk, "draft": draft.pk}


MATRIX = [
    ("get", "/api/v1/documents/", None, READ_PUBLISHED),
    ("get", "/api/v1/documents/{doc}/", None, READ_PUBLISHED),
    ("get", "/api/v1/documents/{doc}/history/", None, READ_PUBLISHED),
    ("get", "/api/v1/documents/{doc}/revisions/", None, READ_PUBLISHED),
    ("get", "/api/v1/revisions/{rev}/", None, READ_PUBLISHED),
    ("get", "/api/v1/revisions/{rev}/file/", None, READ_PUBLISHED),
    # A draft in review: quality staff and those involved; the external auditor never sees unpublished work.
    ("get", "/api/v1/documents/{draft_doc}/", None, {QM: 200, AUD: 200, EMP: 200, EXT: 404, NONE: 403}),
    ("get", "/api/v1/revisions/{draft}/", None, {QM: 200, AUD: 200, EMP: 200, EXT: 404, NONE: 403}),
    (
        "post",
        "/api/v1/documents/",
        {"title": "t", "document_type": "WI", "owner": "{owner}"},
        {QM: 201, AUD: 403, EMP: 403, EXT: 403, NONE: 403},
    ),
    ("patch", "/api/v1/documents/{doc}/", {"title": "Renamed"}, {QM: 200, AUD: 403, EMP: 200, EXT: 403, NONE: 403}),
    ("post", "/api/v1/documents/{doc}/acknowledge/", None, {QM: 201, AUD: 201, EMP: 201, EXT: 201, NONE: 403}),
    (
        "post",
        "/api/v1/documents/{doc}/obsolete/",
        {"password": PASSWORD, "comment": "old"},
        {QM: 200, AUD: 403, EMP: 403, EXT: 403, NONE: 403},
    ),
    (
        "post",
        "/api/v1/documents/{doc}/confirm-review/",
        {"password": PASSWORD},
        {QM: 200, AUD: 403, EMP: 200, EXT: 403, NONE: 403},
    ),
    (
        "post",
        "/api/v1/revisions/{draft}/approve/",
        {"password": PASSWORD},
        {QM: 403, AUD: 403, EMP: 403, EXT: 404, NONE: 403},
    ),
    (
        "post",
        "/api/v1/revisions/{draft}/withdraw/",
        {"reason": "x"},
        {QM: 400, AUD: 403, EMP: 400, EXT: 404, NONE: 403},
    ),  # allowed people, but it is in review, not a draft
    (
        "post",
        "/api/v1/change-requests/",
        {"document": "{doc}", "reason": "Typo in step 2"},
        {QM: 201, AUD: 201, EMP: 201, EXT: 201, NONE: 403},
    ),
    (
        "post",
        "/api/v1/document-types/",
        {"code": "SPEC", "name": "Specification"},
        {QM: 201, AUD: 403, EMP: 403, EXT: 403, NONE: 403},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@pytest.mark.parametrize("role", [QM, AUD, EMP, EXT, NONE])
def test_role_may_or_may_not_call_document_endpoint(world, personas, role, method, path, body, expected):
    ids = {**world, "owner": personas[EMP].pk}
    url = path.format(**ids)
    data = {key: value.format(**ids) if isinstance(value, str) else value for key, value in (body or {}).items()}
    response = getattr(api_as(personas[role]), method)(url, data or None, format="json")
    assert response.status_code == expected[role], response.content
