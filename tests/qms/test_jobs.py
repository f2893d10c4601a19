"""Background jobs: created pending, run by a task through `run_job`, polled by the browser and the API, downloaded.

The tasks here are real Celery tasks run eagerly (see tests/conftest.py); the enqueue happens on commit, so the tests
capture the on-commit callbacks and run them. Files go to a temporary MEDIA_ROOT, so a test can see exactly what
the storage holds.
"""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from qms.api.views import accepted
from qms.errors import DomainError, NotAllowed
from qms.jobs import GENERIC_ERROR, JobProgress, get_job_for_user, job_create, job_retry, run_job
from qms.models import Job
from tests.conftest import api_as
from tests.qms.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

NUMBERS = b"1 2 3"
NUMBERS_SHA256 = hashlib.sha256(NUMBERS).hexdigest()


def _numbers(job, progress):
    progress.report(50, "Counting")
    return "numbers.txt", NUMBERS, "text/plain"


def _refuses(job, progress):
    progress.report(20, "Looking for the template")
    raise DomainError("The template is missing")


def _crashes(job, progress):
    progress.report(30, "Dividing")
    return "never.txt", str(1 / 0).encode(), "text/plain"


def _fails_the_first_time(job, progress):
    if job.attempts == 1:
        raise DomainError("The printer is out of paper")
    return _numbers(job, progress)


@shared_task
def _render_numbers(job_id: int) -> None:
    run_job(job_id, _numbers)


@shared_task
def _render_refused(job_id: int) -> None:
    run_job(job_id, _refuses)


@shared_task
def _render_crash(job_id: int) -> None:
    run_job(job_id, _crashes)


