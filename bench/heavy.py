"""Heavy-work figures of issues #8 and #10: the audit report PDF, the evidence pack and a large document import,
timed and measured on real data.

    python bench/heavy.py audit-pdf [--quick]
    python bench/heavy.py evidence-pack [--quick]
    python bench/heavy.py document-import [--quick]

Run from the project root with the environment of the deployment (DATABASE_URL, MEDIA_ROOT, SECRET_KEY, DEBUG …);
`migrate` must have run. Each subcommand first prepares its data in that database, once (a second run finds it and
reuses it), then has the job done as production does it: sent through the broker (CELERY_BROKER_URL) to a real Celery
worker on the `reports` queue, started for this one job with the solo pool, so that the figures are those of one worker
doing one job: the job's own seconds (started to finished, as the job records them) and the worker's peak resident
memory (VmHWM). Without a broker the task body runs in a fresh child process instead. `verify_evidence_pack` runs as
the command it is, in a child process. The last line of stdout is one JSON object; progress goes to stderr.

The data is made through the services where a record's life matters to the result (the audit, its checklist answers,
findings, CAPAs, closing signature) and in bulk with history rows elsewhere (10,000 register records, 1 GB of
revision files written through the default storage): the pack reads history, so `bulk_create_with_history`.

The document import uploads a master list and a ZIP of scanned PDFs (prepared once under bench/.import-data/) through
the import's service, as the import page does, and measures its check job and its import job. Each run imports under
document numbers of its own (a run number from a sequence), so every run really creates its documents.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
# Preparing data notifies people (a CAPA's owner); nobody here has a mailbox, and mails must not reach stdout.
os.environ.setdefault("NOTIFICATION_EMAILS", "false")

logger = logging.getLogger("bench.heavy")

PASSWORD = "heavy-benchmark-password-1"
TARGETS: dict[str, dict[str, float]] = {
    "audit_pdf": {"seconds": 15, "peak_mb": 500},
    "evidence_pack": {"seconds": 60, "peak_mb": 200},
    # Memory flat (#10): the peak at 10,000 rows at most 1.5 times the peak at 1,000 rows, and within 300 MB.
    "document_import": {"peak_mb": 300, "peak_ratio": 1.5},
}
IMPORT_DATA = ROOT / "bench" / ".import-data"


@dataclass(frozen=True)
class AuditScale:
    tag: str
    clauses: int  # the first N clauses of the catalogue are audited, each with a question drafted from it
    items: int
    findings: int


@dataclass(frozen=True)
class PackScale:
    tag: str
    year: int
    documents: int
    file_bytes: int
    audits: int
    findings: int
    nonconformities: int
    capas: int
    actions: int
    ideas: int


AUDIT_SCALES = {
    "full": AuditScale(tag="full", clauses=73, items=155, findings=60),
    "quick": AuditScale(tag="quick", clauses=5, items=9, findings=3),
}
# 10,000 register rows and 250 files of 4 MB (1 GB); quick: 1,000 rows and 12 files (50 MB). Each scale has its own
# year, so both can live in one database without mixing (older quick records may show in a full pack's registers).
PACK_SCALES = {
    "full": PackScale(
        tag="full",
        year=2025,
        documents=250,
        file_bytes=4 * 1024 * 1024,
        audits=20,
        findings=980,
        nonconformities=4000,
        capas=2000,
        actions=1000,
        ideas=1500,
    ),
    "quick": PackScale(
        tag="quick",
        year=2024,
        documents=12,
        file_bytes=4 * 1024 * 1024 + 200_000,
        audits=2,
        findings=98,
        nonconformities=400,
        capas=200,
        actions=100,
        ideas=176,
    ),
}


@dataclass(frozen=True)
class ImportScale:
    tag: str
    rows: int
    file_bytes: int


# One scanned PDF of about 100 KB per row: 10,000 rows bring about 1 GB of files, 1,000 rows 100 MB. The full run
# imports both lists, to compare their peaks.
IMPORT_SCALES = {
    "full": ImportScale(tag="full", rows=10_000, file_bytes=100 * 1024),
    "quick": ImportScale(tag="quick", rows=1_000, file_bytes=100 * 1024),
}


# --- Child process: the measured work ---------------------------------------------------------------------------


def _peak_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _work(kind: str, argument: str) -> None:
    """Run one piece of production work in this (fresh) process and print its time and peak memory as JSON."""
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    result: dict[str, Any] = {}
    started = time.perf_counter()
    tasks = _job_tasks()
    if kind in tasks:
        tasks[kind](int(argument))
    elif kind == "verify":
        out = io.StringIO()
        try:
            call_command("verify_evidence_pack", argument, stdout=out)
            result["ok"] = True
        except CommandError:
            result["ok"] = False
        result["output"] = out.getvalue()[-2000:]
    else:
        raise SystemExit(f"unknown work {kind!r}")
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


def _job_tasks() -> dict[str, Any]:
    """The tasks of the jobs measured here, each taking the job's id, by the name the benchmark gives the work."""
    from audits.tasks import render_audit_report
    from qms.evidence.tasks import build_evidence_pack
    from qms.imports.tasks import check_import, run_import

    return {
        "render-report": render_audit_report,
        "build-pack": build_evidence_pack,
        "check-import": check_import,
        "run-import": run_import,
    }


