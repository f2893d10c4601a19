"""Importing controlled documents: a master list (one row per document) and a ZIP of their files.

Each row becomes a document in force at the revision it had in the earlier system, through
`documents.services.document_import`: its number is kept, its file checked by content like any upload, and its
revision recorded as imported, not as approved by anyone here. A row whose number an earlier import brought in with the
same file is skipped, so a list can be run again after fixing the rows that were wrong.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any
from zipfile import ZipInfo

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from documents.models import Document, DocumentType, Revision
from documents.services import IMPORTED_NUMBER, document_import
from qms.errors import DomainError
from qms.imports.archives import Archive, ArchiveError, open_archive
from qms.imports.cells import Progress, departments_by_name, people_by_name, read_date, split_list
from qms.imports.report import Report, RowReport
from qms.imports.tables import Row, TableError, export_row, read_table
from qms.models import Clause, Department, User
from qms.uploads import delete_quietly, inspect_upload

# In the order of the template: what the document is, whose, about what, which revision since when, and its file.
COLUMNS = ["number", "title", "type", "owner", "department", "clauses", "revision", "effective_date"]
COLUMNS += ["review_period_months", "approvers", "file"]
REQUIRED = ["number", "title", "type", "owner", "effective_date", "file"]
OPTIONAL = [column for column in COLUMNS if column not in REQUIRED]

_TITLE_LENGTH = Document._meta.get_field("title").max_length or 200
_SOURCE_LENGTH = Revision._meta.get_field("imported_from").max_length or 500
_APPROVERS_LENGTH = 300
_IN_MEMORY_FILE = 1024 * 1024


@dataclass
class _Planned:
    report: RowReport
    member: ZipInfo
    fields: dict[str, Any]


def check_documents(master: bytes, archive_file: IO[bytes], *, actor: User, progress: Progress | None = None) -> Report:
    """The dry run: what importing this list and ZIP would do, line by line. Writes nothing."""
    report, _ = _check(master, archive_file, actor=actor, progress=progress)
    return report


def import_documents(
    master: bytes, archive_file: IO[bytes], *, actor: User, source: str, progress: Progress | None = None
) -> Report:
    """Check the list again and, if nothing is wrong, write every new row in one transaction: all or nothing.

    `source` names the master list in each revision's record (a file name). Returns the report; when it is not `ok`
    nothing was written. Stored files of a run that fails half-way are deleted again."""
    report_progress = progress or (lambda percent, message: None)
    stored: list[str] = []
    try:
        with transaction.atomic():
            report, planned = _check(master, archive_file, actor=actor, progress=report_progress)
            if not report.ok:
                return report
            archive = open_archive(archive_file)
            try:
                for done, plan in enumerate(planned, start=1):
                    origin = f"{source}, line {plan.report.line}: {plan.fields['file']}"[:_SOURCE_LENGTH]
                    revision = _import_row(plan, archive, actor=actor, source=origin)
                    stored.append(revision.file.name)
                    report_progress(50 + 49 * done // len(planned), f"Imported {revision.document.number}")
            finally:
                archive.close()
    except BaseException:
        for name in stored:
            delete_quietly(name)
        raise
    return report


SAMPLE_FILES = {
    "sops/SOP-0012 cleaning.md": "# Cleaning the filling line\n\n1. Rinse.\n2. Foam.\n3. Rinse.\n4. Sanitise.\n",
    "work-instructions/WI-0003 scales.md": "# Calibrating the scales\n\nWeekly, with the 5 kg test weight.\n",
}


def template_csv(*, owner: str) -> str:
    """The master list's header and two example rows naming the sample ZIP's files, for people to fill in."""
    cleaning = ["SOP-0012", "Cleaning the filling line", "SOP", owner, "", "7.5.3; 8.5.1", "3", "2025-03-01", "12"]
    scales = ["WI-0003", "Calibrating the scales", "WI", owner, "", "7.1.5", "1", "2024-06-01", "24"]
    rows = [
        COLUMNS,
        [*cleaning, "Anna Berg; Tom Lee", "sops/SOP-0012 cleaning.md"],
        [*scales, "", "work-instructions/WI-0003 scales.md"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def sample_zip() -> bytes:
    """A ZIP holding the files the template's example rows name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in SAMPLE_FILES.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- Moving out: the same formats -----------------------------------------------------------------------------------