@shared_task
def _render_flaky(job_id: int) -> None:
    run_job(job_id, _fails_the_first_time)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _start(user, task, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(actor=user, kind="numbers_report", task=task, **kwargs)
    job.refresh_from_db()
    return job


def _htmx_get(client, url):
    return client.get(url, headers={"HX-Request": "true"})


# --- Running a job ------------------------------------------------------------------------------------------------


def test_a_created_job_waits_until_the_transaction_commits(employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_create(actor=employee, kind="numbers_report", task=_render_numbers)
    assert job.status == Job.Status.PENDING
    assert job.progress == 0
    assert len(callbacks) == 1


def test_a_job_runs_to_done_and_keeps_its_file_with_digest_and_size(
    employee, media, django_capture_on_commit_callbacks
):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.attempts == 1
    assert job.error == ""
    assert job.started_at is not None and job.finished_at is not None
    assert job.result_name == "numbers.txt"
    assert job.result_content_type == "text/plain"
    assert job.result_sha256 == NUMBERS_SHA256
    assert job.result_size == len(NUMBERS)
    assert re.fullmatch(r"jobs/\d{4}/\d{2}/[0-9a-f]{32}\.txt", job.result_file.name)
    assert _stored_files(media) == [media / job.result_file.name]
    assert (media / job.result_file.name).read_bytes() == NUMBERS


def test_a_job_is_about_its_subject_and_keeps_its_parameters(employee, django_capture_on_commit_callbacks):
    department = DepartmentFactory()
    job = _start(
        employee, _render_numbers, django_capture_on_commit_callbacks, subject=department, parameters={"year": 2026}
    )
    assert job.subject == department
    assert job.content_type == ContentType.objects.get_for_model(department)
    assert job.parameters == {"year": 2026}


def test_a_refused_job_fails_with_its_message_and_leaves_no_file(employee, media, django_capture_on_commit_callbacks):
    job = _start(employee, _render_refused, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.FAILED
    assert job.error == "The template is missing"
    assert not job.result_file
    assert job.result_sha256 == ""
    assert job.finished_at is not None
    assert _stored_files(media) == []


def test_an_unexpected_error_fails_the_job_with_a_generic_message_and_is_logged(
    employee, media, caplog, django_capture_on_commit_callbacks
):
    job = _start(employee, _render_crash, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.FAILED
    assert job.error == GENERIC_ERROR
    assert "division by zero" not in job.error
    assert _stored_files(media) == []
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)


def test_no_file_is_kept_when_marking_the_job_done_fails(employee, media, monkeypatch):
    job = Job.objects.create(kind="numbers_report", created_by=employee)

    def _broken_finish(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("qms.jobs._finish", _broken_finish)
    run_job(job.pk, _numbers)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == GENERIC_ERROR
    assert _stored_files(media) == []


def test_running_a_done_job_again_changes_nothing(employee, media, django_capture_on_commit_callbacks):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)
    before = Job.objects.values().get(pk=job.pk)

    def _must_not_run(job, progress):
        raise AssertionError("a done job was run again")

    run_job(job.pk, _must_not_run)

    assert Job.objects.values().get(pk=job.pk) == before
    assert len(_stored_files(media)) == 1


def test_a_failed_job_is_not_run_again_without_a_retry(employee, django_capture_on_commit_callbacks):
    job = _start(employee, _render_refused, django_capture_on_commit_callbacks)
    run_job(job.pk, _numbers)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1


def test_a_job_that_no_longer_exists_is_ignored():
    run_job(987654, _numbers)


def test_a_job_left_running_by_a_dead_worker_runs_again(employee, media):
    job = Job.objects.create(
        kind="numbers_report", created_by=employee, status=Job.Status.RUNNING, attempts=1, progress=70
    )

    run_job(job.pk, _numbers)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 2
    assert job.result_sha256 == NUMBERS_SHA256


def test_an_attempt_overtaken_by_a_later_one_keeps_neither_its_state_nor_its_file(employee, media):
    job = Job.objects.create(kind="numbers_report", created_by=employee)

    def _overtaken(job, progress):
        # Another worker claims the job while this one works (this one's worker was thought dead).
        Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
        return _numbers(job, progress)

    run_job(job.pk, _overtaken)

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert not job.result_file
    assert _stored_files(media) == []


def test_progress_never_goes_down_and_shows_the_current_step(employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee, status=Job.Status.RUNNING, attempts=1)
    progress = JobProgress(job)

    progress.report(60, "Rendering the checklist")
    progress.report(30, "Rendering the findings")

    job.refresh_from_db()
    assert job.progress == 60
    assert job.message == "Rendering the findings"


def test_only_run_job_says_a_job_is_complete(employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee, status=Job.Status.RUNNING, attempts=1)
    JobProgress(job).report(100, "Almost")
    job.refresh_from_db()
    assert job.progress == 99


def test_progress_reported_during_the_work_is_written_as_it_happens(employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee)
    seen = []

    def _watched(job, progress):
        progress.report(50, "Counting")
        seen.append(Job.objects.values_list("status", "progress", "message").get(pk=job.pk))
        return "numbers.txt", NUMBERS, "text/plain"

    run_job(job.pk, _watched)

    assert seen == [(Job.Status.RUNNING, 50, "Counting")]


# --- Retrying -----------------------------------------------------------------------------------------------------


def test_a_failed_job_can_be_retried_and_then_succeeds(employee, media, django_capture_on_commit_callbacks):
    job = _start(employee, _render_flaky, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert job.error == "The printer is out of paper"

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(actor=employee, job=job, task=_render_flaky)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 2
    assert job.error == ""
    assert job.result_sha256 == NUMBERS_SHA256
    assert len(_stored_files(media)) == 1


def test_a_job_that_has_not_failed_cannot_be_retried(employee, django_capture_on_commit_callbacks):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError, match="Only a job that failed"):
        job_retry(actor=employee, job=job, task=_render_numbers)


def test_someone_elses_job_cannot_be_retried(employee, auditor, django_capture_on_commit_callbacks):
    job = _start(employee, _render_refused, django_capture_on_commit_callbacks)
    with pytest.raises(NotAllowed):
        job_retry(actor=auditor, job=job, task=_render_refused)


# --- Who sees a job -----------------------------------------------------------------------------------------------


def test_a_user_sees_their_own_job_and_a_quality_manager_sees_every_job(employee, quality_manager):
    job = Job.objects.create(kind="numbers_report", created_by=employee)
    assert get_job_for_user(employee, job.pk) == job
    assert get_job_for_user(quality_manager, job.pk) == job


def test_another_user_does_not_see_someones_job(employee, auditor):
    from django.http import Http404

    job = Job.objects.create(kind="numbers_report", created_by=employee)
    with pytest.raises(Http404):
        get_job_for_user(auditor, job.pk)


# --- API ----------------------------------------------------------------------------------------------------------


def test_the_api_shows_a_done_job_with_its_download_url(employee, django_capture_on_commit_callbacks):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)

    response = api_as(employee).get(f"/api/v1/jobs/{job.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["id"] == job.pk
    assert data["kind"] == "numbers_report"
    assert data["status"] == "done"
    assert data["progress"] == 100
    assert data["error"] == ""
    assert data["url"] == f"/api/v1/jobs/{job.pk}/"
    assert data["download_url"] == f"/api/v1/jobs/{job.pk}/download/"
    assert data["result_sha256"] == NUMBERS_SHA256
    assert data["result_size"] == len(NUMBERS)
    assert data["finished_at"] is not None


def test_the_api_shows_a_running_job_without_download_url(employee):
    job = Job.objects.create(
        kind="numbers_report", created_by=employee, status=Job.Status.RUNNING, progress=40, message="Counting"
    )
    data = api_as(employee).get(f"/api/v1/jobs/{job.pk}/").json()
    assert data["status"] == "running"
    assert (data["progress"], data["message"], data["download_url"]) == (40, "Counting", None)


def test_the_api_shows_why_a_job_failed(employee, django_capture_on_commit_callbacks):
    job = _start(employee, _render_refused, django_capture_on_commit_callbacks)
    data = api_as(employee).get(f"/api/v1/jobs/{job.pk}/").json()
    assert (data["status"], data["error"], data["download_url"]) == ("failed", "The template is missing", None)


def test_the_api_downloads_the_file_with_its_digest(employee, django_capture_on_commit_callbacks):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)

    response = api_as(employee).get(f"/api/v1/jobs/{job.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == NUMBERS
    assert response["Content-Type"] == "text/plain"
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(NUMBERS).digest()).decode()
    assert 'filename="numbers.txt"' in response["Content-Disposition"]


def test_the_api_has_nothing_to_download_before_the_job_is_done(employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee, status=Job.Status.RUNNING)
    assert api_as(employee).get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404


def test_the_api_hides_someones_job_from_another_user_but_not_from_a_quality_manager(
    employee, auditor, quality_manager, django_capture_on_commit_callbacks
):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)
    for path in (f"/api/v1/jobs/{job.pk}/", f"/api/v1/jobs/{job.pk}/download/"):
        assert api_as(auditor).get(path).status_code == 404
        assert api_as(quality_manager).get(path).status_code == 200


def test_jobs_cannot_be_listed_changed_or_deleted_through_the_api(employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee)
    client = api_as(employee)
    assert client.get("/api/v1/jobs/").status_code == 404
    assert client.patch(f"/api/v1/jobs/{job.pk}/", {"status": "done"}).status_code == 405
    assert client.delete(f"/api/v1/jobs/{job.pk}/").status_code == 405


def test_accepted_answers_202_with_the_job_and_its_location(employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee)
    request = Request(APIRequestFactory().post("/api/v1/whatever/"))

    response = accepted(job, request)

    assert response.status_code == 202
    assert response.data["id"] == job.pk
    assert response.data["status"] == "pending"
    assert response.data["download_url"] is None
    assert response["Location"] == f"http://testserver/api/v1/jobs/{job.pk}/"


# --- Browser ------------------------------------------------------------------------------------------------------


def test_the_progress_partial_polls_while_the_job_runs(client, employee):
    job = Job.objects.create(
        kind="numbers_report",
        created_by=employee,
        status=Job.Status.RUNNING,
        progress=40,
        message="Rendering the checklist",
    )
    client.force_login(employee)

    response = _htmx_get(client, f"/jobs/{job.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="/jobs/{job.pk}/"' in page
    assert 'hx-swap="outerHTML"' in page
    assert f'<progress id="job-{job.pk}-bar" class="job-bar" max="100" value="40">' in page
    assert f'<label class="job-label" for="job-{job.pk}-bar">' in page
    assert 'role="status"' in page
    assert "Rendering the checklist… 40%" in page
    assert "no-cache" in response["Cache-Control"]


def test_the_progress_partial_polls_while_the_job_waits(client, employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee)
    client.force_login(employee)
    page = _htmx_get(client, f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting to start… 0%" in page


def test_the_progress_partial_stops_polling_and_offers_the_download_when_done(
    client, employee, django_capture_on_commit_callbacks
):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)
    client.force_login(employee)

    page = _htmx_get(client, f"/jobs/{job.pk}/").content.decode()

    assert "hx-trigger" not in page
    assert "hx-get" not in page
    assert f'href="/jobs/{job.pk}/download/"' in page
    assert "Download" in page


def test_the_progress_partial_stops_polling_and_shows_the_error_when_failed(
    client, employee, django_capture_on_commit_callbacks
):
    job = _start(employee, _render_refused, django_capture_on_commit_callbacks)
    client.force_login(employee)

    page = _htmx_get(client, f"/jobs/{job.pk}/").content.decode()

    assert "hx-trigger" not in page
    assert 'role="alert"' in page
    assert "The template is missing" in page
    assert "/download/" not in page


def test_the_progress_partial_can_be_included_in_another_page(employee):
    from django.template.loader import render_to_string

    job = Job.objects.create(kind="audit_report", created_by=employee, status=Job.Status.RUNNING, progress=10)
    # What `{% include "qms/partials/job_progress.html" with job=job %}` renders inside another page.
    page = render_to_string("qms/partials/job_progress.html", {"job": job})
    assert 'hx-trigger="every 1s"' in page
    assert "Audit report" in page


def test_the_browser_downloads_the_file_with_its_digest(client, employee, django_capture_on_commit_callbacks):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)
    client.force_login(employee)

    response = client.get(f"/jobs/{job.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == NUMBERS
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(NUMBERS).digest()).decode()


def test_the_browser_hides_someones_job_from_another_user_but_not_from_a_quality_manager(
    client, employee, auditor, quality_manager, django_capture_on_commit_callbacks
):
    job = _start(employee, _render_numbers, django_capture_on_commit_callbacks)
    for path in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/download/"):
        client.force_login(auditor)
        assert client.get(path).status_code == 404
        client.force_login(quality_manager)
        assert client.get(path).status_code == 200


def test_the_browser_has_nothing_to_download_before_the_job_is_done(client, employee):
    job = Job.objects.create(kind="numbers_report", created_by=employee, status=Job.Status.RUNNING)
    client.force_login(employee)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
