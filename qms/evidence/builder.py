"""Building an evidence pack's ZIP: streamed into a temporary file on disk, then saved to the default storage.

Entry names are made from numbers and sanitised references, never from titles or uploaded file names, so nothing a
user typed can put a path part, an absolute path or a device name into the ZIP. Each file's SHA-256 and size are
computed while it is written, and `manifest.json` lists them all with the record each comes from.

The cover (`index.html`, `index.pdf`) prints the manifest's own SHA-256, so it is written after the manifest and is
not listed in it (a file cannot contain its own hash); `verify` checks that the cover names the manifest it came with.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from audits.models import Finding
from documents.models import Document, Revision
from qms.errors import DomainError
from qms.evidence import registers
from qms.evidence.models import EvidencePack
from qms.history import stamp
from qms.jobs import JobProgress
from qms.models import Clause, Job
from qms.objectives.selectors import objective_standings
from qms.pdf import render_pdf
from qms.periods import Period
from qms.reviews import report as review_report
from qms.reviews.models import ManagementReview
from qms.trail import chain as trail

JOB_KIND = "evidence_pack"
MANIFEST = "manifest.json"
COVER_FILES = ("index.html", "index.pdf")
INDEX_TEMPLATE = "evidence/index.html"
_CHUNK = 1024 * 1024
_ROWS_PER_QUERY = 2000
# How many records of each kind the index PDF names per clause; the rest are counted (`RecordGroup`).
PDF_RECORDS_PER_KIND = 10
# How many of the pack's files the index PDF lists; the rest are counted. A pack of a large QMS holds thousands of
# document files, which the manifest and `index.html` list with their hashes: in the PDF they would only be pages.
PDF_FILES_LISTED = 50
# Already compressed: deflating them again costs time and saves nothing.
_STORED_EXTENSIONS = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".gif", ".docx", ".xlsx", ".pptx", ".zip", ".gz"})
_SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
_MAX_COMPONENT = 40
# Names Windows refuses whatever their extension.
_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)})


def safe_component(text: str) -> str:
    """A reference made fit to be part of an entry name: ASCII letters, digits and dashes, at most 40 characters,
    never a device name, never empty."""
    cleaned = _UNSAFE.sub("-", text).strip("-")[:_MAX_COMPONENT].strip("-")
    if cleaned.upper() in _DEVICE_NAMES:
        cleaned = f"{cleaned}-"
    return cleaned or "x"


def safe_extension(name: str) -> str:
    suffix = PurePath(name.replace("\\", "/").replace("\x00", "")).suffix.lower()
    return suffix if _SAFE_EXTENSION.fullmatch(suffix) else ".bin"


def default_clauses() -> list[Clause]:
    """Every clause of the catalogue from 4 to 10, sub-clauses included, in catalogue order."""
    return [clause for clause in Clause.objects.all() if clause.number.split(".")[0] in {str(n) for n in range(4, 11)}]


def chosen_clauses(numbers: list[str]) -> list[Clause]:
    """The clauses asked for with their sub-clauses (asking for 7.1 takes 7.1.5 too), in catalogue order; every
    clause from 4 to 10 when none were named."""
    if not numbers:
        return default_clauses()
    return [
        clause
        for clause in Clause.objects.all()
        if any(clause.number == number or clause.number.startswith(f"{number}.") for number in numbers)
    ]


@dataclass(frozen=True)
class Entry:
    """One file of the pack as the manifest lists it."""

    path: str
    sha256: str
    size: int
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size, "source": self.source}


class PackWriter:
    """Writes entries into an open ZIP, hashing each while it streams, and refuses a name twice."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self.entries: list[Entry] = []
        self._names: set[str] = set()

    def unique(self, path: str) -> str:
        """The path, or the path with `-2`, `-3` … before its extension if it is taken (never a silent overwrite)."""
        candidate, number = path, 1
        stem, extension = (
            (path[: -len(PurePath(path).suffix)], PurePath(path).suffix) if PurePath(path).suffix else (path, "")
        )
        while candidate in self._names or candidate in COVER_FILES or candidate == MANIFEST:
            number += 1
            candidate = f"{stem}-{number}{extension}"
        return candidate

    def add_stream(self, path: str, chunks: Iterable[bytes], *, source: str, listed: bool = True) -> Entry:
        path = self.unique(path) if listed else path
        self._names.add(path)
        info = zipfile.ZipInfo(path, date_time=timezone.now().timetuple()[:6])
        stored = PurePath(path).suffix.lower() in _STORED_EXTENSIONS
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        digest, size = hashlib.sha256(), 0
        with self._archive.open(info, "w", force_zip64=True) as target:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        entry = Entry(path=path, sha256=digest.hexdigest(), size=size, source=source)
        if listed:
            self.entries.append(entry)
        return entry

    def add_bytes(self, path: str, content: bytes, *, source: str, listed: bool = True) -> Entry:
        return self.add_stream(path, [content], source=source, listed=listed)

    def add_file(self, path: str, handle: IO[bytes], *, source: str) -> Entry:
        return self.add_stream(path, iter(lambda: handle.read(_CHUNK), b""), source=source)

    def add_rows(self, path: str, rows: Iterable[list[str]], *, source: str) -> Entry:
        return self.add_stream(path, _csv_chunks(rows), source=source)