def export_documents(master_out: IO[str], archive_out: IO[bytes], *, actor: User) -> int:
    """The documents in force that `actor` sees, as a master list and a ZIP of their files in this import's own format:
    imported elsewhere, they come back as they are here. Returns how many were written."""
    documents = (
        Document.objects.visible_to(actor)
        .filter(status=Document.Status.EFFECTIVE)
        .select_related("document_type", "owner", "department")
        .prefetch_related("clauses")
        .order_by("number")
    )
    writer = csv.writer(master_out)
    writer.writerow(COLUMNS)
    written = 0
    with zipfile.ZipFile(archive_out, "w") as archive:
        for batch in _batches(documents, 500):
            in_force = {
                revision.document_id: revision
                for revision in Revision.objects.filter(
                    document__in=batch, status=Revision.Status.EFFECTIVE
                ).prefetch_related("approvals__approver")
            }
            for document in batch:
                revision = in_force[document.pk]
                path = f"{document.number}/{revision.original_filename}"
                in_force_since = revision.effective_at or revision.created_at
                entry = zipfile.ZipInfo(path, date_time=timezone.localtime(in_force_since).timetuple()[:6])
                # PDFs and Office files are compressed already: stored as they are, they cost no time to pack.
                text = revision.content_type.startswith("text/")
                entry.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
                with default_storage.open(revision.file.name, "rb") as stored, archive.open(entry, "w") as target:
                    shutil.copyfileobj(stored, target, 1024 * 1024)
                writer.writerow(
                    export_row(
                        [
                            document.number,
                            document.title,
                            document.document_type.code,
                            document.owner.username,
                            document.department,
                            "; ".join(clause.number for clause in document.clauses.all()),
                            revision.revision,
                            revision.effective_date or timezone.localtime(in_force_since).date(),
                            document.review_period_months,
                            revision.approved_outside_by or _approvers_here(revision),
                            path,
                        ]
                    )
                )
                written += 1
    return written


def _approvers_here(revision: Revision) -> str:
    approved = [a for a in revision.approvals.all() if a.round == revision.review_round and a.decision == "approved"]
    return "; ".join(approval.approver.get_full_name() or approval.approver.username for approval in approved)


