"""Role-by-endpoint matrix for the shared endpoints: who may read and write what.

Each row is (method, path, {role: expected status}). Every persona of the domain is tried on every row, so a new
endpoint without a row here is a visible gap, and a loosened permission fails a named case.
"""

import pytest

from qms.models import Job
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"
EVERYONE_WITH_A_ROLE = {QM: 200, AUD: 200, EMP: 200, EXT: 200, NONE: 403}
QM_ONLY_READ = {QM: 200, AUD: 403, EMP: 403, EXT: 403, NONE: 403}
# A job of the employee's: theirs and the quality manager's to see; to anyone else it does not exist.
OWNER_AND_QM = {QM: 200, AUD: 404, EMP: 200, EXT: 404, NONE: 403}
# Evidence packs: for quality managers and both kinds of auditor; a pack is its creator's (the auditor's here) and
# every quality manager's, and does not exist for anyone else.
PACK_ROLES = {QM: 200, AUD: 200, EMP: 403, EXT: 200, NONE: 403}
AUDITORS_PACK = {QM: 200, AUD: 200, EMP: 403, EXT: 404, NONE: 403}

MATRIX = [
    ("get", "/api/v1/users/me/", EVERYONE_WITH_A_ROLE),
    ("get", "/api/v1/users/", QM_ONLY_READ),
    ("get", "/api/v1/users/{employee}/", QM_ONLY_READ),
    ("get", "/api/v1/users/{employee}/history/", QM_ONLY_READ),
    ("patch", "/api/v1/users/{employee}/", QM_ONLY_READ),
    ("post", "/api/v1/users/", {QM: 201, AUD: 403, EMP: 403, EXT: 403, NONE: 403}),
    ("get", "/api/v1/departments/", EVERYONE_WITH_A_ROLE),
    ("post", "/api/v1/departments/", {QM: 201, AUD: 403, EMP: 403, EXT: 403, NONE: 403}),
    ("get", "/api/v1/clauses/", EVERYONE_WITH_A_ROLE),
    ("get", "/api/v1/clauses/9.2/", EVERYONE_WITH_A_ROLE),
    ("get", "/api/v1/notifications/", EVERYONE_WITH_A_ROLE),
    ("post", "/api/v1/notifications/mark-read/", EVERYONE_WITH_A_ROLE),
    ("get", "/api/v1/jobs/{job}/", OWNER_AND_QM),
    ("get", "/api/v1/jobs/{job}/download/", OWNER_AND_QM),
    ("get", "/api/v1/evidence-packs/", PACK_ROLES),
    ("post", "/api/v1/evidence-packs/", {QM: 202, AUD: 202, EMP: 403, EXT: 202, NONE: 403}),
    ("get", "/api/v1/evidence-packs/{pack}/", AUDITORS_PACK),
    ("get", "/api/v1/evidence-packs/{pack}/download/", AUDITORS_PACK),
]

BODIES = {
    ("post", "/api/v1/users/"): {
        "username": "new.person",
        "email": "new.person@example.com",
        "password": "a-long-enough-password",
        "roles": ["employee"],
    },
    ("patch", "/api/v1/users/{employee}/"): {"job_title": "Team lead"},
    ("post", "/api/v1/departments/"): {"name": "Research", "code": "RND"},
    ("post", "/api/v1/notifications/mark-read/"): {},
    ("post", "/api/v1/evidence-packs/"): {"period_start": "2026-01-01", "period_end": "2026-01-31"},
}


def _url(path, personas, request):
    job = request.getfixturevalue("employee_job").pk if "{job}" in path else None
    pack = request.getfixturevalue("auditors_pack").pk if "{pack}" in path else None
    return path.format(employee=personas[EMP].pk, job=job, pack=pack)


@pytest.fixture
def employee_job(personas, settings, tmp_path):
    """A done job of the employee's, with its file in a throwaway media folder."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("jobs/2026/01/report.txt", ContentFile(b"report"))
    return Job.objects.create(
        kind="numbers_report",
        created_by=personas[EMP],
        status=Job.Status.DONE,
        progress=100,
        result_file=name,
        result_name="report.txt",
        result_sha256="0" * 64,
        result_size=6,
        result_content_type="text/plain",
    )


@pytest.fixture
def auditors_pack(personas, settings, tmp_path):
    """A finished evidence pack of the auditor's, its ZIP in a throwaway media folder."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from qms.evidence.models import EvidencePack

    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("evidence-packs/2026/01/pack.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    return EvidencePack.objects.create(
        created_by=personas[AUD],
        period_start="2026-01-01",
        period_end="2026-01-31",
        file=name,
        sha256="0" * 64,
        size=22,
        manifest_sha256="0" * 64,
    )


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
@pytest.mark.parametrize("role", [QM, AUD, EMP, EXT, NONE])
def test_role_may_or_may_not_call_endpoint(request, personas, role, method, path, expected):
    url = _url(path, personas, request)
    body = BODIES.get((method, path))
    response = getattr(api_as(personas[role]), method)(url, body, format="json")
    assert response.status_code == expected[role], response.content


BROWSER_PAGES = [
    ("/", EVERYONE_WITH_A_ROLE),
    ("/notifications/", EVERYONE_WITH_A_ROLE),
    ("/clauses/", EVERYONE_WITH_A_ROLE),
    ("/documents/", EVERYONE_WITH_A_ROLE),
    ("/audits/", EVERYONE_WITH_A_ROLE),
    ("/capa/", EVERYONE_WITH_A_ROLE),
    ("/improvement/", EVERYONE_WITH_A_ROLE),
    ("/users/", QM_ONLY_READ),
    ("/users/new/", QM_ONLY_READ),
    ("/users/{employee}/", QM_ONLY_READ),
    ("/users/{employee}/history/", QM_ONLY_READ),
    ("/departments/", QM_ONLY_READ),
    ("/jobs/{job}/", OWNER_AND_QM),
    ("/jobs/{job}/download/", OWNER_AND_QM),
    ("/evidence-packs/", PACK_ROLES),
    ("/evidence-packs/verify/", PACK_ROLES),
    ("/evidence-packs/{pack}/download/", AUDITORS_PACK),
]


@pytest.mark.parametrize(("path", "expected"), BROWSER_PAGES, ids=[p for p, _ in BROWSER_PAGES])
@pytest.mark.parametrize("role", [QM, AUD, EMP, EXT, NONE])
def test_role_may_or_may_not_open_page(request, client, personas, role, path, expected):
    client.force_login(personas[role])
    response = client.get(_url(path, personas, request))
    assert response.status_code == expected[role]