def _csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > _CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# The clauses whose retained documented information a register is, beside the records linked to clauses one by one.
REGISTER_CLAUSES = {
    "registers/acknowledgements.csv": ("7.2", "7.3"),
    "registers/documents.csv": ("7.5.3",),
    "registers/revisions.csv": ("7.5.3",),
    "registers/history.csv": ("7.5.3",),
    "registers/nonconformities.csv": ("8.7",),
    "registers/audit-programme.csv": ("9.2",),
    "registers/audits.csv": ("9.2",),
    "registers/findings.csv": ("9.2",),
    "registers/capas.csv": ("10.2",),
    "registers/capa-actions.csv": ("10.2",),
    "registers/effectiveness-checks.csv": ("10.2",),
    "registers/ideas.csv": ("10.3",),
    "registers/idea-stages.csv": ("10.3",),
    "registers/quality-objectives.csv": ("6.2",),
    "registers/objective-values.csv": ("6.2", "9.1.1"),
    "registers/management-reviews.csv": ("9.3",),
    "registers/review-actions.csv": ("9.3.3",),
}


@dataclass(frozen=True)
class RecordGroup:
    """The records of one kind that answer a clause (its findings, say), in the order the index lists them."""

    kind: str  # "Findings"
    names: list[str]  # "IA-2026-004-F02", …
    prefix: str = ""  # "Finding ": how `index.html` names each, where kinds are not headed

    @property
    def records(self) -> list[str]:
        return [f"{self.prefix}{name}" for name in self.names]

    @property
    def shown(self) -> list[str]:
        """What the index PDF names: the first few. A clause of a busy year has hundreds of records, and hundreds of
        pages would only repeat the registers; `index.html` lists every one."""
        return self.names[:PDF_RECORDS_PER_KIND]

    @property
    def left_out(self) -> int:
        return len(self.names) - len(self.shown)


@dataclass(frozen=True)
class ClauseEvidence:
    """One row of the index: a clause, what it expects, and the records in the pack that answer it, by kind."""

    clause: Clause
    groups: list[RecordGroup]
    in_sub_clauses: bool = False  # nothing linked to the clause itself, but to its sub-clauses

    @property
    def records(self) -> list[str]:
        return [record for group in self.groups for record in group.records]


