"""Optimistic concurrency (qms.versions): two people editing one record cannot silently overwrite each other.

Browser forms carry the version they were opened at; the API speaks ETag and If-Match. The forms are filled the way a
browser fills them: from the page as it was served (hidden fields included), with one field changed.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from documents.models import Document
from qms.api.versions import VersionedUpdateMixin
from qms.models import User
from qms.reviews.models import ManagementReview
from qms.versions import version_of
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


# --- The API --------------------------------------------------------------------------------------------------------


def test_a_patch_with_the_version_read_saves_and_answers_the_new_one(document: Document, quality_manager: Any) -> None:
    client = api_as(quality_manager)
    read = client.get(f"/api/v1/documents/{document.pk}/")
    etag = read["ETag"]
    assert etag == f'"{version_of(document)}"'
    saved = client.patch(
        f"/api/v1/documents/{document.pk}/", {"title": "Cleaning the line", "reason": "Clearer"}, HTTP_IF_MATCH=etag
    )
    assert saved.status_code == 200, saved.content
    assert saved["ETag"] not in {etag, ""} and saved["ETag"] == f'"{version_of(document)}"'


def test_a_patch_with_a_stale_version_answers_412_with_what_changed_and_saves_nothing(
    document: Document, quality_manager: Any, employee: Any
) -> None:
    stale = api_as(quality_manager).get(f"/api/v1/documents/{document.pk}/")["ETag"]
    api_as(employee).patch(f"/api/v1/documents/{document.pk}/", {"title": "Theirs", "reason": "Renamed by the owner"})
    refused = api_as(quality_manager).patch(
        f"/api/v1/documents/{document.pk}/", {"title": "Mine", "reason": "Mine"}, HTTP_IF_MATCH=stale
    )
    assert refused.status_code == 412
    body = refused.json()
    assert employee.get_full_name() in body["detail"] and "Nothing was saved" in body["detail"]
    assert refused["ETag"] == f'"{body["version"]}"' == f'"{version_of(document)}"'
    (change,) = body["changes"]
    assert change["by"] == employee.get_full_name()
    assert {"field": "Title", "before": document.title, "after": "Theirs"} in change["fields"]
    document.refresh_from_db()
    assert document.title == "Theirs"
    # Having looked, the client sends the version it was given and wins deliberately.
    again = api_as(quality_manager).patch(
        f"/api/v1/documents/{document.pk}/", {"title": "Mine", "reason": "Mine"}, HTTP_IF_MATCH=refused["ETag"]
    )
    assert again.status_code == 200


@pytest.mark.parametrize("if_match", [None, "*", 'W/"999999", "{current}"'])
def test_a_patch_without_if_match_or_with_a_list_holding_the_current_version_saves(
    document: Document, quality_manager: Any, if_match: str | None
) -> None:
    headers: dict[str, Any] = (
        {} if if_match is None else {"HTTP_IF_MATCH": if_match.format(current=version_of(document))}
    )
    response = api_as(quality_manager).patch(
        f"/api/v1/documents/{document.pk}/", {"title": "Renamed", "reason": "Clearer"}, **headers
    )
    assert response.status_code == 200, response.content


def test_every_endpoint_that_updates_a_record_checks_if_match() -> None:
    def viewsets(patterns: list[Any]) -> list[Any]:
        found = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += viewsets(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                found.append(pattern.callback.cls)
        return found

    updating = {cls for cls in viewsets(get_resolver().url_patterns) if hasattr(cls, "partial_update")}
    assert len(updating) >= 7
    assert [cls.__name__ for cls in updating if not issubclass(cls, VersionedUpdateMixin)] == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_patches_from_the_same_version_at_once_save_one_and_refuse_the_other(
    document: Document, quality_manager: Any, employee: Any
) -> None:
    etag = api_as(quality_manager).get(f"/api/v1/documents/{document.pk}/")["ETag"]
    versions_before = Document.history.filter(id=document.pk).count()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def patch(user: Any, title: str) -> None:
        try:
            client = api_as(user)
            barrier.wait(timeout=10)
            answer = client.patch(
                f"/api/v1/documents/{document.pk}/", {"title": title, "reason": "At once"}, HTTP_IF_MATCH=etag
            )
            statuses.append(answer.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=patch, args=(quality_manager, "The manager's")),
        threading.Thread(target=patch, args=(employee, "The owner's")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 412]
    assert Document.history.filter(id=document.pk).count() == versions_before + 1


# --- Browser forms --------------------------------------------------------------------------------------------------


def test_a_form_saved_after_someone_else_saved_shows_what_changed_and_keeps_what_was_typed(
    document: Document, quality_manager: Any, employee: Any
) -> None:
    mine, theirs = _signed_in(quality_manager), _signed_in(employee)
    url = f"/documents/{document.pk}/edit/"
    opened = _form(mine, url)
    saved = theirs.post(url, {**_form(theirs, url), "title": "Theirs", "reason": "Renamed by the owner"})
    assert saved.status_code == 302

    refused = mine.post(url, {**opened, "title": "Mine", "reason": "My wording"})
    page = refused.content.decode()
    assert refused.status_code != 302
    assert "What changed since you opened this page" in page and "Nothing was saved" in page
    assert employee.get_full_name() in page and "Renamed by the owner" in page
    assert '<th scope="row">Title</th><td>' + document.title + "</td><td>Theirs</td>" in page
    assert 'value="Mine"' in page and "My wording" in page  # what was typed is still there
    document.refresh_from_db()
    assert document.title == "Theirs"

    # The form now carries the version that holds their change: saving again is a decision, and it saves.
    resubmitted = _fields(page)
    assert resubmitted["version"] == version_of(document)
    assert mine.post(url, resubmitted).status_code == 302
    document.refresh_from_db()
    assert document.title == "Mine"


def test_a_form_saved_with_no_one_else_in_between_saves(document: Document, quality_manager: Any) -> None:
    client = _signed_in(quality_manager)
    url = f"/documents/{document.pk}/edit/"
    assert client.post(url, {**_form(client, url), "title": "Renamed", "reason": "Clearer"}).status_code == 302


def test_a_persons_account_form_is_versioned_too(quality_manager: Any, employee: Any) -> None:
    mine = _signed_in(quality_manager)
    url = f"/users/{employee.pk}/"
    opened = _form(mine, url)
    assert mine.post(url, {**opened, "job_title": "Line lead", "reason": "Promoted"}).status_code == 302
    refused = mine.post(url, {**opened, "job_title": "Shift lead", "reason": "Promoted again"})
    assert refused.status_code != 302 and "Line lead" in refused.content.decode()
    assert User.objects.get(pk=employee.pk).job_title == "Line lead"


def test_the_review_forms_save_over_the_version_they_were_opened_at_only(
    review: ManagementReview, quality_manager: Any
) -> None:
    client = _signed_in(quality_manager)
    page = client.get(review.get_absolute_url()).content.decode()
    url = reverse("reviews:edit-written", args=[review.pk])
    opened = _fields(page, action=url)
    assert opened["written-version"] == version_of(review)
    assert client.post(url, {**opened, "written-issues": "Late"}).status_code == 302
    refused = client.post(url, {**opened, "written-issues": "Later"})
    assert refused.status_code != 302 and "What changed since you opened this page" in refused.content.decode()
    review.refresh_from_db()
    assert review.issues == "Late"


# --- Helpers --------------------------------------------------------------------------------------------------------


@pytest.fixture
def document(quality_manager: Any, employee: Any) -> Document:
    from documents import services
    from documents.models import DocumentType

    return services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Cleaning the filling line",
        owner=employee,
        department=employee.department,
    )


@pytest.fixture
def review(quality_manager: Any) -> ManagementReview:
    from datetime import date, timedelta

    from qms.reviews import services

    return services.review_create(
        actor=quality_manager,
        title="Spring review",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        planned_on=date.today() + timedelta(days=30),
        chair=quality_manager,
    )


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return _fields(response.content.decode(), action="")


def _fields(page: str, action: str = "") -> dict[str, Any]:
    """What a browser would send for the page's form (the one posting to `action`, or the main one): every named
    input, checked box, selected option and text area, as the page holds them."""
    parser = _FormReader(action)
    parser.feed(page)
    return {name: values[0] if len(values) == 1 else values for name, values in parser.values.items()}


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = a.get("method", "").lower() == "post" and a.get("action", "") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "button"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                self.values.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values.setdefault(self._textarea or "", []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data.removeprefix("\n") if not self.values[self._textarea][-1] else data