def _batches(queryset: Any, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for record in queryset.iterator(chunk_size=size):
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- The check --------------------------------------------------------------------------------------------------------


def _check(
    master: bytes, archive_file: IO[bytes], *, actor: User, progress: Progress | None = None
) -> tuple[Report, list[_Planned]]:
    report = Report()
    try:
        table = read_table(master, required=REQUIRED, optional=OPTIONAL)
    except TableError as error:
        report.file_errors.append(f"The master list: {error}")
        return report, []
    try:
        archive = open_archive(archive_file)
    except ArchiveError as error:
        report.file_errors.append(f"The ZIP: {error}")
        return report, []
    report.notes += table.notes
    report.notes += [f"The ZIP's entry {name!r} is not used: {why}." for name, why in archive.refused.items()]
    lookups = _Lookups.load()
    planned = []
    first_line_of: dict[str, int] = {}
    used: set[str] = set()
    try:
        for index, row in enumerate(table.rows, start=1):
            row_report, plan = _check_row(row, archive, lookups, first_line_of)
            report.rows.append(row_report)
            if plan is not None:
                used.add(plan.member.filename)
                if row_report.outcome == "create":
                    planned.append(plan)
            if progress is not None and index % 25 == 0:
                progress(50 * index // len(table.rows), f"Checked {index:,} of {len(table.rows):,} rows")
    finally:
        archive.close()
    unused = len(archive.members) - len(used)
    if unused:
        report.notes.append(f"{unused} file(s) in the ZIP are named by no row and are not imported.")
    if not table.rows:
        report.file_errors.append("The master list has no rows under its header.")
    return report, planned


@dataclass
class _Lookups:
    """Everything a row may name, read once for the whole list (a 10,000-row list asks the database a few times)."""

    users: dict[str, User]
    types: dict[str, DocumentType]
    departments: dict[str, Department]
    clauses: dict[str, Clause]
    imported: dict[str, set[str]]  # number → the SHA-256 of the files earlier imports brought in under it
    existing: set[str]

    @classmethod
    def load(cls) -> _Lookups:
        types: dict[str, DocumentType] = {}
        for document_type in DocumentType.objects.all():
            types[document_type.code.lower()] = document_type
            types.setdefault(document_type.name.lower(), document_type)
        imported: dict[str, set[str]] = {}
        for number, sha256 in Revision.objects.exclude(imported_from="").values_list("document__number", "sha256"):
            imported.setdefault(number, set()).add(sha256)
        return cls(
            users=people_by_name(User.objects.filter(is_active=True)),
            types=types,
            departments=departments_by_name(Department.objects.filter(is_active=True)),
            clauses={clause.number: clause for clause in Clause.objects.all()},
            imported=imported,
            existing=set(Document.objects.values_list("number", flat=True)),
        )


def _check_row(
    row: Row, archive: Archive, lookups: _Lookups, first_line_of: dict[str, int]
) -> tuple[RowReport, _Planned | None]:
    values = row.values
    number = values["number"].upper()
    result = RowReport(line=row.line, key=number or "(no number)", outcome="create")
    errors = result.messages
    if row.problem:
        errors.append(row.problem)
    if not number:
        errors.append("The number is missing.")
    elif not IMPORTED_NUMBER.fullmatch(number):
        errors.append(f"The number {number!r} is not a type code, a hyphen and digits (SOP-0012).")
    elif number in first_line_of:
        errors.append(f"{number} is also on line {first_line_of[number]}.")
    else:
        first_line_of[number] = row.line
    title = values["title"]
    if not title:
        errors.append("The title is missing.")
    elif len(title) > _TITLE_LENGTH:
        errors.append(f"The title is longer than {_TITLE_LENGTH} characters.")
    document_type = lookups.types.get(values["type"].lower())
    if document_type is None:
        errors.append(f"Unknown document type {values['type']!r}." if values["type"] else "The type is missing.")
    elif not document_type.is_active:
        errors.append(f"Documents of type {document_type.code} are no longer created.")
    elif number and not number.startswith(f"{document_type.code}-"):
        errors.append(f"The number {number} does not start with its type's code, {document_type.code}-.")
    owner = lookups.users.get(values["owner"].lower())
    if owner is None:
        errors.append(
            f"Unknown owner {values['owner']!r} (a username or email of an active person)."
            if values["owner"]
            else "The owner is missing."
        )
    department = None
    if values.get("department"):
        department = lookups.departments.get(values["department"].lower())
        if department is None:
            errors.append(f"Unknown department {values['department']!r}.")
    clauses = []
    for reference in split_list(values.get("clauses", "")):
        clause = lookups.clauses.get(reference)
        if clause is None:
            errors.append(f"Unknown ISO 9001 clause {reference!r}.")
        else:
            clauses.append(clause)
    revision = _whole_number(values.get("revision", ""), default=1)
    if revision is None:
        errors.append(f"The revision {values['revision']!r} is not a whole number of 1 or more.")
    period = _whole_number(values.get("review_period_months", ""), default=0)
    if period is None or period > 120:
        errors.append(f"The review period {values['review_period_months']!r} is not a number of months from 1 to 120.")
    effective_date = read_date(values["effective_date"])
    if effective_date is None:
        errors.append(
            f"The effective date {values['effective_date']!r} is not a date (use YYYY-MM-DD)."
            if values["effective_date"]
            else "The effective date is missing."
        )
    elif effective_date > timezone.localdate():
        errors.append(f"The effective date {effective_date} is in the future; only documents in force are imported.")
    approvers = values.get("approvers", "")
    if len(approvers) > _APPROVERS_LENGTH:
        errors.append(f"The approvers are longer than {_APPROVERS_LENGTH} characters.")
    plan = None
    member = archive.find(values["file"]) if values["file"] else None
    if not values["file"]:
        errors.append("The file is missing.")
    elif member is None:
        refused = archive.refused.get(values["file"])
        errors.append(f"The file {values['file']!r} is {'refused: ' + refused if refused else 'not in the ZIP'}.")
    else:
        sha256 = _checked_sha256(archive, member, errors)
        fields = {
            "number": number,
            "document_type": document_type,
            "title": title,
            "owner": owner,
            "department": department,
            "clauses": clauses,
            "review_period_months": period or None,
            "revision_number": revision,
            "effective_date": effective_date,
            "approved_outside_by": approvers,
            "file": values["file"],
        }
        plan = _Planned(report=result, member=member, fields=fields)
        if number in lookups.existing and not errors:
            if sha256 in lookups.imported.get(number, set()):
                result.outcome = "skip"
                errors.append(f"{number} was imported before with this file; it is left as it is.")
                return result, plan
            errors.append(
                f"{number} was imported before with another file."
                if number in lookups.imported
                else f"{number} is already a document here."
            )
    if errors:
        result.outcome = "error"
    return result, plan


def _checked_sha256(archive: Archive, member: ZipInfo, errors: list[str]) -> str:
    with archive.open(member) as stream:
        try:
            return inspect_upload(_as_upload(stream, member)).sha256
        except DomainError as refusal:
            errors.append(f"The file {member.filename!r} is refused: {refusal.message}")
            return ""


def _import_row(plan: _Planned, archive: Archive, *, actor: User, source: str) -> Revision:
    fields = {name: value for name, value in plan.fields.items() if name != "file"}
    # The import reads the file several times (type, hash, text, storage) and a PDF's text from its end backwards;
    # a ZIP member seeks back by reading again from its start, so it is copied once to a file of its own (on disk
    # beyond a megabyte: memory stays flat whatever the file's size).
    with archive.open(plan.member) as stream, tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_FILE) as copy:
        shutil.copyfileobj(stream, copy)
        copy.seek(0)
        return document_import(actor=actor, file=_as_upload(copy, plan.member), source=source, **fields)


def _as_upload(stream: IO[bytes], member: ZipInfo) -> UploadedFile:
    """A ZIP member as an upload, read in chunks like one (never all in memory)."""
    return UploadedFile(file=stream, name=PurePosixPath(member.filename).name, size=member.file_size)


def _whole_number(text: str, *, default: int) -> int | None:
    if not text:
        return default
    return int(text) if text.isdigit() and int(text) >= 1 else None
