"""Every write of an import's record: upload the files and start the check, then start the import itself.

The work runs as jobs (`qms.jobs`) so a large list shows its progress; the import job checks the list again inside the
transaction that writes it, so what it writes is what a check at that moment would approve.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from qms.errors import DomainError, NotAllowed
from qms.history import stamp
from qms.imports import audits, capas, documents, ideas, users
from qms.imports.models import ImportRun
from qms.imports.report import Report
from qms.jobs import job_create
from qms.models import User
from qms.roles import Role, has_role
from qms.uploads import RefusedUpload, UploadError, delete_quietly, safe_display_name

Progress = Callable[[int, str], None]
_FOLDER = "imports"


# What a kind's check and run are given: the import's record (its stored files), who runs it, and where to report.
Step = Callable[[ImportRun, User, Progress], Report]
# An export's rows, the header first, of the records the user sees.
Export = Callable[[User], Iterator[list[str]]]


@dataclass(frozen=True)
class Kind:
    """What an import of one kind needs: its check and its run, what its second file is (the documents' ZIP, the CAPAs'
    list of actions) and whether it must be there, the templates of its lists, and the export of its records here in
    those lists (the documents' is a command: their files make a ZIP too large to build in a request)."""

    check: Step
    run: Step
    template: Callable[[User], str]
    second_file: str = ""  # "zip" or "csv"; "" when the kind takes one list only
    second_required: bool = False
    second_template: Callable[[User], str] | None = None
    export: Export | None = None
    second_export: Export | None = None


def _one_list(
    check: Callable[..., Report],
    run: Callable[..., Report],
    template: Callable[[User], str],
    export: Callable[..., Iterator[list[str]]],
) -> Kind:
    """A kind read from its master list alone (people, the audit programme, ideas)."""
    return Kind(
        export=lambda user: export(actor=user),
        check=lambda record, actor, progress: check(open_master(record), actor=actor, progress=progress),
        run=lambda record, actor, progress: run(
            open_master(record), actor=actor, source=record.master_name, progress=progress
        ),
        template=template,
    )


def _check_documents(record: ImportRun, actor: User, progress: Progress) -> Report:
    with open_second(record) as archive:
        return documents.check_documents(open_master(record), archive, actor=actor, progress=progress)


def _import_documents(record: ImportRun, actor: User, progress: Progress) -> Report:
    with open_second(record) as archive:
        return documents.import_documents(
            open_master(record), archive, actor=actor, source=record.master_name, progress=progress
        )


def _check_capas(record: ImportRun, actor: User, progress: Progress) -> Report:
    return capas.check_capas(open_master(record), _second_list(record), actor=actor, progress=progress)


def _import_capas(record: ImportRun, actor: User, progress: Progress) -> Report:
    return capas.import_capas(
        open_master(record),
        _second_list(record),
        actor=actor,
        source=record.master_name,
        actions_source=record.archive_name,
        progress=progress,
    )


KINDS: dict[str, Kind] = {
    ImportRun.Kind.USERS: _one_list(
        users.check_users, users.import_users, lambda user: users.template_csv(), users.export_users
    ),
    ImportRun.Kind.DOCUMENTS: Kind(
        check=_check_documents,
        run=_import_documents,
        template=lambda user: documents.template_csv(owner=user.username),
        second_file="zip",
        second_required=True,
    ),
    ImportRun.Kind.AUDITS: _one_list(
        audits.check_audits, audits.import_audits, lambda user: audits.template_csv(), audits.export_audits
    ),
    ImportRun.Kind.CAPAS: Kind(
        check=_check_capas,
        run=_import_capas,
        template=lambda user: capas.template_csv(owner=user.username),
        second_file="csv",
        second_template=lambda user: capas.actions_template_csv(owner=user.username),
        export=lambda user: capas.export_capas(actor=user),
        second_export=lambda user: capas.export_capa_actions(actor=user),
    ),
    ImportRun.Kind.IDEAS: _one_list(
        ideas.check_ideas, ideas.import_ideas, lambda user: ideas.template_csv(), ideas.export_ideas
    ),
}


def import_upload(*, actor: User, kind: str, master: UploadedFile, archive: UploadedFile | None) -> ImportRun:
    """Keep the uploaded list (and ZIP) with their SHA-256 and start checking them; nothing else is written."""
    if not has_role(actor, Role.QUALITY_MANAGER):
        raise NotAllowed("Only a quality manager may import records.")
    if kind not in KINDS:
        raise DomainError("Choose what to import.", field="kind")
    if KINDS[kind].second_required and archive is None:
        raise DomainError("Add the ZIP of the files the list names.", field="archive")
    for upload in (master, archive):
        if isinstance(upload, RefusedUpload):
            raise UploadError(upload.reason)
    from qms.imports.tasks import check_import  # the task module imports this one

    stored: list[str] = []
    try:
        master_name, master_sha256 = _store(master, ".csv", stored)
        suffix = f".{KINDS[kind].second_file or 'bin'}"
        archive_name, archive_sha256 = _store(archive, suffix, stored) if archive is not None else ("", "")
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


def open_second(run: ImportRun) -> IO[bytes]:
    return default_storage.open(run.archive.name, "rb")


def _second_list(run: ImportRun) -> bytes | None:
    if not run.archive:
        return None
    with open_second(run) as stored:
        return stored.read()


def _store(upload: UploadedFile, suffix: str, stored: list[str]) -> tuple[str, str]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(f"{_FOLDER}/{uuid.uuid4().hex}{suffix}", File(upload))
    stored.append(name)
    return name, digest.hexdigest()
