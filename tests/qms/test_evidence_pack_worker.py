"""Integration: a pack of more than a thousand records is built by a real worker through Redis, and verifies."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from capa.models import Nonconformity
from documents import services as document_services
from documents.models import DocumentType
from qms.evidence import services
from qms.evidence.verify import verify_pack
from qms.models import Job
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ENTRIES = 1000
DOCUMENTS = 3


def _records(quality_manager: Any, employee: Any) -> None:
    """A thousand log entries (written in bulk, with their history rows) and a few documents in force."""
    reported_at = timezone.now() - timedelta(days=10)
    bulk_create_with_history(
        [
            Nonconformity(
                reference=f"NC-{number:05d}",
                title=f"Label misprint on batch {number}",
                description="The batch code was unreadable.",
                reported_by=employee,
                reported_at=reported_at,
            )
            for number in range(1, ENTRIES + 1)
        ],
        Nonconformity,
        default_user=employee,
        default_change_reason="Nonconformity reported",
        default_date=reported_at,
    )
    approver = UserFactory(username="approver.bulk", password=PASSWORD, roles=["employee"])
    for number in range(DOCUMENTS):
        document = document_services.document_create(
            actor=quality_manager,
            document_type=DocumentType.objects.get(code="SOP"),
            title=f"Packing step {number}",
            owner=employee,
        )
        revision = document_services.revision_create(
            actor=employee, document=document, file=text_file(f"# Step {number}\n"), change_summary="First issue"
        )
        make_effective(revision, approver)


def test_a_real_worker_builds_a_pack_of_a_thousand_records(
    worker: Any, quality_manager: Any, employee: Any, tmp_path: Path
) -> None:
    _records(quality_manager, employee)
    today = timezone.localdate()
    pack, job = services.evidence_pack_request(
        actor=quality_manager, period_start=today - timedelta(days=30), period_end=today
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in {Job.Status.DONE, Job.Status.FAILED}:
            break
        if worker.poll() is not None:
            pytest.fail("The worker exited early:\n" + worker.stdout.read())
        time.sleep(0.5)
    else:
        worker.terminate()
        pytest.fail("The pack was not built within 180 s:\n" + worker.communicate(timeout=15)[0])
    assert job.status == Job.Status.DONE, job.error
    assert job.progress == 100
    pack.refresh_from_db()

    copy = tmp_path / "pack.zip"
    with pack.file.open("rb") as stored:
        copy.write_bytes(stored.read())
    report = verify_pack(copy, expected_manifest_sha256=pack.manifest_sha256)
    assert report.ok, report.differences
    with zipfile.ZipFile(copy) as archive:
        entries = list(csv.DictReader(io.StringIO(archive.read("registers/nonconformities.csv").decode())))
        history = list(csv.DictReader(io.StringIO(archive.read("registers/history.csv").decode())))
        manifest = json.loads(archive.read("manifest.json"))
    assert len(entries) == ENTRIES
    assert sum(row["record_type"] == "nonconformity" for row in history) == ENTRIES
    assert len([f for f in manifest["files"] if f["path"].startswith("documents/")]) == DOCUMENTS