class _Counted:
    """Rows passed through unchanged, counted on the way (a register is written once, as a stream)."""

    def __init__(self, rows: Iterable[list[str]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list[str]]:
        for row in self._rows:
            self.count += 1
            yield row


def clause_index(
    user: Any, period: Period, clauses: list[Clause], register_rows: dict[str, int] | None = None
) -> list[ClauseEvidence]:
    """For each clause, the documents in force, audits, findings, log entries and CAPAs of the period linked to it,
    and the registers that are its records (with their number of rows). Records are read a chunk at a time, and
    only the columns the index prints: a year may hold tens of thousands."""
    by_clause: dict[int, dict[str, RecordGroup]] = {clause.pk: {} for clause in clauses}
    by_number = {clause.number: clause.pk for clause in clauses}

    def add(clause_id: int | None, kind: str, name: str, prefix: str = "") -> None:
        if clause_id in by_clause:
            group = by_clause[clause_id].setdefault(kind, RecordGroup(kind=kind, names=[], prefix=prefix))
            group.names.append(name)

    for path, rows in (register_rows or {}).items():
        for number in REGISTER_CLAUSES.get(path, ()):
            if rows and number in by_number:
                add(by_number[number], "Registers", f"{path}: {rows} row{'s' if rows != 1 else ''}")
    revisions = registers.revisions_in_period(user, period)
    documents = (
        Document.objects.filter(pk__in=revisions.values("document"))
        .only("pk", "number", "title")
        .prefetch_related(Prefetch("clauses", queryset=Clause.objects.only("pk")))
        .order_by("number")
    )
    for document in documents.iterator(chunk_size=_ROWS_PER_QUERY):
        for clause in document.clauses.all():
            add(clause.pk, "Documents", f"{document.number} {document.title}")
    audits = registers.audits_in_period(user, period)
    for audit in (
        audits.select_related(None)
        .only("pk", "reference")
        .prefetch_related("clauses")
        .iterator(chunk_size=_ROWS_PER_QUERY)
    ):
        for clause in audit.clauses.all():
            add(clause.pk, "Audits", audit.reference, "Audit ")
    linked: list[tuple[str, str, QuerySet[Any]]] = [
        ("Findings", "Finding", Finding.objects.filter(audit__in=audits).order_by("reference")),
        ("Nonconformities", "Nonconformity", registers.nonconformities_in_period(user, period)),
        ("CAPAs", "CAPA", registers.capas_in_period(user, period)),
    ]
    for kind, label, records in linked:
        references = records.filter(clause__isnull=False).values_list("clause_id", "reference")
        for clause_id, reference in references.iterator(chunk_size=_ROWS_PER_QUERY):
            add(clause_id, kind, reference, f"{label} ")
    for standing in objective_standings(user, period):
        objective = standing.objective
        if objective.created_at < period.ends_before:
            for clause in objective.clauses.all():
                add(clause.pk, "Objectives", f"{objective.reference} {objective.title}", "Objective ")
    if "9.3" in by_number:
        for review in registers.reviews_in_period(user, period):
            add(
                by_number["9.3"],
                "Management reviews",
                f"{review.reference} ({review.get_status_display()})",
                "Management review ",
            )
    answered = {number for number, pk in by_number.items() if by_clause[pk]}
    return [
        ClauseEvidence(
            clause=clause,
            groups=list(by_clause[clause.pk].values()),
            in_sub_clauses=any(number.startswith(f"{clause.number}.") for number in answered),
        )
        for clause in clauses
    ]


def build_pack(job: Job, progress: JobProgress) -> tuple[str, bytes, str]:
    """The work of an evidence pack job (`qms.jobs.run_job`).

    The ZIP itself is kept on the pack, not handed back to `run_job` (which holds a job's file in memory); the job's
    own file is the pack's manifest, small, so the job's download stays meaningful.
    """
    pack = job.subject
    if not isinstance(pack, EvidencePack):
        raise DomainError("The evidence pack of this job no longer exists.")
    user = pack.created_by
    period = Period(start=pack.period_start, end=pack.period_end)
    clauses = chosen_clauses(pack.clauses)
    # The registers cover the whole period (they are the context an auditor samples from); the files follow the
    # clauses asked for: the documents and audit reports linked to one of them.
    revisions = registers.revisions_in_period(user, period)
    reports = registers.final_reports(user, period)
    if pack.clauses:
        revisions = revisions.filter(document__clauses__in=clauses).distinct()
        reports = reports.filter(audit__clauses__in=clauses).distinct()
    generated_at = timezone.now()
    # The chain's head as the pack is made: verifying the pack later checks the trail up to it was not rewritten.
    trail_head = trail.head()

    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", allowZip64=True) as archive:
            writer = PackWriter(archive)
            register_rows: dict[str, int] = {}
            for step, (path, register) in enumerate(registers.REGISTERS):
                progress.report(5 + 30 * step // len(registers.REGISTERS), f"Writing {path}")
                rows = _Counted(register(user, period))
                writer.add_rows(path, rows, source=f"register {PurePath(path).stem}")
                register_rows[path] = rows.count - 1  # the header is not a record
            progress.report(35, "Adding the documents in force")
            # Read in chunks, and without the texts kept for search (`revisions_in_period`): a year of a large QMS has
            # tens of thousands of revisions in force, whose texts held at once ran a worker out of memory.
            _add_documents(writer, revisions.iterator(chunk_size=_ROWS_PER_QUERY))
            progress.report(70, "Adding the final audit reports")
            for number, report in enumerate(reports, start=1):
                name = f"audit-reports/{number:04d}-{safe_component(report.audit.reference)}-final.pdf"
                source = f"{report.audit.reference} final report v{report.version}"
                with _opened(report.file, source) as handle:
                    writer.add_file(name, handle, source=source)
            if not pack.clauses or any(clause.number == "9.3" for clause in clauses):
                progress.report(75, "Rendering the signed management reviews")
                _add_signed_reviews(writer, registers.reviews_in_period(user, period))
            progress.report(80, "Writing the manifest and the index")
            manifest = json.dumps(
                {
                    "generated_at": generated_at.isoformat(timespec="seconds"),
                    "generated_by": user.get_username(),
                    "organisation": settings.ORGANISATION_NAME,
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "clauses": [clause.number for clause in clauses],
                    "clauses_asked": pack.clauses or "all of 4 to 10",
                    "files": [entry.as_dict() for entry in writer.entries],
                    "audit_trail": (
                        {"seal": trail_head.pk, "sha256": trail_head.sha256} if trail_head is not None else None
                    ),
                },
                indent=2,
                ensure_ascii=False,
            ).encode()
            manifest_entry = writer.add_bytes(MANIFEST, manifest, source="manifest", listed=False)
            context = {
                "organisation": settings.ORGANISATION_NAME,
                "period": period,
                "generated_by": user,
                "generated_at": generated_at,
                "manifest_sha256": manifest_entry.sha256,
                "rows": clause_index(user, period, clauses, register_rows),
                "files": writer.entries,
                "document_title": f"Evidence pack {period.start} to {period.end}",
                "clauses_asked": pack.clauses,
            }
            writer.add_bytes(
                "index.html", render_to_string(INDEX_TEMPLATE, context).encode(), source="index", listed=False
            )
            progress.report(85, "Rendering the index PDF")
            writer.add_bytes(
                "index.pdf",
                render_pdf(
                    INDEX_TEMPLATE,
                    {
                        **context,
                        "pdf": True,
                        "records_per_kind": PDF_RECORDS_PER_KIND,
                        "files": writer.entries[:PDF_FILES_LISTED],
                        "files_left_out": max(0, len(writer.entries) - PDF_FILES_LISTED),
                    },
                ),
                source="index",
                listed=False,
            )
        progress.report(95, "Saving the pack")
        _record(pack, spool, manifest_sha256=manifest_entry.sha256)
    return f"evidence-pack-{pack.pk}-manifest.json", manifest, "application/json"


def _add_signed_reviews(writer: PackWriter, reviews: Iterable[ManagementReview]) -> None:
    """Each signed review as its report shows it: the record management signed (9.3.3), rendered for the pack."""
    signed = [review for review in reviews if review.status == ManagementReview.Status.SIGNED]
    for number, review in enumerate(signed, start=1):
        name = f"management-reviews/{number:04d}-{safe_component(review.reference)}-signed.pdf"
        content = render_pdf(review_report.TEMPLATE, review_report.report_context(review))
        writer.add_bytes(name, content, source=f"{review.reference} signed management review")


def _add_documents(writer: PackWriter, revisions: Iterable[Revision]) -> None:
    for number, revision in enumerate(revisions, start=1):
        document_number = safe_component(revision.document.number)
        name = (
            f"documents/{number:04d}-{document_number}-rev{revision.revision}"
            f"{safe_extension(revision.file.name or revision.original_filename)}"
        )
        source = f"{revision.document.number} rev {revision.revision}"
        with _opened(revision.file, source) as handle:
            writer.add_file(name, handle, source=source)


def _opened(field_file: Any, source: str) -> Any:
    """The stored file of a record, or a refusal that names it: a pack with a file silently missing would mislead."""
    try:
        return field_file.open("rb")
    except FileNotFoundError as missing:
        raise DomainError(
            f"The file of {source} is missing from storage, so the pack would be incomplete."
        ) from missing


def _record(pack: EvidencePack, spool: IO[bytes], *, manifest_sha256: str) -> None:
    """Hash the finished ZIP, save it in the default storage under a generated name and note it on the pack."""
    spool.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: spool.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    spool.seek(0)
    now = timezone.now()
    stored = default_storage.save(f"evidence-packs/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.zip", File(spool))
    pack.file.name = stored
    pack.sha256 = digest.hexdigest()
    pack.size = size
    pack.manifest_sha256 = manifest_sha256
    stamp(pack, actor=pack.created_by, reason="Evidence pack built")
    pack.save(update_fields=["file", "sha256", "size", "manifest_sha256"])