def _run_in_worker(kind: str, job_pk: int) -> dict[str, Any]:
    """The job done by a real worker: a solo-pool worker on `reports`, started for it alone, runs the task in its own
    process, so that process's peak memory is the job's (with Celery's and Django's own, as in production)."""
    from django.conf import settings

    from qms.models import Job

    if not settings.CELERY_BROKER_URL:
        return _run_child(kind, str(job_pk))
    task = _job_tasks()[kind]
    command = [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo", "-Q", "reports", "-l", "warning"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "-n", f"bench-{os.getpid()}@%h"]
    logger.info("Sending %s of job %s to a worker on the reports queue", kind, job_pk)
    with open(os.devnull, "wb") as quiet:
        worker = subprocess.Popen(command, cwd=ROOT, stdout=quiet)
        try:
            task.delay(job_pk)
            deadline = time.monotonic() + 900
            job = Job.objects.get(pk=job_pk)
            while job.status not in (Job.Status.DONE, Job.Status.FAILED) and time.monotonic() < deadline:
                if worker.poll() is not None:
                    raise SystemExit(f"The worker stopped (exit {worker.returncode})")
                time.sleep(0.2)
                job.refresh_from_db()
            status = Path(f"/proc/{worker.pid}/status").read_text()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    if job.status != Job.Status.DONE or job.started_at is None or job.finished_at is None:
        raise SystemExit(f"The {kind} job did not finish: {job.status} {job.error}")
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return {
        "seconds": round((job.finished_at - job.started_at).total_seconds(), 2),
        "peak_mb": round(peak_kb / 1024, 1),
        "worker": "celery, solo pool, reports queue",
    }


def _run_child(kind: str, argument: str) -> dict[str, Any]:
    logger.info("Running %s %s in a child process", kind, argument)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "_work", kind, argument],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 2)  # with the interpreter's and Django's start
    return result


# --- Shared preparation -----------------------------------------------------------------------------------------


def _user(username: str, *roles: str, department: Any = None) -> Any:
    from django.contrib.auth.models import Group

    from qms.models import User

    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": username.split(".")[1].title(), "last_name": "Bench", "department": department},
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user


def _department(code: str, name: str) -> Any:
    from qms.models import Department

    return Department.objects.get_or_create(code=code, defaults={"name": name})[0]


def _jobs_not_queued() -> AbstractContextManager[Any]:
    """While a service asks for a job, the job is recorded but its task is not queued (`qms.jobs` hands every job's
    task to the outbox): the benchmark sends the task itself, to a worker it measures (`_run_in_worker`)."""
    from unittest import mock

    return mock.patch("qms.jobs.enqueue_on_commit")


# --- Audit report PDF -------------------------------------------------------------------------------------------

_NOTES = (
    "Interviewed the line lead and the shift supervisor on {order}. Sampled {n} batch records from the last "
    "quarter; each carried the release signature and the in-process checks.\n"
    "Observed the changeover at station {order}: the checklist was used and signed.\n"
    "Records: BR-{order:04d}-A to BR-{order:04d}-F, calibration log page {n}."
)
_QUESTION = (
    "Question {order}: how does the department make sure that {title} is planned, carried out and checked as the "
    "documented procedure requires? Which records show it for the last two quarters, and who reviews them?"
)


