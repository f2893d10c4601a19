"""A large import on a real worker: a thousand documents checked and written with progress seen on the way; and a
worker killed in the middle of writing leaves nothing half-imported, and the import is done once by the next worker.

The workers are those of tests/qms/conftest.py (a visibility timeout of seconds, so a message a killed
worker held comes back within the test).
"""

from __future__ import annotations

import io
import os
import signal
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document, Revision
from qms.imports import services
from qms.imports.models import ImportRun
from qms.models import Job
from tests.conftest import REDIS_URL, tasks_through_broker
from tests.qms.conftest import killable_worker, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("empty_broker"),
]


def _uploads(owner: str, count: int) -> tuple[SimpleUploadedFile, SimpleUploadedFile]:
    rows = ["number,title,type,owner,effective_date,file"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
        for number in range(1, count + 1):
            rows.append(f"SOP-{number:04d},Procedure {number},SOP,{owner},2025-01-15,sops/{number:04d}.md")
            files.writestr(f"sops/{number:04d}.md", f"# Procedure {number}\n\nDo step {number} carefully.\n")
    master = SimpleUploadedFile("register.csv", "\n".join(rows).encode(), "text/csv")
    return master, SimpleUploadedFile("files.zip", archive.getvalue(), "application/zip")


def _checked(quality_manager: Any, employee: Any, count: int, worker: Any) -> ImportRun:
    master, archive = _uploads(employee.username, count)
    run = services.import_upload(actor=quality_manager, kind="documents", master=master, archive=archive)
    wait_for(lambda: ImportRun.objects.get(pk=run.pk).status == "checked", "the check", worker)
    run.refresh_from_db()
    assert run.can_import and run.report["created"] == count, run.report
    return run


def _progress_while_writing(job_id: int) -> int:
    job = Job.objects.get(pk=job_id)
    return job.progress if job.status == Job.Status.RUNNING and 50 < job.progress < 100 else 0


def test_a_thousand_documents_are_imported_by_a_worker_with_progress_on_the_way(
    quality_manager: Any, employee: Any, worker_folders: dict[str, Path]
) -> None:
    with killable_worker(worker_folders, pool="solo") as worker, tasks_through_broker(REDIS_URL):
        run = _checked(quality_manager, employee, 1000, worker)
        run = services.import_start(actor=quality_manager, run=run)
        assert run.job is not None
        # The bar moves while the one transaction that writes every document is still open.
        wait_for(lambda: _progress_while_writing(run.job.pk), "progress while the documents are written", worker)
        assert not Document.objects.exists()  # nothing is seen until all of it is there
        wait_for(lambda: Job.objects.get(pk=run.job.pk).status == Job.Status.DONE, "the import", worker)
    assert ImportRun.objects.get(pk=run.pk).status == "imported"
    assert Document.objects.count() == 1000
    assert Revision.objects.filter(imported_from__startswith="register.csv, line ").count() == 1000
    assert Job.objects.get(pk=run.job.pk).progress == 100


def test_a_worker_killed_while_writing_leaves_nothing_and_the_next_worker_imports_everything_once(
    quality_manager: Any, employee: Any, worker_folders: dict[str, Path]
) -> None:
    with tasks_through_broker(REDIS_URL):
        with killable_worker(worker_folders, pool="solo") as first:
            run = _checked(quality_manager, employee, 150, first)
            run = services.import_start(actor=quality_manager, run=run)
            assert run.job is not None
            wait_for(lambda: _progress_while_writing(run.job.pk) >= 60, "the writing to be under way", first)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        assert not Document.objects.exists()
        with killable_worker(worker_folders, pool="solo") as second:
            wait_for(lambda: Job.objects.get(pk=run.job.pk).status == Job.Status.DONE, "the import, again", second)
    assert ImportRun.objects.get(pk=run.pk).status == "imported"
    assert Document.objects.count() == 150
    job = Job.objects.get(pk=run.job.pk)
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    for revision in Revision.objects.all():
        assert (worker_folders["media"] / revision.file.name).is_file()
