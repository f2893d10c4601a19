"""Importing open CAPAs from an earlier system: a list of CAPAs (one row per CAPA) and, if they have any, a list of
their actions (one row per action, naming its CAPA by the reference the earlier system gave it).

Two lists, because that is how a CAPA register is kept in a spreadsheet: a sheet of CAPAs and a sheet of actions,
each saved as CSV, a row being one record. One list with repeated action columns (action_1_owner, action_2_owner …)
would cap the actions a CAPA may have and make every row as wide as the busiest CAPA; one row per action repeating
its CAPA's columns would let two rows say different things about the same CAPA.

Each CAPA still open there comes in through `capa.services.capa_import`, in the state it has (open, investigating,
implementing or verifying) with its actions (open or done), numbered here from our sequence (CAPA-0013) and keeping
its earlier reference on the record. It must hold what each step to that state needs here (one in implementing its
root-cause analysis and an action, one in verifying only done actions), or its line says what is missing. CAPAs
closed or cancelled there are not imported, nor are cancelled actions: their lines say so. A CAPA an earlier import
brought in is recognised by its earlier reference and skipped with its actions, so the lists can be run again after
fixing the rows that were wrong.

The report has the rows of both lists, each with the line it has in its own list; a row of the actions list is keyed
"<CAPA reference> action <n>", n being the number the action gets (A1, A2 … in the order of the list).

The export writes the CAPAs still open here in the same two lists, under their number here, with their open and done
actions, their analysis and, for one in verifying, its effectiveness check still to do.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from capa.models import Capa, CapaAction, CauseCategory, EffectivenessCheck, Severity, Source
from capa.services import IMPORTED_REFERENCE_LENGTH, ImportedAction, capa_import, clean_analysis
from qms.errors import DomainError
from qms.imports.cells import Progress, choices_by_name, departments_by_name, open_record_row, people_by_name, read_date
from qms.imports.report import Report, RowReport
from qms.imports.tables import Row, Table, TableError, export_row, read_table
from qms.models import Clause, Department, User

# In the order of the template: which CAPA, what it is about, whose and by when, how far it has got, and its cause.
COLUMNS = ["reference", "title", "kind", "source", "severity", "problem", "containment", "owner", "department"]
COLUMNS += ["clause", "due_date", "status", "opened_on", "root_cause", "cause_category", "root_cause_method"]
COLUMNS += ["root_cause_analysis", "effectiveness_check_date", "effectiveness_criteria"]
REQUIRED = ["reference", "title", "source", "problem", "owner", "due_date"]
OPTIONAL = [column for column in COLUMNS if column not in REQUIRED]

ACTION_COLUMNS = ["capa_reference", "description", "owner", "due_date", "status", "done_date", "evidence"]
ACTION_REQUIRED = ["capa_reference", "description", "owner", "due_date"]
ACTION_OPTIONAL = [column for column in ACTION_COLUMNS if column not in ACTION_REQUIRED]

_TITLE_LENGTH = Capa._meta.get_field("title").max_length or 200
_KINDS = choices_by_name(Capa.Kind.choices)
_SOURCES = choices_by_name(Source.choices)
_SEVERITIES = choices_by_name(Severity.choices)
_STATUSES = choices_by_name(Capa.Status.choices)
_ACTION_STATUSES = choices_by_name(CapaAction.Status.choices)
_CATEGORIES = choices_by_name(CauseCategory.choices)
_METHODS = choices_by_name(Capa.Method.choices)
# The steps of a 5 Whys, or the bones of a fishbone, each on a line of its own within the cell or separated by bars.
_PARTS = re.compile(r"\s*[\n|]\s*")


@dataclass
class _PlannedAction:
    report: RowReport
    status: str
    fields: dict[str, Any]  # ImportedAction's, but for its origin


@dataclass
class _Planned:
    report: RowReport
    fields: dict[str, Any]  # capa_import's arguments, but for the origin and the actions
    actions: list[_PlannedAction] = field(default_factory=list)


def check_capas(
    master: bytes, actions: bytes | None = None, *, actor: User, progress: Progress | None = None
) -> Report:
    """The dry run: what importing this list of CAPAs (and of their actions) would do, line by line. Writes nothing."""
    report, _ = _check(master, actions, progress=progress)
    return report


def import_capas(
    master: bytes,
    actions: bytes | None = None,
    *,
    actor: User,
    source: str,
    actions_source: str = "",
    progress: Progress | None = None,
) -> Report:
    """Check the lists again and, if nothing is wrong, bring in every new CAPA with its actions in one transaction:
    all or nothing.

    `source` and `actions_source` name the lists (file names) in each new record's history. Returns the report, each
    imported CAPA's line saying the number it got here; when the report is not `ok` nothing was written."""
    report_progress = progress or (lambda percent, message: None)
    actions_origin = actions_source or f"the actions list of {source}"
    with transaction.atomic():
        report, planned = _check(master, actions, progress=report_progress)
        if not report.ok:
            return report
        for done, plan in enumerate(planned, start=1):
            capa = capa_import(
                actor=actor,
                origin=f"{source}, line {plan.report.line}",
                actions=[
                    ImportedAction(origin=f"{actions_origin}, line {action.report.line}", **action.fields)
                    for action in plan.actions
                ],
                **plan.fields,
            )
            plan.report.messages.append(f"Imported as {capa.reference}.")
            report_progress(50 + 49 * done // len(planned), f"Imported {capa.reference}")
    return report


def export_capas(*, actor: User) -> Iterator[list[str]]:
    """The open CAPAs `actor` sees, as this import reads them: the header, then a row per CAPA."""
    yield COLUMNS
    pending = EffectivenessCheck.objects.filter(result="").order_by("-planned_date", "-pk")
    capas = (
        _open_capas(actor)
        .select_related("owner", "department", "clause")
        .prefetch_related(Prefetch("effectiveness_checks", queryset=pending, to_attr="pending_checks"))
    )
    for capa in capas.iterator(chunk_size=500):
        check = capa.pending_checks[0] if capa.status == Capa.Status.VERIFYING and capa.pending_checks else None
        yield export_row(
            [
                capa.reference,
                capa.title,
                capa.kind,
                capa.source,
                capa.severity,
                capa.problem,
                capa.containment,
                capa.owner.username,
                capa.department.name if capa.department else "",
                capa.clause.number if capa.clause else "",
                capa.due_date,
                capa.status,
                timezone.localdate(capa.created_at),
                capa.root_cause,
                capa.cause_category,
                capa.root_cause_method,
                _analysis_cell(capa.root_cause_method, capa.root_cause_analysis),
                check.planned_date if check else None,
                check.criteria if check else "",
            ]
        )


def export_capa_actions(*, actor: User) -> Iterator[list[str]]:
    """The open and done actions of the CAPAs `export_capas` writes: the header, then a row per action in the order of
    their numbers (a cancelled one is not imported, so not written)."""
    yield ACTION_COLUMNS
    actions = (
        CapaAction.objects.filter(
            capa__in=_open_capas(actor), status__in=[CapaAction.Status.OPEN, CapaAction.Status.DONE]
        )
        .select_related("capa", "owner")
        .order_by("capa__reference", "number")
    )
    for action in actions.iterator(chunk_size=500):
        yield export_row(
            [
                action.capa.reference,
                action.description,
                action.owner.username,
                action.due_date,
                action.status,
                timezone.localdate(action.completed_at) if action.completed_at else None,
                action.evidence,
            ]
        )


def _open_capas(actor: User) -> Any:
    return Capa.objects.visible_to(actor).filter(status__in=Capa.IMPORTABLE).order_by("reference")


def template_csv(*, owner: str) -> str:
    """The list of CAPAs: its header and two example rows, for people to fill in (`owner` owns them)."""
    examples = [
        {
            "reference": "QA-2025-031",
            "title": "Rejected bottles stored with released stock",
            "kind": "corrective",
            "source": "internal",
            "severity": "high",
            "problem": "Pallet 14 of rejected bottles stood in the released area.",
            "containment": "Pallet 14 quarantined",
            "clause": "10.2",
            "due_date": "2026-06-30",
            "status": "investigating",
            "opened_on": "2025-11-03",
        },
        {
            "reference": "QA-2025-004",
            "title": "Scales calibrated late",
            "source": "Process deviation",
            "problem": "Two filling scales ran 3 weeks past their calibration date.",
            "containment": "Both scales recalibrated",
            "clause": "7.1.5",
            "due_date": "2026-03-31",
            "status": "implementing",
            "opened_on": "2025-09-10",
            "root_cause": "Calibration due dates are kept in a paper diary nobody checks.",
            "cause_category": "method",
            "root_cause_method": "5 Whys",
            "root_cause_analysis": "Why were the scales calibrated late? The due date was missed. | "
            "Why was it missed? It is kept in a paper diary nobody checks.",
        },
    ]
    return _csv(COLUMNS, [{**example, "owner": owner} for example in examples])


def actions_template_csv(*, owner: str) -> str:
    """The list of actions of the template's CAPAs: its header and example rows (`owner` owns them)."""
    examples = [
        {
            "capa_reference": "QA-2025-004",
            "description": "Move calibration due dates into the maintenance planner",
            "due_date": "2025-12-15",
            "status": "done",
            "done_date": "2025-10-20",
            "evidence": "Planner entries for all 12 scales",
        },
        {
            "capa_reference": "QA-2025-004",
            "description": "Show the shift leads the planner's calibration list",
            "due_date": "2026-02-15",
            "status": "open",
        },
    ]
    return _csv(ACTION_COLUMNS, [{**example, "owner": owner} for example in examples])


def _csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return out.getvalue()


# --- The check --------------------------------------------------------------------------------------------------------


def _check(master: bytes, actions: bytes | None, *, progress: Progress | None) -> tuple[Report, list[_Planned]]:
    report = Report()
    tables: list[Table] = []
    for data, name, required, optional in [
        (master, "The CAPA list", REQUIRED, OPTIONAL),
        (actions, "The actions list", ACTION_REQUIRED, ACTION_OPTIONAL),
    ]:
        if data is None:
            continue
        try:
            tables.append(read_table(data, required=required, optional=optional))
        except TableError as error:
            report.file_errors.append(f"{name}: {error}")
    if report.file_errors:
        return report, []
    for name, table in zip(["The CAPA list", "The actions list"], tables, strict=False):
        report.notes += [f"{name}: {note}" for note in table.notes]
    capa_rows = tables[0].rows
    action_rows = tables[1].rows if len(tables) > 1 else []
    lookups = _Lookups.load()
    total = len(capa_rows) + len(action_rows)
    # Every CAPA of the list by its reference (lowercase): its plan, or why its actions are not imported either.
    capas: dict[str, _Planned | str] = {}
    first_line_of: dict[str, int] = {}
    for index, row in enumerate(capa_rows, start=1):
        report.rows.append(_check_capa_row(row, lookups, capas, first_line_of))
        _report_progress(progress, index, total)
    for index, row in enumerate(action_rows, start=len(capa_rows) + 1):
        report.rows.append(_check_action_row(row, lookups, capas))
        _report_progress(progress, index, total)
    planned = [plan for plan in capas.values() if isinstance(plan, _Planned)]
    for plan in planned:
        _check_state(plan)
    not_open = [
        row.line
        for row in report.rows[: len(capa_rows)]
        if row.outcome == "skip" and row.messages[0].endswith(_ONLY_OPEN)
    ]
    if not_open:
        report.notes.append(
            f"{len(not_open)} CAPA(s) closed or cancelled in the earlier system are not imported, nor their actions "
            f"(line{'s' if len(not_open) > 1 else ''} {', '.join(map(str, not_open))} of the CAPA list)."
        )
    if not capa_rows:
        report.file_errors.append("The CAPA list has no rows under its header.")
    return report, [plan for plan in planned if plan.report.outcome == "create"]


def _report_progress(progress: Progress | None, index: int, total: int) -> None:
    if progress is not None and index % 25 == 0:
        progress(50 * index // total, f"Checked {index:,} of {total:,} rows")


@dataclass
class _Lookups:
    """Everything a row may name, read once for the whole list (a 10,000-row list asks the database four times)."""

    people: dict[str, User]  # active people, by username or email, lowercase
    departments: dict[str, Department]  # active ones, by name or code, lowercase
    clauses: dict[str, Clause]
    imported: dict[str, str]  # the earlier reference of each CAPA imported before, lowercase → its number here

    @classmethod
    def load(cls) -> _Lookups:
        imported = Capa.objects.exclude(imported_reference="").values_list("imported_reference", "reference")
        return cls(
            people=people_by_name(User.objects.filter(is_active=True)),
            departments=departments_by_name(Department.objects.filter(is_active=True)),
            clauses={clause.number: clause for clause in Clause.objects.all()},
            imported={earlier.lower(): reference for earlier, reference in imported},
        )

    def owner(self, cell: str, errors: list[str]) -> User | None:
        owner = self.people.get(cell.lower()) if cell else None
        if owner is None:
            errors.append(
                f"Unknown owner {cell!r} (a username or email of an active person)."
                if cell
                else "The owner is missing."
            )
        return owner


_ONLY_OPEN = "only open CAPAs are imported."


def _check_capa_row(
    row: Row, lookups: _Lookups, capas: dict[str, _Planned | str], first_line_of: dict[str, int]
) -> RowReport:
    values = row.values
    result, key = open_record_row(row, first_line_of, max_length=IMPORTED_REFERENCE_LENGTH)
    errors = result.messages
    if key in lookups.imported and not errors:
        result.outcome = "skip"
        errors.append(f"Imported before as {lookups.imported[key]}; it is left as it is.")
        capas[key] = f"Its CAPA was imported before as {lookups.imported[key]}, with its actions."
        return result
    status = _STATUSES.get((values.get("status") or Capa.Status.OPEN).lower())
    if status in Capa.ENDED:
        # Not judged further: it stays in the earlier system whatever its other cells say.
        result.outcome = "error" if errors else "skip"
        if not errors:
            ended = Capa.Status(status).label.lower()
            errors.append(f"{ended.capitalize()} in the earlier system: {_ONLY_OPEN}")
            capas[key] = f"Its CAPA is {ended} in the earlier system: not imported."
        return result
    if status not in Capa.IMPORTABLE:
        errors.append(
            f"Unknown status {values['status']!r} (open, investigating, implementing or verifying; closed and "
            "cancelled CAPAs are not imported)."
        )
    title = values["title"]
    if not title:
        errors.append("The title is missing.")
    elif len(title) > _TITLE_LENGTH:
        errors.append(f"The title is longer than {_TITLE_LENGTH} characters.")
    kind = _choice(values.get("kind", ""), _KINDS, errors, name="kind", default=Capa.Kind.CORRECTIVE)
    source = _choice(values["source"], _SOURCES, errors, name="source")
    severity = _choice(values.get("severity", ""), _SEVERITIES, errors, name="severity", default=Severity.MEDIUM)
    if not values["problem"]:
        errors.append("The problem statement is missing.")
    owner = lookups.owner(values["owner"], errors)
    department = None
    if values.get("department"):
        department = lookups.departments.get(values["department"].lower())
        if department is None:
            errors.append(f"Unknown department {values['department']!r} (the name or code of an active one).")
    clause = None
    if values.get("clause"):
        clause = lookups.clauses.get(values["clause"])
        if clause is None:
            errors.append(f"Unknown ISO 9001 clause {values['clause']!r}.")
    due_date = _date(values["due_date"], errors, name="due date", required=True)
    opened_on = _date(values.get("opened_on", ""), errors, name="opening date", past=True)
    cause_category = _choice(values.get("cause_category", ""), _CATEGORIES, errors, name="cause category", default="")
    method = _choice(values.get("root_cause_method", ""), _METHODS, errors, name="root-cause method", default="")
    analysis = _analysis(method, values.get("root_cause_analysis", ""), errors) if method is not None else []
    check_date = _date(values.get("effectiveness_check_date", ""), errors, name="effectiveness check date")
    criteria = values.get("effectiveness_criteria", "")
    if (check_date or criteria) and status in Capa.IMPORTABLE and status != Capa.Status.VERIFYING:
        errors.append(f"Only a CAPA in verifying has its effectiveness check planned; this one is {status}.")
    if errors:
        result.outcome = "error"
    if key:
        capas[key] = _Planned(
            report=result,
            fields={
                "imported_reference": values["reference"],
                "status": status,
                "title": title,
                "kind": kind,
                "source": source,
                "severity": severity,
                "problem": values["problem"],
                "containment": values.get("containment", ""),
                "owner": owner,
                "department": department,
                "clause": clause,
                "due_date": due_date,
                "opened_on": opened_on,
                "root_cause": values.get("root_cause", ""),
                "cause_category": cause_category,
                "root_cause_method": method,
                "root_cause_analysis": analysis,
                "check_date": check_date,
                "check_criteria": criteria,
            },
        )
    return result


def _check_action_row(row: Row, lookups: _Lookups, capas: dict[str, _Planned | str]) -> RowReport:
    values = row.values
    reference = values["capa_reference"]
    result = RowReport(line=row.line, key=f"{reference or '(no CAPA reference)'} action", outcome="create")
    errors = result.messages
    if row.problem:
        errors.append(row.problem)
    capa = capas.get(reference.lower()) if reference else None
    if not reference:
        errors.append("The CAPA reference is missing.")
    elif isinstance(capa, str) and not errors:
        result.outcome = "skip"
        errors.append(capa)
        return result
    elif capa is None:
        imported = lookups.imported.get(reference.lower())
        if imported is not None and not errors:
            # Its CAPA is not on this run's list, but came in before, with the actions its list had then.
            result.outcome = "skip"
            errors.append(f"Its CAPA was imported before as {imported}, with its actions.")
            return result
        errors.append(f"No CAPA {reference} in the CAPA list.")
    status = _ACTION_STATUSES.get((values.get("status") or CapaAction.Status.OPEN).lower())
    if status == CapaAction.Status.CANCELLED:
        result.outcome = "error" if errors else "skip"
        if not errors:
            errors.append("Cancelled in the earlier system: only open and done actions are imported.")
        return result
    if status not in {CapaAction.Status.OPEN, CapaAction.Status.DONE}:
        errors.append(f"Unknown status {values['status']!r} (open or done; cancelled actions are not imported).")
    if not values["description"]:
        errors.append("The description is missing.")
    owner = lookups.owner(values["owner"], errors)
    due_date = _date(values["due_date"], errors, name="due date", required=True)
    done_on = None
    evidence = values.get("evidence", "")
    if status == CapaAction.Status.DONE:
        done_on = _date(values.get("done_date", ""), errors, name="done date", required=True, past=True)
    elif values.get("done_date") or evidence:
        errors.append("An open action has no done date and no evidence; is it done?")
    if errors:
        result.outcome = "error"
    if isinstance(capa, _Planned) and status in {CapaAction.Status.OPEN, CapaAction.Status.DONE}:
        # Counted even when its row is wrong, so its CAPA is not also told it lacks an action.
        capa.actions.append(
            _PlannedAction(
                report=result,
                status=status,
                fields={
                    "description": values["description"],
                    "owner": owner,
                    "due_date": due_date,
                    "done_on": done_on,
                    "evidence": evidence,
                },
            )
        )
        result.key = f"{reference} action {len(capa.actions)}"
    return result


def _check_state(plan: _Planned) -> None:
    """What the CAPA lacks for the state it comes in with, in the words of the rules of `capa.models` (asked of records
    built here and never saved)."""
    fields = plan.fields
    if fields["status"] not in Capa.IMPORTABLE:
        return  # the status itself is reported wrong
    capa = Capa(
        reference=fields["imported_reference"],
        root_cause=fields["root_cause"],
        cause_category=fields["cause_category"] or "",
        root_cause_method=fields["root_cause_method"] or "",
        root_cause_analysis=fields["root_cause_analysis"] or [],
    )
    actions = [
        CapaAction(capa=capa, number=number, status=action.status)
        for number, action in enumerate(plan.actions, start=1)
    ]
    lacking = capa.blockers_to_start_in(fields["status"], actions)
    if lacking:
        plan.report.messages.append(
            f"To come in as {fields['status']} it needs what moving there needs here: {' '.join(lacking)}"
        )
        plan.report.outcome = "error"


def _choice(
    cell: str, names: dict[str, str], errors: list[str], *, name: str, default: str | None = None
) -> str | None:
    if not cell:
        if default is None:
            errors.append(f"The {name} is missing.")
        return default
    value = names.get(cell.lower())
    if value is None:
        known = ", ".join(dict.fromkeys(names.values()))
        errors.append(f"Unknown {name} {cell!r} ({known}, or their names).")
    return value


def _date(cell: str, errors: list[str], *, name: str, required: bool = False, past: bool = False) -> date | None:
    if not cell:
        if required:
            errors.append(f"The {name} is missing.")
        return None
    day = read_date(cell)
    if day is None:
        errors.append(f"The {name} {cell!r} is not a date (use YYYY-MM-DD).")
    elif past and day > timezone.localdate():
        errors.append(f"The {name} {day} is later than today.")
    return day


def _analysis_cell(method: str, analysis: Any) -> str:
    """An analysis written out as `_analysis` reads it: a part per line, each question ending at its question mark. (A
    bar within a text, or a semicolon within a fishbone's cause, would read back as two.)"""
    if method == Capa.Method.FIVE_WHYS:
        return "\n".join(f"{step['why'].rstrip('?')}? {step['because']}" for step in analysis)
    if method == Capa.Method.FISHBONE:
        return "\n".join(f"{category}: {'; '.join(causes)}" for category, causes in analysis.items())
    return ""


def _analysis(method: str, cell: str, errors: list[str]) -> Any:
    """The analysis a cell writes out, in the shape the CAPA keeps it. A 5 Whys is steps of "Why …? Because …", the
    question ending at its first question mark; a fishbone is bones of "category: cause; cause"."""
    parts = [part for part in _PARTS.split(cell) if part]
    analysis: Any = parts
    if method == Capa.Method.FIVE_WHYS:
        analysis = []
        for position, part in enumerate(parts, start=1):
            why, mark, because = part.partition("?")
            if not mark:
                errors.append(f"Why {position} of the analysis has no question mark to end its question.")
                return []
            analysis.append({"why": f"{why.strip()}?", "because": because.strip()})
    elif method == Capa.Method.FISHBONE:
        analysis = {}
        for part in parts:
            name, colon, causes = part.partition(":")
            category = _CATEGORIES.get(name.strip().lower())
            if not colon or category is None:
                errors.append(
                    f"The analysis's {part[:40]!r} does not start with a 6M category and a colon "
                    f"({', '.join(CauseCategory.values)})."
                )
                return {}
            analysis.setdefault(category, []).extend(cause.strip() for cause in causes.split(";"))
    try:
        return clean_analysis(method, analysis)
    except DomainError as error:
        errors.append(f"The root-cause analysis: {error.message}")
        return analysis