def _audit(scale: AuditScale) -> Any:
    """A closed audit across every clause with `scale.items` answered questions and `scale.findings` findings."""
    from django.utils import timezone

    from audits import services
    from audits.models import Audit, ChecklistItem, Finding
    from capa import services as capa_services
    from capa.models import Capa
    from qms.history import stamp
    from qms.models import Clause

    title = f"Heavy benchmark audit ({scale.tag}: {scale.items} questions, {scale.findings} findings)"
    audit = Audit.objects.filter(title=title).first()
    if audit is not None and audit.status == Audit.Status.CLOSED:
        return audit
    if audit is not None:
        raise SystemExit(f"{audit.reference} was left half-prepared ({audit.status}); drop the benchmark database")
    logger.info("Preparing the audit: %s questions, %s findings", scale.items, scale.findings)
    audited = _department("HB-PROD", "Heavy benchmark production")
    quality = _department("HB-QA", "Heavy benchmark quality")
    manager = _user("bench.quality.manager", "quality_manager", "employee", department=quality)
    lead = _user("bench.lead.auditor", "auditor", "employee", department=quality)
    co_auditor = _user("bench.co.auditor", "auditor", "employee", department=quality)
    auditee = _user("bench.auditee", "employee", department=audited)
    clauses = list(Clause.objects.order_by("sort_key")[: scale.clauses])
    today = timezone.localdate()
    with _jobs_not_queued():
        audit = services.audit_create(
            actor=manager,
            title=title,
            scope="Every process of the site against every clause of ISO 9001, all shifts, both filling lines.",
            clauses=clauses,
            lead_auditor=lead,
            team=[co_auditor],
            auditees=[auditee],
            department=audited,
            planned_start=today - timedelta(days=3),
            planned_end=today,
        )
        audit = services.audit_start(actor=lead, audit=audit)
        order = audit.checklist_items.count()
        while order < scale.items:
            order += 1
            clause = clauses[order % len(clauses)]
            item = ChecklistItem(
                audit=audit,
                clause=clause,
                question=_QUESTION.format(order=order, title=clause.title.lower()),
                order=order,
            )
            stamp(item, actor=lead, reason="Checklist question added")
            item.save()
        results = ["conforming"] * 6 + ["observation", "nonconforming", "not_applicable"]
        items = list(audit.checklist_items.order_by("order"))
        for item in items:
            services.checklist_answer(
                actor=lead,
                item=item,
                result=results[item.order % len(results)],
                notes=_NOTES.format(order=item.order, n=item.order % 17 + 3),
            )
        types = [Finding.Type.OBSERVATION, Finding.Type.OFI, Finding.Type.MINOR_NC, Finding.Type.OBSERVATION]
        nonconformities = []
        for number in range(scale.findings):
            item = items[(number * 7) % len(items)]
            finding = services.finding_create(
                actor=lead,
                audit=audit,
                type=types[number % len(types)],
                clause=item.clause or clauses[0],
                statement=(
                    f"Finding {number + 1}: at station {item.order} the record of the in-process check was "
                    "incomplete for two of the sampled batches; the operator knew the check but not where to log it."
                ),
                requirement=f"{item.clause.number if item.clause else ''} {item.question[:160]}",
                evidence="\n".join(
                    [
                        f"Batch record BR-{item.order:04d}-B, page 3: check not signed",
                        f"Batch record BR-{item.order:04d}-D, page 2: value missing",
                        "Interview with the operator on shift B",
                        f"Work instruction WI-{item.order:03d} rev 4, section 5.2",
                    ]
                ),
                checklist_item=item,
            )
            if finding.is_nonconformity:
                nonconformities.append(finding)
        for finding in nonconformities:
            capa_services.capa_create(
                actor=manager,
                title=f"Incomplete in-process records ({finding.reference})",
                source=Capa.Source.AUDIT_FINDING,
                problem=finding.statement,
                owner=lead,
                due_date=today + timedelta(days=60),
                clause=finding.clause,
                findings=[finding],
            )
        audit = services.audit_report_ready(
            actor=lead, audit=audit, conclusion="The system is effective, with the findings listed for follow-up."
        )
        audit = services.audit_close(actor=lead, audit=audit, password=PASSWORD)
    return audit


def _final_report_job(audit: Any) -> Any:
    """Ask for the audit's final report through the service, as closing does; an earlier run's report is removed
    first (a final report is made once, and the benchmark makes it again each run)."""
    from django.core.files.storage import default_storage

    from audits import services
    from audits.report import report_jobs

    for report in audit.reports.all():
        default_storage.delete(report.file.name)
        report.delete()
    for job in report_jobs(audit):
        if job.result_file:
            default_storage.delete(job.result_file.name)
        job.delete()
    lead = audit.lead_auditor
    with _jobs_not_queued():
        return services.audit_report_request(actor=lead, audit=audit, final=True)


