"""The audit report PDF: rendered in a background job, kept as an immutable file with its SHA-256, frozen at closing.

Most tests run the Celery task in-process (see tests/conftest.py) by executing the on-commit callbacks that enqueue
it; one runs it end to end on a real worker through Redis. Files go to a temporary MEDIA_ROOT, so a test sees exactly
what the storage holds.
"""

import base64
import hashlib
import io
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from audits import services
from audits.models import Audit, AuditReport, Finding
from audits.report import report_context
from audits.tasks import render_audit_report
from qms.errors import DomainError, NotAllowed
from qms.jobs import job_retry
from qms.models import Clause, Job, Signature
from tests.conftest import PASSWORD, api_as

pytestmark = pytest.mark.django_db


STATEMENTS = [
    "Hold tags on quarantined pallets are faded and cannot be read",
    "Calibration label of torque wrench TW-07 shows an expired date",
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _text(pdf: bytes) -> str:
    """The PDF's text with its line breaks as spaces: table cells wrap long statements."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _fieldwork(audit: Audit, lead) -> Audit:
    """Answer the checklist and record two observations (no CAPA needed, so the audit can close)."""
    for item in audit.checklist_items.all():
        services.checklist_answer(actor=lead, item=item, result="conforming", notes=f"Seen at station {item.order}")
    clause = Clause.objects.get(number="8.7")
    for statement in STATEMENTS:
        services.finding_create(
            actor=lead,
            audit=audit,
            type=Finding.Type.OBSERVATION,
            clause=clause,
            statement=statement,
            requirement="Nonconforming outputs are identified",
            evidence="Pallet 4711\nPallet 4712",
        )
    return audit


def _close(audit: Audit, lead) -> Audit:
    audit = services.audit_report_ready(actor=lead, audit=audit, conclusion="Effective, with two observations.")
    return services.audit_close(actor=lead, audit=audit, password=PASSWORD)


def _generate(django_capture_on_commit_callbacks, *, actor, audit, final=False) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.audit_report_request(actor=actor, audit=audit, final=final)
    job.refresh_from_db()
    return job


def _pdf(report: AuditReport) -> bytes:
    with report.file.open("rb") as file:
        return file.read()


# --- The report and its file ----------------------------------------------------------------------------------------


def test_a_draft_report_shows_the_cover_checklist_findings_and_a_draft_mark(
    in_progress, lead, media, django_capture_on_commit_callbacks
):
    audit = _fieldwork(in_progress, lead)

    job = _generate(django_capture_on_commit_callbacks, actor=lead, audit=audit)

    assert job.status == Job.Status.DONE, job.error
    report = AuditReport.objects.get(job=job)
    assert (report.version, report.final, report.generated_by) == (1, False, lead)
    pdf = _pdf(report)
    assert report.sha256 == hashlib.sha256(pdf).hexdigest() == job.result_sha256
    assert report.size == len(pdf)
    assert job.result_name == f"{audit.reference}-report-v1.pdf"
    text = _text(pdf)
    for expected in [
        *STATEMENTS,
        audit.reference,
        "Filling lines 1 and 2, all shifts",  # the scope
        "8.5.1 Control of production and service provision",  # a criterion
        "Priya Nair",  # the lead auditor
        "How does the organisation meet 8.7",  # a checklist question
        "Seen at station 1",  # its notes
        "Conforming",
        "Pallet 4711",  # evidence
        "Page 1 of",
        "DRAFT",
        "Not closed: this report is a draft",
    ]:
        assert expected in text, expected


def test_the_final_report_is_made_at_closing_and_carries_the_signature(
    in_progress, lead, media, django_capture_on_commit_callbacks
):
    audit = _fieldwork(in_progress, lead)
    audit = services.audit_report_ready(actor=lead, audit=audit, conclusion="Effective, with two observations.")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(lead).post(f"/api/v1/audits/{audit.pk}/close/", {"password": PASSWORD})

    assert response.status_code == 200, response.content
    report = AuditReport.objects.get(audit=audit)
    assert report.final
    signature = Signature.objects.get(object_id=audit.pk, meaning=Signature.Meaning.CLOSED)
    text = _text(_pdf(report))
    assert "Final report" in text
    assert "Priya Nair" in text and "Closed" in text
    assert signature.content_sha256[:32] in text.replace(" ", "")
    assert f"{signature.signed_at:%Y-%m-%d %H:%M:%S}" in text
    assert "DRAFT" not in text and "Not closed" not in text


def test_report_versions_count_up_and_list_newest_first(in_progress, lead, media, django_capture_on_commit_callbacks):
    for _ in range(2):
        _generate(django_capture_on_commit_callbacks, actor=lead, audit=in_progress)

    assert list(in_progress.reports.values_list("version", flat=True)) == [2, 1]
    listed = api_as(lead).get(f"/api/v1/audits/{in_progress.pk}/reports/").json()
    assert [(r["version"], r["final"]) for r in listed] == [(2, False), (1, False)]
    assert listed[0]["sha256"] == in_progress.reports.get(version=2).sha256
    assert listed[0]["download_url"] == f"/api/v1/audit-reports/{in_progress.reports.get(version=2).pk}/download/"
    assert set(listed[0]) == {
        "id",
        "version",
        "final",
        "sha256",
        "size",
        "generated_at",
        "generated_by",
        "download_url",
    }


def test_a_final_report_is_refused_before_closing_and_a_draft_after(
    in_progress, lead, media, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="when the audit is closed"):
        services.audit_report_request(actor=lead, audit=in_progress, final=True)
    audit = _close(_fieldwork(in_progress, lead), lead)
    with pytest.raises(DomainError, match="The audit is closed"):
        services.audit_report_request(actor=lead, audit=audit)


def test_the_final_report_is_made_once_and_never_replaced(in_progress, lead, media, django_capture_on_commit_callbacks):
    audit = _close(_fieldwork(in_progress, lead), lead)
    _generate(django_capture_on_commit_callbacks, actor=lead, audit=audit, final=True)
    final = AuditReport.objects.get(audit=audit, final=True)

    with pytest.raises(DomainError, match=f"The final report exists: {audit.reference}-report-v1$"):
        services.audit_report_request(actor=lead, audit=audit, final=True)
    response = api_as(lead).post(f"/api/v1/audits/{audit.pk}/report/", {"final": True})
    assert response.status_code == 400
    assert response.json()["detail"] == f"The final report exists: {audit.reference}-report-v1"
    assert list(AuditReport.objects.filter(audit=audit)) == [final]


def test_a_second_final_request_is_refused_while_the_first_is_being_made(in_progress, lead, media):
    audit = _close(_fieldwork(in_progress, lead), lead)
    services.audit_report_request(actor=lead, audit=audit, final=True)  # pending: its task waits for the commit
    with pytest.raises(DomainError, match="being generated"):
        services.audit_report_request(actor=lead, audit=audit, final=True)


def test_a_second_final_job_fails_naming_the_final_report_that_exists(in_progress, lead, media):
    audit = _close(_fieldwork(in_progress, lead), lead)
    first = services.audit_report_request(actor=lead, audit=audit, final=True)
    render_audit_report(first.pk)
    # A second final job, as a failed one retried after the first succeeded would be.
    second = Job.objects.create(
        kind="audit_report", created_by=lead, subject=audit, parameters={"final": True, "version": 9}
    )

    render_audit_report(second.pk)

    second.refresh_from_db()
    assert second.status == Job.Status.FAILED
    assert second.error == f"The final report exists: {audit.reference}-report-v1"
    assert AuditReport.objects.filter(audit=audit).count() == 1


def test_no_report_for_a_planned_audit(planned, lead):
    with pytest.raises(DomainError, match="once the audit has started"):
        services.audit_report_request(actor=lead, audit=planned)


# --- Faults --------------------------------------------------------------------------------------------------------


def test_a_report_failing_mid_way_keeps_no_file_and_a_retry_works(
    in_progress, lead, media, monkeypatch, django_capture_on_commit_callbacks
):
    def _font_missing(template_name, context):
        raise DomainError("Font missing")

    monkeypatch.setattr("audits.report.render_pdf", _font_missing)
    job = _generate(django_capture_on_commit_callbacks, actor=lead, audit=in_progress)

    assert (job.status, job.error) == (Job.Status.FAILED, "Font missing")
    assert not job.result_file
    assert _stored_files(media) == []
    assert not AuditReport.objects.exists()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(actor=lead, job=job, task=render_audit_report)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    report = AuditReport.objects.get(job=job)
    assert report.version == 1
    assert _stored_files(media) == [media / report.file.name]


def test_a_report_left_running_by_a_killed_worker_is_made_when_run_again(in_progress, lead, media):
    job = services.audit_report_request(actor=lead, audit=in_progress)  # its task waits for the commit
    # The worker claimed the job and was killed while rendering: the job is left running, with no file.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, progress=40)

    render_audit_report(job.pk)  # the broker delivers the task again (acks late)
    render_audit_report(job.pk)  # and once more: nothing changes

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert AuditReport.objects.filter(job=job).count() == 1
    assert len(_stored_files(media)) == 1


def test_a_done_job_is_recorded_once_however_often_it_is_recorded(in_progress, lead, media):
    job = services.audit_report_request(actor=lead, audit=in_progress)
    render_audit_report(job.pk)
    job.refresh_from_db()

    first = services.audit_report_record(job=job)
    again = services.audit_report_record(job=job)

    assert first is not None and first == again
    assert AuditReport.objects.count() == 1


# --- Reading it with a fixed number of queries ----------------------------------------------------------------------


def test_the_report_context_takes_a_fixed_number_of_queries_whatever_the_number_of_findings(in_progress, lead):
    audit = _fieldwork(in_progress, lead)
    report_context(audit)  # content types are cached after the first use

    with CaptureQueriesContext(connection) as few:
        context = report_context(audit)
    assert len(context["findings"]) == 2
    for index in range(8):
        services.finding_create(
            actor=lead,
            audit=audit,
            type=Finding.Type.OFI,
            clause=Clause.objects.get(number="8.5.1"),
            statement=f"More {index}",
        )
    with CaptureQueriesContext(connection) as many:
        context = report_context(audit)

    assert len(context["findings"]) == 10
    assert len(many) == len(few) == 8


def test_the_report_context_counts_findings_by_type_and_clause(in_progress, lead):
    audit = _fieldwork(in_progress, lead)

    context = report_context(audit)

    assert dict(context["type_counts"])["Observation"] == 2
    by_clause = {row.clause.number: (row.by_type, row.total) for row in context["clause_counts"]}
    assert by_clause == {"8.5.1": ([0, 0, 0, 0], 0), "8.7": ([0, 0, 2, 0], 2)}


# --- Who may ask for, list and download reports ------------------------------------------------------------------


def test_people_outside_the_audit_team_cannot_ask_for_its_report(in_progress, employee, auditee, auditor):
    path = f"/api/v1/audits/{in_progress.pk}/report/"
    assert api_as(employee).post(path).status_code == 404  # the audit is not theirs to see
    assert api_as(auditee).post(path).status_code == 403  # they see the audit, but do not run it
    assert api_as(auditor).post(path).status_code == 403  # an auditor, of other audits
    with pytest.raises(NotAllowed):
        services.audit_report_request(actor=auditor, audit=in_progress)
    assert not Job.objects.exists()


def test_the_team_and_quality_managers_ask_for_the_report_and_get_a_job(in_progress, lead, co_auditor, quality_manager):
    for user in (lead, co_auditor, quality_manager):
        response = api_as(user).post(f"/api/v1/audits/{in_progress.pk}/report/")
        assert response.status_code == 202, response.content
        job = Job.objects.get(pk=response.json()["id"])
        assert (job.kind, job.subject, job.created_by) == ("audit_report", in_progress, user)
        assert response["Location"].endswith(f"/api/v1/jobs/{job.pk}/")
    assert [job.parameters for job in Job.objects.order_by("pk")] == [
        {"final": False, "version": version} for version in (1, 2, 3)
    ]


def test_whoever_sees_the_audit_lists_and_downloads_its_reports(
    in_progress, lead, auditee, employee, media, django_capture_on_commit_callbacks
):
    _generate(django_capture_on_commit_callbacks, actor=lead, audit=in_progress)
    report = AuditReport.objects.get()
    download = f"/api/v1/audit-reports/{report.pk}/download/"

    assert api_as(employee).get(f"/api/v1/audits/{in_progress.pk}/reports/").status_code == 404
    assert api_as(employee).get(download).status_code == 404
    assert api_as(auditee).get(f"/api/v1/audits/{in_progress.pk}/reports/").status_code == 200
    response = api_as(auditee).get(download)

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content == _pdf(report)
    assert response["Content-Type"] == "application/pdf"
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert f'filename="{in_progress.reference}-report-v1.pdf"' in response["Content-Disposition"]


# --- The browser -------------------------------------------------------------------------------------------------


def test_generating_from_the_audit_page_answers_the_progress_bar(client, in_progress, lead):
    client.force_login(lead)
    page = client.get(in_progress.get_absolute_url()).content.decode()
    assert "Generate the report" in page and "No report generated yet." in page

    response = client.post(f"/audits/{in_progress.pk}/report/", headers={"HX-Request": "true"})

    job = Job.objects.get()
    page = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="/jobs/{job.pk}/"' in page and 'hx-trigger="every 1s"' in page
    assert "Audit report" in page
    # Back on the audit page, the job still at work shows its progress bar.
    assert f'id="job-{job.pk}"' in client.get(in_progress.get_absolute_url()).content.decode()


def test_a_refused_report_request_from_the_audit_page_says_why(client, in_progress, lead, media):
    audit = _close(_fieldwork(in_progress, lead), lead)
    client.force_login(lead)
    response = client.post(f"/audits/{audit.pk}/report/", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "The audit is closed" in response.content.decode()


def test_the_audit_page_lists_reports_with_their_digest_and_download(
    client, in_progress, lead, auditee, media, django_capture_on_commit_callbacks
):
    _generate(django_capture_on_commit_callbacks, actor=lead, audit=in_progress)
    report = AuditReport.objects.get()
    client.force_login(auditee)

    page = client.get(in_progress.get_absolute_url()).content.decode()

    download = f"/audits/{in_progress.pk}/reports/{report.pk}/download/"
    assert f'href="{download}"' in page
    assert report.sha256[:12] in page and "Draft" in page
    assert "Generate the report" not in page  # auditees read reports; auditors make them
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _pdf(report)


def test_closing_in_the_browser_makes_the_final_report(
    client, in_progress, lead, media, django_capture_on_commit_callbacks
):
    audit = services.audit_report_ready(
        actor=lead, audit=_fieldwork(in_progress, lead), conclusion="Effective, with two observations."
    )
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/audits/{audit.pk}/close/", {"close-password": PASSWORD, "close-comment": ""})

    assert response.status_code == 302
    assert AuditReport.objects.get(audit=audit).final
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Final" in page and "Generate the final report" not in page


# --- A real worker -------------------------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_report_end_to_end(worker, in_progress, lead):
    audit = _fieldwork(in_progress, lead)
    client = api_as(lead)

    response = client.post(f"/api/v1/audits/{audit.pk}/report/")
    assert response.status_code == 202, response.content
    job_url = response.json()["url"]

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job = client.get(job_url).json()
        if job["status"] in {"done", "failed"} and AuditReport.objects.filter(job_id=job["id"]).exists():
            break
        if job["status"] == "failed":
            pytest.fail(f"The report job failed: {job['error']}")
        if worker.poll() is not None:
            pytest.fail("The worker exited early:\n" + worker.stdout.read())
        time.sleep(0.5)
    else:
        worker.terminate()
        pytest.fail("The worker did not make the report within 90 s:\n" + worker.communicate(timeout=15)[0])

    assert job["status"] == "done" and job["progress"] == 100
    (listed,) = client.get(f"/api/v1/audits/{audit.pk}/reports/").json()
    download = client.get(listed["download_url"])
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert hashlib.sha256(pdf).hexdigest() == listed["sha256"]
    text = _text(pdf)
    for statement in STATEMENTS:
        assert statement in text
    assert "Page 1 of" in text
    AuditReport.objects.get().file.delete(save=False)  # the worker wrote to the suite's shared MEDIA_ROOT
