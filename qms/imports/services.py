"""Every write of an import's record: upload the files and start the check, then start the import itself.

The work runs as jobs (`qms.jobs`) so a large list shows its progress; the import job checks the list again inside the
transaction that writes it, so what it writes is what a check at that moment would approve.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from qms.errors import DomainError, NotAllowed
from qms.history import stamp
from qms.imports import documents, users
from qms.imports.models import ImportRun
from qms.imports.report import Report
from qms.jobs import job_create
from qms.models import User
from qms.roles import Role, has_role
from qms.uploads import RefusedUpload, UploadError, delete_quietly, safe_display_name

Progress = Callable[[int, str], None]
_FOLDER = "imports"


@dataclass(frozen=True)
class Kind:
    """What an import of one kind needs: its check, its run, whether it comes with a ZIP of files, its template."""

    check: Callable[..., Report]
    run: Callable[..., Report]
    takes_files: bool
    template: Callable[[User], str]


KINDS: dict[str, Kind] = {
    ImportRun.Kind.DOCUMENTS: Kind(
        check=documents.check_documents,
        run=documents.import_documents,
        takes_files=True,
        template=lambda user: documents.template_csv(owner=user.username),
    ),
    ImportRun.Kind.USERS: Kind(
        check=users.check_users,
        run=users.import_users,
        takes_files=False,
        template=lambda user: users.template_csv(),
    ),
}


def import_upload(*, actor: User, kind: str, master: UploadedFile, archive: UploadedFile | None) -> ImportRun:
    """Keep the uploaded list (and ZIP) with their SHA-256 and start checking them; nothing else is written."""
    if not has_role(actor, Role.QUALITY_MANAGER):
        raise NotAllowed("Only a quality manager may import records.")
    if kind not in KINDS:
        raise DomainError("Choose what to import.", field="kind")
    if KINDS[kind].takes_files and archive is None:
        raise DomainError("Add the ZIP of the files the list names.", field="archive")
    for upload in (master, archive):
        if isinstance(upload, RefusedUpload):
            raise UploadError(upload.reason)
    from qms.imports.tasks import check_import  # the task module imports this one

    stored: list[str] = []
    try:
        master_name, master_sha256 = _store(master, ".csv", stored)
        archive_name, archive_sha256 = _store(archive, ".zip", stored) if archive is not None else ("", "")
        with transaction.atomic():
            run = ImportRun(
                kind=kind,
                created_by=actor,
                master=master_name,
                master_name=safe_display_name(master.name or "master.csv"),
                master_sha256=master_sha256,
                archive=archive_name,
                archive_name=safe_display_name(archive.name or "files.zip") if archive is not None else "",
                archive_sha256=archive_sha256,
            )
            stamp(run, actor=actor, reason="Files uploaded for import; checking")
            run.save()
            run.job = job_create(actor=actor, kind="import_check", subject=run, task=check_import)
            run.save(update_fields=["job"])
    except BaseException:
        for name in stored:
            delete_quietly(name)
        raise
    return run


@transaction.atomic
def import_start(*, actor: User, run: ImportRun) -> ImportRun:
    """Start writing a checked list: all of it in one transaction, in the background."""
    from qms.imports.tasks import run_import

    locked = ImportRun.objects.select_for_update().visible_to(actor).filter(pk=run.pk).first()
    if locked is None:
        raise NotAllowed("Only a quality manager may import records.")
    if not locked.can_import:
        raise DomainError("Only a list whose check found nothing wrong, and something to import, can be imported.")
    locked.status = ImportRun.Status.IMPORTING
    locked.job = job_create(actor=actor, kind="import", subject=locked, task=run_import)
    stamp(locked, actor=actor, reason="Import started")
    locked.save()
    return locked


def record_outcome(run: ImportRun, *, status: str, report: Report | None, reason: str) -> None:
    """What a check or a run found, on the record (its history row says which, and when)."""
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        locked.status = status
        if report is not None:
            locked.report = report.as_dict()
        stamp(locked, actor=None, reason=reason)
        locked.save()


def open_master(run: ImportRun) -> bytes:
    with default_storage.open(run.master.name, "rb") as stored:
        return stored.read()


def open_archive_file(run: ImportRun) -> IO[bytes]:
    return default_storage.open(run.archive.name, "rb")


def _store(upload: UploadedFile, suffix: str, stored: list[str]) -> tuple[str, str]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(f"{_FOLDER}/{uuid.uuid4().hex}{suffix}", File(upload))
    stored.append(name)
    return name, digest.hexdigest()
