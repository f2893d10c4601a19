"""The backup and the restore drill, on a small QMS: everything restores (migrations, rows, files, audit trail), and
a backup that lost a file, a row or a seal is named by the drill. Runs on the suite's database (PostgreSQL in CI:
`pg_dump` with an exported snapshot and `pg_restore`; SQLite's online backup otherwise)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from documents import services as document_services
from documents.models import DocumentType, Revision
from qms.backup import MANIFEST, BackupError, take_backup
from qms.trail.models import TrailSeal
from tests.documents.conftest import make_effective, text_file

pytestmark = pytest.mark.django_db(transaction=True)  # the dump reads committed rows, from another process


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def small_qms(media: Path, quality_manager: Any, approver: Any) -> Revision:
    document = document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Line clearance",
        owner=quality_manager,
    )
    revision = document_services.revision_create(
        actor=quality_manager, document=document, file=text_file("# Line clearance\n"), change_summary="First issue"
    )
    return make_effective(revision, approver)


@pytest.fixture
def approver(db: None) -> Any:
    from tests.qms.factories import UserFactory

    return UserFactory(username="backup.approver", roles=["employee"])


def _backup(tmp_path: Path) -> Path:
    target = tmp_path / "backup"
    out = StringIO()
    call_command("backup", "--output", str(target), stdout=out)
    assert f"to {target}" in out.getvalue()
    return target


def _drill(backup: Path) -> str:
    out = StringIO()
    try:
        call_command("restore_drill", str(backup), stdout=out)
    except CommandError:
        pytest.fail(out.getvalue())
    return out.getvalue()


def test_a_backup_restores_completely_in_the_drill(small_qms: Revision, tmp_path: Path) -> None:
    backup = _backup(tmp_path)
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["rows"]["documents_revision"] == 1
    assert manifest["rows"]["qms_trailseal"] == TrailSeal.objects.count() > 5
    assert small_qms.file.name in manifest["files"]
    head = TrailSeal.objects.order_by("-id").first()
    assert head is not None and manifest["audit_trail"] == {"seal": head.pk, "sha256": head.sha256}

    output = _drill(backup)
    assert "The backup restores completely." in output
    assert "Checked 1 files restored and checked against their SHA-256" in output
    assert "Checked 1 files that records point at" in output
    assert "seals and" in output and "migrations" in output


def test_the_drill_names_a_changed_file_a_missing_row_and_another_trail_head(
    small_qms: Revision, tmp_path: Path
) -> None:
    backup = _backup(tmp_path)
    (backup / "files" / small_qms.file.name).write_bytes(b"# Changed after the backup\n")
    # The manifest says what was there; a dump that lost a row, or a trail cut short, no longer matches it.
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["rows"]["documents_revision"] += 1
    manifest["audit_trail"]["seal"] += 1
    (backup / MANIFEST).write_text(json.dumps(manifest))

    out = StringIO()
    with pytest.raises(CommandError, match="The restore drill found 3 problems") as raised:
        call_command("restore_drill", str(backup), stdout=out)
    assert raised.value.returncode == 1
    report = out.getvalue()
    assert f"PROBLEM file {small_qms.file.name}: SHA-256" in report
    assert "PROBLEM table documents_revision: 1 rows restored, 2 backed up" in report
    assert f"PROBLEM audit trail: ends at seal #{manifest['audit_trail']['seal'] - 1}, the backup's ended at" in report


def test_a_backup_refuses_an_existing_folder_and_a_running_transaction(small_qms: Revision, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(tmp_path / "taken"))
    with transaction.atomic(), pytest.raises(BackupError, match="outside a transaction"):
        take_backup(tmp_path / "inside")


def test_the_drill_refuses_a_folder_that_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore_drill", str(tmp_path))
