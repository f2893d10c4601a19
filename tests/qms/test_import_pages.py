"""The import pages: a quality manager uploads the template and the sample files, reads the check, imports; nobody
else may see any of it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents.models import Document
from qms.imports.models import ImportRun
from qms.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, master: bytes, archive: bytes | None, capture: Any) -> Any:
    data: dict[str, Any] = {"kind": "documents", "master": SimpleUploadedFile("master list.csv", master, "text/csv")}
    if archive is not None:
        data["archive"] = SimpleUploadedFile("files.zip", archive, "application/zip")
    with capture(execute=True):
        return client.post("/imports/", data)


def test_the_template_and_sample_files_check_out_and_import(
    quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(quality_manager)
    page = client.get("/imports/").content.decode()
    assert "Nothing imported yet" in page and 'href="/imports/documents/template.csv"' in page
    assert 'href="/imports/documents/sample.zip"' in page and 'href="/imports/capas/second-template.csv"' in page
    assert page.count("sample.zip") == 1 and page.count("second-template.csv") == 1
    template = client.get("/imports/documents/template.csv")
    assert template["Content-Disposition"].startswith('attachment; filename="documents-master-list.csv"')
    sample = client.get("/imports/documents/sample.zip")

    checked = _upload(client, template.content, sample.content, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert checked.status_code == 302 and checked["Location"] == run.get_absolute_url()
    assert (run.status, run.master_name, len(run.master_sha256)) == ("checked", "master list.csv", 64)
    assert run.report["created"] == 2 and run.problem_count == 0
    assert run.job is not None and run.job.status == Job.Status.DONE
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Ready to import" in page and "Import 2 now" in page and "Download the report (CSV)" in page
    assert not Document.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/imports/{run.pk}/start/")
    assert started.status_code == 302
    run.refresh_from_db()
    assert run.status == "imported"
    assert sorted(Document.objects.values_list("number", flat=True)) == ["SOP-0012", "WI-0003"]
    page = client.get(run.get_absolute_url()).content.decode()
    assert '<h2 id="outcome-title">Imported</h2>' in page
    assert client.post(f"/imports/{run.pk}/start/").status_code == 400  # done once; not again
    history = [row.history_change_reason for row in run.history.order_by("history_id")]
    assert history[0] == "Files uploaded for import; checking" and history[-1] == "Imported 2; 0 were there already"


def test_a_list_with_problems_shows_them_by_line_and_offers_no_import(
    quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(quality_manager)
    master = b"number,title,type,owner,effective_date,file\nSOP-0001,Lost,SOP,ghost,2025-01-01,missing.md\n"
    _upload(client, master, _empty_zip(), django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Fix the list, then upload it again" in page and "Import " not in page.split("outcome-title")[1][:400]
    assert "Unknown owner &#x27;ghost&#x27;" in page and "not in the ZIP" in page
    assert client.post(f"/imports/{run.pk}/start/").status_code == 400


def test_a_documents_list_without_its_zip_is_refused_on_the_form(quality_manager: Any) -> None:
    response = _signed_in(quality_manager).post(
        "/imports/", {"kind": "documents", "master": SimpleUploadedFile("m.csv", b"number\n", "text/csv")}
    )
    assert response.status_code == 400 and "Add the ZIP of the files the list names." in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("persona", ["employee", "auditor", "external_auditor"])
def test_only_quality_managers_may_import(
    persona: str, personas: dict[str, Any], quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(_signed_in(quality_manager), b"number\n", _empty_zip(), django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    client = _signed_in(personas[persona])
    for url in ("/imports/", f"/imports/{run.pk}/", f"/imports/{run.pk}/status/", "/imports/documents/template.csv"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/imports/{run.pk}/start/").status_code == 403


def _empty_zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    return buffer.getvalue()


def test_people_are_imported_from_the_page_without_a_zip(
    quality_manager: Any, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    client = _signed_in(quality_manager)
    template = client.get("/imports/users/template.csv")
    assert template.status_code == 200
    people = b"username,first_name,last_name,email,department,roles\n"
    people += b"anna.berg,Anna,Berg,anna@example.com,Logistics,employee\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "users", "master": SimpleUploadedFile("people.csv", people, "text/csv")})
    run = ImportRun.objects.get()
    assert run.status == "checked" and run.can_import, run.report
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/start/")
    run.refresh_from_db()
    assert run.status == "imported"
    from qms.models import User

    anna = User.objects.get(username="anna.berg")
    assert anna.department is not None and anna.department.name == "Logistics"
    assert [message.to for message in mailoutbox] == [["anna@example.com"]]


@pytest.mark.parametrize("kind", ["users", "audits", "capas", "ideas"])
def test_every_kinds_template_checks_out_on_the_page(
    kind: str, quality_manager: Any, auditor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(quality_manager)
    master = client.get(f"/imports/{kind}/template.csv").content
    data: dict[str, Any] = {"kind": kind, "master": SimpleUploadedFile(f"{kind}.csv", master, "text/csv")}
    second = client.get(f"/imports/{kind}/second-template.csv")
    if kind == "capas":
        data["archive"] = SimpleUploadedFile("actions.csv", second.content, "text/csv")
    else:
        assert second.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", data)
    run = ImportRun.objects.get()
    assert run.status == "checked", run.report
    if kind in {"users", "capas"}:  # the others name people the templates cannot know
        assert run.can_import, run.report


def test_an_imported_capa_shows_its_earlier_reference_on_its_page_and_in_the_api(
    quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from capa.models import Capa
    from tests.conftest import api_as

    client = _signed_in(quality_manager)
    data = {
        "kind": "capas",
        "master": SimpleUploadedFile("capas.csv", client.get("/imports/capas/template.csv").content, "text/csv"),
        "archive": SimpleUploadedFile("actions.csv", client.get("/imports/capas/second-template.csv").content),
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{ImportRun.objects.get().pk}/start/")
    capa = Capa.objects.get(imported_reference="QA-2025-031")
    page = client.get(capa.get_absolute_url()).content.decode()
    assert "<dt>Earlier reference</dt><dd>QA-2025-031" in page
    assert api_as(quality_manager).get(f"/api/v1/capas/{capa.pk}/").json()["imported_reference"] == "QA-2025-031"


def test_the_list_of_imports_reads_a_fixed_number_of_queries_and_no_reports(
    quality_manager: Any, django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(quality_manager)
    master = client.get("/imports/users/template.csv").content

    def upload() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/imports/", {"kind": "users", "master": SimpleUploadedFile("people.csv", master, "text/csv")})

    upload()
    client.get("/imports/")  # the session's first page may read a little more
    with django_assert_num_queries(5):
        page = client.get("/imports/").content.decode()
    assert '<td class="num">2</td>' in page  # the template's two people, to create
    for _ in range(4):
        upload()
    with django_assert_num_queries(5):
        response = client.get("/imports/")
    runs = list(response.context["runs"])
    assert len(runs) == 5 and all("report" in run.get_deferred_fields() for run in runs)