def _pdf_pages(path: str) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def bench_audit_pdf(quick: bool) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from audits.models import AuditReport
    from qms.models import Job

    scale = AUDIT_SCALES["quick" if quick else "full"]
    audit = _audit(scale)
    job = _final_report_job(audit)
    work = _run_in_worker("render-report", job.pk)
    job.refresh_from_db()
    if job.status != Job.Status.DONE:
        raise SystemExit(f"The report job failed: {job.error}")
    report = AuditReport.objects.get(job=job)
    target = TARGETS["audit_pdf"]
    return {
        "audit_pdf": {
            "scale": scale.tag,
            "checklist_items": audit.checklist_items.count(),
            "findings": audit.findings.count(),
            "pages": _pdf_pages(default_storage.path(report.file.name)),
            "bytes": report.size,
            "seconds": work["seconds"],
            "peak_mb": work["peak_mb"],
            "measured_in": work.get("worker", "child process"),
            "target_seconds": target["seconds"],
            "target_peak_mb": target["peak_mb"],
            "met": work["seconds"] <= target["seconds"] and work["peak_mb"] <= target["peak_mb"],
        }
    }


# --- Evidence pack ----------------------------------------------------------------------------------------------


def scanned_pdf(size: int) -> bytes:
    """A valid one-page PDF of about `size` bytes, nearly all of it an uncompressed image of random pixels: as
    incompressible as a real scan."""
    width = 1024
    height = max(1, size // (width * 3))
    pixels = os.urandom(width * height * 3)
    content = f"q {width * 0.5:.0f} 0 0 {height * 0.5:.0f} 20 20 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Length %d >>\nstream\n" % (width, height, len(pixels)) + pixels + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _moments(year: int, count: int) -> Iterator[datetime]:
    """`count` instants spread over the working hours of the year."""
    start = datetime(year, 1, 2, 8, tzinfo=UTC)
    step = timedelta(days=360) / max(count, 1)
    for number in range(count):
        yield start + step * number


def _in_batches(model: Any, objects: list[Any], *, user: Any, reason: str) -> None:
    """Bulk insert with one history row each, dated at each record's own creation (a batch per month)."""
    from simple_history.utils import bulk_create_with_history

    by_month: dict[tuple[int, int], list[Any]] = {}
    for obj in objects:
        moment: datetime = getattr(obj, "created_at", None) or obj.reported_at
        by_month.setdefault((moment.year, moment.month), []).append(obj)
    for (year, month), batch in sorted(by_month.items()):
        bulk_create_with_history(
            batch,
            model,
            batch_size=1000,
            default_user=user,
            default_change_reason=reason,
            default_date=datetime(year, month, 28, 12, tzinfo=UTC),
        )


def _pack_data(scale: PackScale) -> Any:
    """Documents in force with their revision files, audits, findings, log entries, CAPAs, actions and ideas, all
    dated in `scale.year`. Returns the quality manager who asks for the pack."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from audits.models import Audit, AuditProgramme, Finding
    from capa.models import Capa, CapaAction, Nonconformity
    from documents.models import Document, DocumentType, Revision
    from improvement.models import Idea
    from qms.models import Clause

    tag = f"HB{scale.year % 100}"
    quality = _department("HB-QA", "Heavy benchmark quality")
    manager = _user("bench.quality.manager", "quality_manager", "employee", department=quality)
    lead = _user("bench.lead.auditor", "auditor", "employee", department=quality)
    clauses = [c for c in Clause.objects.order_by("sort_key") if c.number.split(".")[0] in set(map(str, range(4, 11)))]
    sop = DocumentType.objects.get(code="SOP")

    documents = list(Document.objects.filter(number__startswith=f"{tag}-"))
    if len(documents) < scale.documents:
        logger.info("Writing %s revision files of %s bytes", scale.documents, scale.file_bytes)
        if documents:
            raise SystemExit("The benchmark documents were left half-prepared; drop the benchmark database")
        moments = list(_moments(scale.year, scale.documents))
        retired_at = datetime(scale.year, 12, 31, 23, tzinfo=UTC)
        documents = [
            Document(
                number=f"{tag}-{number:04d}",
                document_type=sop,
                title=f"Scanned work instruction {number}",
                owner=manager,
                department=quality,
                status=Document.Status.OBSOLETE,
                created_at=moments[number - 1],
            )
            for number in range(1, scale.documents + 1)
        ]
        _in_batches(Document, documents, user=manager, reason="Document created")
        documents = list(Document.objects.filter(number__startswith=f"{tag}-").order_by("number"))
        for number, document in enumerate(documents):
            document.clauses.add(clauses[number % len(clauses)])
        revisions = []
        for document in documents:
            content = scanned_pdf(scale.file_bytes)
            stored = default_storage.save(f"revisions/bench/{document.number}.pdf", ContentFile(content))
            revisions.append(
                Revision(
                    document=document,
                    revision=1,
                    file=stored,
                    original_filename=f"{document.number}.pdf",
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    content_type="application/pdf",
                    change_summary="First issue",
                    author=manager,
                    status=Revision.Status.OBSOLETE,
                    created_at=document.created_at,
                    approved_at=document.created_at,
                    effective_at=document.created_at + timedelta(hours=1),
                    # In force for the rest of the year, then retired: the other scale's pack does not carry them.
                    ended_at=retired_at,
                    end_reason="Retired at the end of the benchmark year",
                )
            )
        _in_batches(Revision, revisions, user=manager, reason="Made effective")

    if not Audit.objects.filter(title=f"Heavy benchmark pack audit {tag} 1").exists():
        logger.info("Writing %s audits and %s findings", scale.audits, scale.findings)
        programme, _ = AuditProgramme.objects.get_or_create(year=scale.year)
        audits = [
            Audit(
                reference=f"IA-{tag}-{number:03d}",
                programme=programme,
                title=f"Heavy benchmark pack audit {tag} {number}",
                scope="Production and release",
                lead_auditor=lead,
                planned_start=date(scale.year, 1 + (number % 12), 10),
                planned_end=date(scale.year, 1 + (number % 12), 12),
                status=Audit.Status.REPORTING,
                conclusion="Effective.",
                created_at=datetime(scale.year, 1 + (number % 12), 1, 9, tzinfo=UTC),
            )
            for number in range(1, scale.audits + 1)
        ]
        _in_batches(Audit, audits, user=lead, reason="Audit planned")
        audits = list(Audit.objects.filter(reference__startswith=f"IA-{tag}-").order_by("reference"))
        for number, audit in enumerate(audits):
            audit.clauses.set(clauses[number::7])
        findings = [
            Finding(
                audit=audits[number % len(audits)],
                reference=f"{audits[number % len(audits)].reference}-F{number:04d}",
                type=[Finding.Type.OBSERVATION, Finding.Type.OFI, Finding.Type.MINOR_NC][number % 3],
                clause=clauses[number % len(clauses)],
                statement=f"Finding {number}: the record of the in-process check was incomplete.",
                requirement="Records of in-process checks are kept (8.5.1).",
                evidence=f"Batch record BR-{number:05d}",
                raised_by=lead,
                created_at=audits[number % len(audits)].created_at + timedelta(days=10),
            )
            for number in range(scale.findings)
        ]
        _in_batches(Finding, findings, user=lead, reason="Finding recorded")

    if not Nonconformity.objects.filter(reference__startswith=f"NC-{tag}").exists():
        logger.info("Writing %s log entries", scale.nonconformities)
        entries = [
            Nonconformity(
                reference=f"NC-{tag}{number:05d}",
                title=f"Label misprint on lot {number}",
                description="The lot number on the outer carton was unreadable.",
                location=f"Line {number % 4 + 1}",
                clause=clauses[number % len(clauses)],
                department=quality,
                status=Nonconformity.Status.CLOSED,
                disposition=Nonconformity.Disposition.REWORK,
                disposition_note="Relabelled and released.",
                reported_by=manager,
                reported_at=moment,
            )
            for number, moment in enumerate(_moments(scale.year, scale.nonconformities))
        ]
        _in_batches(Nonconformity, entries, user=manager, reason="Reported")

    if not Capa.objects.filter(reference__startswith=f"CAPA-{tag}").exists():
        logger.info("Writing %s CAPAs, %s actions", scale.capas, scale.actions)
        capas = [
            Capa(
                reference=f"CAPA-{tag}{number:05d}",
                title=f"Recurring label misprints ({number})",
                source=Capa.Source.INTERNAL,
                problem="Labels misprinted on three lots in a week.",
                owner=manager,
                clause=clauses[number % len(clauses)],
                due_date=moment.date() + timedelta(days=60),
                root_cause="The printer head was past its service life.",
                created_by=manager,
                created_at=moment,
            )
            for number, moment in enumerate(_moments(scale.year, scale.capas))
        ]
        _in_batches(Capa, capas, user=manager, reason="CAPA opened")
        capas = list(Capa.objects.filter(reference__startswith=f"CAPA-{tag}").order_by("reference"))
        actions = [
            CapaAction(
                capa=capas[number % len(capas)],
                number=number // len(capas) + 1,
                description="Replace the printer head and add it to the maintenance plan.",
                owner=manager,
                due_date=capas[number % len(capas)].due_date,
                created_by=manager,
                created_at=capas[number % len(capas)].created_at + timedelta(days=1),
            )
            for number in range(scale.actions)
        ]
        _in_batches(CapaAction, actions, user=manager, reason="Action planned")

    if not Idea.objects.filter(reference__startswith=f"IDEA-{tag}").exists():
        logger.info("Writing %s ideas", scale.ideas)
        ideas = [
            Idea(
                reference=f"IDEA-{tag}{number:05d}",
                title=f"Colour-coded bins at station {number}",
                problem="Rejected parts get mixed with good ones at the end of the shift.",
                proposal="Red bins for rejects, fixed to the bench.",
                submitter=lead,
                department=quality,
                created_at=moment,
                stage_changed_at=moment,
            )
            for number, moment in enumerate(_moments(scale.year, scale.ideas))
        ]
        _in_batches(Idea, ideas, user=lead, reason="Idea submitted")
    return manager


def _pack_job(manager: Any, scale: PackScale) -> tuple[Any, Any]:
    """Ask for the year's pack through the service; earlier benchmark packs' ZIPs leave storage first (1 GB each)."""
    from django.core.files.storage import default_storage

    from qms.evidence import services
    from qms.evidence.models import EvidencePack

    for old in EvidencePack.objects.filter(created_by=manager).exclude(file=""):
        default_storage.delete(old.file.name)
        EvidencePack.objects.filter(pk=old.pk).update(file="")  # the scratch database's bookkeeping, not history
    with _jobs_not_queued():
        return services.evidence_pack_request(
            actor=manager, period_start=date(scale.year, 1, 1), period_end=date(scale.year, 12, 31)
        )


def _pack_contents(path: str) -> dict[str, Any]:
    """What the pack holds: files listed in the manifest, register rows (records) and history rows."""
    import csv
    import io
    import zipfile

    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        records = history = 0
        for name in archive.namelist():
            if not name.startswith("registers/"):
                continue
            with archive.open(name) as handle:
                rows = sum(1 for _ in csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))) - 1
            if name == "registers/history.csv":
                history = rows
            else:
                records += rows
        files = [f for f in manifest["files"] if not f["path"].startswith("registers/")]
        return {
            "records": records,
            "history_rows": history,
            "files": len(files),
            "file_bytes": sum(f["size"] for f in files),
        }


def bench_evidence_pack(quick: bool) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from qms.models import Job

    scale = PACK_SCALES["quick" if quick else "full"]
    manager = _pack_data(scale)
    pack, job = _pack_job(manager, scale)
    work = _run_in_worker("build-pack", job.pk)
    job.refresh_from_db()
    pack.refresh_from_db()
    if job.status != Job.Status.DONE or not pack.file:
        raise SystemExit(f"The pack job failed: {job.error}")
    path = default_storage.path(pack.file.name)
    verify = _run_child("verify", path)
    if not verify["ok"]:
        raise SystemExit(f"verify_evidence_pack found differences:\n{verify['output']}")
    target = TARGETS["evidence_pack"]
    met = all(
        [
            work["seconds"] <= target["seconds"],
            work["peak_mb"] <= target["peak_mb"],
            verify["seconds"] <= target["seconds"],
            verify["peak_mb"] <= target["peak_mb"],
        ]
    )
    return {
        "evidence_pack": {
            "scale": scale.tag,
            **_pack_contents(path),
            "bytes": pack.size,
            "seconds": work["seconds"],
            "peak_mb": work["peak_mb"],
            "measured_in": work.get("worker", "child process"),
            "verify_seconds": verify["seconds"],
            "verify_wall_seconds": verify["wall_seconds"],
            "verify_peak_mb": verify["peak_mb"],
            "target_seconds": target["seconds"],
            "target_peak_mb": target["peak_mb"],
            "met": met,
        }
    }


# --- Document import --------------------------------------------------------------------------------------------

# The register's departments (code, name, folder of their files in the ZIP); each has five document owners.
_REGISTER_DEPARTMENTS = [
    ("IB-FILL", "Filling hall", "filling"),
    ("IB-QCLAB", "Quality control laboratory", "lab"),
    ("IB-MAINT", "Maintenance workshop", "maintenance"),
    ("IB-GOODS", "Goods-in warehouse", "warehouse"),
    ("IB-PURCH", "Purchasing office", "purchasing"),
    ("IB-PENG", "Process engineering office", "engineering"),
    ("IB-SAFE", "Occupational safety", "safety"),
    ("IB-HR", "Training and HR", "hr"),
]
_OWNER_NAMES = ["anna", "tom", "lena", "omar", "sofia"]
# As a plant's register runs: mostly work instructions and forms, fewer procedures and record templates, a few
# policies and manuals (a type listed twice is drawn twice as often).
_REGISTER_TYPES = ["WI", "WI", "WI", "FRM", "FRM", "SOP", "SOP", "REC", "POL", "MAN"]
_SUBJECTS = [
    "Changeover of filling line {n}",
    "Cleaning the mixing tank {n}",
    "Calibrating balance {n}",
    "Receiving raw material lot {n}",
    "Preventive maintenance of press {n}",
    "Sampling plan for product family {n}",
    "Handling customer complaint category {n}",
    "Training record for station {n}",
    "Supplier evaluation round {n}",
    "Lockout and tagout at station {n}",
    "Deviation handling in area {n}",
    "Label control for line {n}",
]


@dataclass(frozen=True)
class _RegisterRow:
    type_code: str
    title: str
    department: tuple[str, str, str] | None  # one of `_REGISTER_DEPARTMENTS`; a tenth of the rows name none
    owner: str
    file: str


def _register_row(index: int) -> _RegisterRow:
    """Row `index` (from 1) of the register, the same in every run, so the ZIP prepared once serves them all."""
    type_code = _REGISTER_TYPES[index % len(_REGISTER_TYPES)]
    title = _SUBJECTS[index % len(_SUBJECTS)].format(n=index % 97 + 1)
    department = _REGISTER_DEPARTMENTS[index % len(_REGISTER_DEPARTMENTS)] if index % 10 else None
    owning = department or _REGISTER_DEPARTMENTS[0]
    owner = f"bench.{_OWNER_NAMES[index % len(_OWNER_NAMES)]}.{owning[2]}"
    folder = department[2] if department else "general"
    return _RegisterRow(
        type_code=type_code,
        title=title,
        department=department,
        owner=owner,
        file=f"{folder}/{type_code}/{index:05d} {title}.pdf",
    )


def _register_people() -> None:
    """The departments and document owners the register names (the import looks them up; it creates none)."""
    for code, name, folder in _REGISTER_DEPARTMENTS:
        department = _department(code, name)
        for first_name in _OWNER_NAMES:
            _user(f"bench.{first_name}.{folder}", "employee", department=department)


def _register_zip(scale: ImportScale) -> Path:
    """The ZIP of the register's files, one scanned PDF per row, stored uncompressed as scans are: prepared once."""
    path = IMPORT_DATA / scale.tag / "files.zip"
    if path.exists():
        return path
    logger.info("Writing a ZIP of %s files of %s bytes", scale.rows, scale.file_bytes)
    path.parent.mkdir(parents=True, exist_ok=True)
    unfinished = path.with_suffix(".partial")
    with zipfile.ZipFile(unfinished, "w", zipfile.ZIP_STORED) as archive:
        for index in range(1, scale.rows + 1):
            archive.writestr(_register_row(index).file, scanned_pdf(scale.file_bytes))
    unfinished.replace(path)  # a preparation stopped half-way leaves no ZIP that looks finished
    return path


def _master_list(scale: ImportScale, run_number: int) -> bytes:
    """The master list of `scale.rows` rows in the import's own format, under numbers no earlier run used: the type's
    code, the run's four digits and the row's five (WI-000300042), which the import's number rule accepts."""
    from django.utils import timezone

    from qms.imports.documents import COLUMNS
    from qms.models import Clause

    chapters = set(map(str, range(4, 11)))
    clauses = [c.number for c in Clause.objects.order_by("sort_key") if c.number.split(".")[0] in chapters]
    today = timezone.localdate()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for index in range(1, scale.rows + 1):
        row = _register_row(index)
        cited = dict.fromkeys(clauses[(index * 7 + step * 13) % len(clauses)] for step in range(index % 4))
        department = row.department
        writer.writerow(
            [
                f"{row.type_code}-{run_number:04d}{index:05d}",
                row.title,
                row.type_code,
                row.owner,
                "" if department is None else (department[0] if index % 3 else department[1]),
                "; ".join(cited),
                1 + index % 9,
                (today - timedelta(days=1 + index * 37 % 3650)).isoformat(),
                ["", "12", "24", "36"][index % 4],
                "" if index % 5 else "Anna Berg; Tom Lee",
                row.file,
            ]
        )
    return out.getvalue().encode()


def _forget_earlier_uploads(manager: Any) -> None:
    """Earlier runs' stored copies of the ZIP leave storage (1 GB each at full scale); their documents stay."""
    from django.core.files.storage import default_storage

    from qms.imports.models import ImportRun

    for old in ImportRun.objects.filter(created_by=manager).exclude(archive=""):
        default_storage.delete(old.archive.name)
        ImportRun.objects.filter(pk=old.pk).update(archive="")  # the scratch database's bookkeeping, not history


def _import_figures(scale: ImportScale, manager: Any) -> dict[str, Any]:
    """Upload the list and the ZIP through the service, then have a worker check them and another import them."""
    from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

    from documents.models import Revision
    from qms import sequences
    from qms.imports import services
    from qms.imports.models import ImportRun

    archive_path = _register_zip(scale)
    _forget_earlier_uploads(manager)
    run_number = sequences.next_value("bench:document-import")
    if run_number > 9999:
        raise SystemExit("The document numbers of 9,999 runs are used up; drop the benchmark database")
    master_name = f"register-{scale.tag}-{run_number:04d}.csv"
    master = SimpleUploadedFile(master_name, _master_list(scale, run_number), "text/csv")
    logger.info("Uploading %s and a ZIP of %s bytes", master_name, archive_path.stat().st_size)
    started = time.perf_counter()
    # The ZIP is read from its open file in chunks, as Django hands a large upload over from its temporary file.
    with archive_path.open("rb") as handle, _jobs_not_queued():
        archive = UploadedFile(
            handle, name="files.zip", content_type="application/zip", size=archive_path.stat().st_size
        )
        record = services.import_upload(actor=manager, kind=ImportRun.Kind.DOCUMENTS, master=master, archive=archive)
    upload_seconds = round(time.perf_counter() - started, 2)

    check = _run_in_worker("check-import", _job_of(record))
    record.refresh_from_db()
    if not record.can_import or record.report["created"] != scale.rows:
        wrong = [row for row in record.report.get("rows", []) if row["outcome"] != "create"][:5]
        raise SystemExit(
            f"The check did not find {scale.rows} rows to create: {record.report.get('file_errors')} {wrong}"
        )
    with _jobs_not_queued():
        record = services.import_start(actor=manager, run=record)
    imported = _run_in_worker("run-import", _job_of(record))
    record.refresh_from_db()
    created = Revision.objects.filter(imported_from__startswith=f"{master_name}, line ").count()
    if record.status != ImportRun.Status.IMPORTED or created != scale.rows:
        raise SystemExit(f"The import wrote {created} of {scale.rows} documents ({record.status})")
    return {
        "rows": scale.rows,
        "zip_bytes": archive_path.stat().st_size,
        "upload_seconds": upload_seconds,
        "check_seconds": check["seconds"],
        "check_peak_mb": check["peak_mb"],
        "check_rows_per_second": round(scale.rows / check["seconds"]),
        "import_seconds": imported["seconds"],
        "import_peak_mb": imported["peak_mb"],
        "import_rows_per_second": round(scale.rows / imported["seconds"]),
        "measured_in": imported.get("worker", "child process"),
    }


def _job_of(record: Any) -> int:
    """The id of the job an import run's service has just asked for (its check, then its import)."""
    if record.job_id is None:
        raise SystemExit(f"Import run {record.pk} has no job")
    return int(record.job_id)


def bench_document_import(quick: bool) -> dict[str, Any]:
    """The check and the import of the register at 1,000 rows and (full) at 10,000: memory flat means the larger
    list's jobs peak no higher than the smaller's, give or take the ratio of the target."""
    scales = [IMPORT_SCALES["quick"]] if quick else [IMPORT_SCALES["quick"], IMPORT_SCALES["full"]]
    quality = _department("HB-QA", "Heavy benchmark quality")
    manager = _user("bench.quality.manager", "quality_manager", "employee", department=quality)
    _register_people()
    runs = [_import_figures(scale, manager) for scale in scales]
    smallest, largest = runs[0], runs[-1]
    target = TARGETS["document_import"]
    peak_mb = max(largest["check_peak_mb"], largest["import_peak_mb"])
    ratios = None
    if len(runs) > 1:
        ratios = {job: round(largest[f"{job}_peak_mb"] / smallest[f"{job}_peak_mb"], 2) for job in ("check", "import")}
    return {
        "document_import": {
            "scale": "quick" if quick else "full",
            "runs": runs,
            "peak_mb": peak_mb,
            "peak_ratio": ratios,
            "target_peak_mb": target["peak_mb"],
            "target_peak_ratio": target["peak_ratio"],
            "met": peak_mb <= target["peak_mb"] and all(r <= target["peak_ratio"] for r in (ratios or {}).values()),
        }
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["_work"]:
        _work(argv[1], argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    benchmarks = {
        "audit-pdf": bench_audit_pdf,
        "evidence-pack": bench_evidence_pack,
        "document-import": bench_document_import,
    }
    parser.add_argument("benchmark", choices=list(benchmarks))
    parser.add_argument(
        "--quick",
        action="store_true",
        help="6 pages; 1,000 records and 50 MB of files; 1,000 rows to import (the full run imports 1,000 and 10,000)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    import django

    django.setup()
    started = time.perf_counter()
    result = benchmarks[args.benchmark](args.quick)
    logger.info("Done in %.1f s (preparation included)", time.perf_counter() - started)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
