"""The review report PDF: rendered by a background job (run in-process here), a real PDF with the review's cover,
inputs, decisions, actions and signature block."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from qms.errors import NotAllowed
from qms.models import Job
from qms.reviews import services
from qms.reviews.report import JOB_KIND, report_jobs
from qms.reviews.tasks import render_review_pdf
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    """The PDF's text with its line breaks as spaces: table cells wrap long texts."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _make(django_capture_on_commit_callbacks, actor, review) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.review_pdf_request(actor=actor, review=review)
    job.refresh_from_db()
    return job


def test_the_report_of_a_signed_review_holds_its_record_and_signature(
    django_capture_on_commit_callbacks, signed, quality_manager, media
):
    job = _make(django_capture_on_commit_callbacks, quality_manager, signed)
    assert job.status == Job.Status.DONE, job.error
    assert job.kind == JOB_KIND and job.subject == signed
    assert job.result_name == f"{signed.reference}-management-review.pdf"
    pdf = job.result_file.read()
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        signed.reference,
        "Management review (ISO 9001 clause 9.3)",
        f"Period reviewed {signed.period_start:%Y-%m-%d} to {signed.period_end:%Y-%m-%d}",
        "Richard Hughes",
        "Maria Gonzalez",
        "9.3.2 a) Status of actions from earlier management reviews",
        "9.3.2 c) 6) Audit results",
        "Maturity balance",
        "Labelling complaints must stop",
        "Investigate the labelling complaints",
        "Signed (approved) by Richard Hughes",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert signed.signature.content_sha256 in text.replace(" ", ""), "the hash wraps in its cell"
    assert report_jobs(signed).get() == job


def test_an_unsigned_review_says_so_on_paper(django_capture_on_commit_callbacks, review, quality_manager, media):
    job = _make(django_capture_on_commit_callbacks, quality_manager, review)
    text = _text(job.result_file.read())
    assert "In preparation: the inputs may still change" in text
    assert "Not signed: this copy is not the approved record of the review." in text


def test_whoever_reads_the_review_may_print_it_and_nobody_else(
    django_capture_on_commit_callbacks, signed, chair, employee, external_auditor, media
):
    assert _make(django_capture_on_commit_callbacks, chair, signed).status == Job.Status.DONE
    assert _make(django_capture_on_commit_callbacks, external_auditor, signed).status == Job.Status.DONE
    with pytest.raises(NotAllowed):
        services.review_pdf_request(actor=employee, review=signed)


def test_the_api_answers_202_with_the_job_to_poll(django_capture_on_commit_callbacks, held, quality_manager, media):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(quality_manager).post(f"/api/v1/management-reviews/{held.pk}/pdf/")
    assert response.status_code == 202
    assert response.data["status"] == "pending"
    polled = api_as(quality_manager).get(response.data["url"])
    assert polled.data["status"] == "done" and polled.data["download_url"]
    download = api_as(quality_manager).get(polled.data["download_url"])
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_task_is_quiet_about_a_job_that_is_gone(db):
    render_review_pdf(987654)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
