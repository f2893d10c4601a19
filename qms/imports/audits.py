"""Importing the audit programme: a list of the audits planned for the year (one row per audit), from an earlier
system or a spreadsheet.

Each row becomes an audit in `planned`, through `audits.services.audit_import`: numbered in the programme of its
year like any audit planned here (IA-2026-004), with its checklist drafted from its clauses, under the same rules
(the lead auditor and the team hold the auditor role, and none of them audits their own department: such a row is an
error). The reference the row gives is the audit's in the earlier system; it is kept on the audit, and a row whose
reference an earlier import brought in is skipped, whatever its other cells say now (the import plans audits, it does
not re-plan them). So a list can be run again after fixing the rows that were wrong.

The export writes the audits still planned here in the same list, under their reference here: the programme ahead, as
another system (or this import) reads it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from audits.models import Audit
from audits.services import IMPORTED_REFERENCE_LENGTH, audit_import, check_team
from qms.errors import DomainError
from qms.imports.cells import Progress, departments_by_name, open_record_row, people_by_name, read_date, split_list
from qms.imports.report import Report, RowReport
from qms.imports.tables import Row, TableError, export_row, read_table
from qms.models import Clause, Department, User
from qms.selectors import users_with_roles

# In the order of the template: which audit, what is audited against what, by whom, with whom, when.
COLUMNS = ["reference", "title", "scope", "department", "clauses", "lead_auditor", "team", "auditees"]
COLUMNS += ["planned_start", "planned_end"]
REQUIRED = ["reference", "title", "scope", "clauses", "lead_auditor", "planned_start", "planned_end"]
OPTIONAL = [column for column in COLUMNS if column not in REQUIRED]

_TITLE_LENGTH = Audit._meta.get_field("title").max_length or 200


@dataclass
class _Planned:
    report: RowReport
    fields: dict[str, Any]  # audit_import's arguments, but for the actor and the origin


def check_audits(master: bytes, *, actor: User, progress: Progress | None = None) -> Report:
    """The dry run: what importing this programme would do, line by line. Writes nothing."""
    report, _ = _check(master, progress=progress)
    return report


def import_audits(master: bytes, *, actor: User, source: str, progress: Progress | None = None) -> Report:
    """Check the list again and, if nothing is wrong, plan every new audit in one transaction: all or nothing.

    `source` names the list in each new audit's history (a file name). Returns the report, each imported row saying
    the reference the audit got here; when it is not `ok` nothing was written."""
    report_progress = progress or (lambda percent, message: None)
    with transaction.atomic():
        report, planned = _check(master, progress=report_progress)
        if not report.ok:
            return report
        for done, plan in enumerate(planned, start=1):
            audit = audit_import(actor=actor, origin=f"{source}, line {plan.report.line}", **plan.fields)
            plan.report.messages.append(f"Imported as {audit.reference}.")
            report_progress(50 + 49 * done // len(planned), f"Imported {audit.reference}")
    return report


def export_audits(*, actor: User) -> Iterator[list[str]]:
    """The audits `actor` sees that are still planned, as this import reads them: the header, then a row per audit."""
    yield COLUMNS
    audits = (
        Audit.objects.visible_to(actor)
        .filter(status=Audit.Status.PLANNED)
        .select_related("department", "lead_auditor")
        .prefetch_related("clauses", "team", "auditees")
        .order_by("planned_start", "reference")
    )
    for audit in audits.iterator(chunk_size=500):
        yield export_row(
            [
                audit.reference,
                audit.title,
                audit.scope,
                audit.department.name if audit.department else "",
                "; ".join(clause.number for clause in audit.clauses.all()),
                audit.lead_auditor.username,
                "; ".join(sorted(person.username for person in audit.team.all())),
                "; ".join(sorted(person.username for person in audit.auditees.all())),
                audit.planned_start,
                audit.planned_end,
            ]
        )


def template_csv() -> str:
    """The list's header and two example rows of next year's programme, for people to fill in (the people they name
    are examples)."""
    year = timezone.localdate().year + 1
    production = ["Production control", "Filling lines 1 and 2, all shifts", "Production", "8.5.1; 8.7"]
    purchasing = ["Purchasing", "Supplier approval and monitoring", "Purchasing", "8.4"]
    rows = [
        COLUMNS,
        [f"AP-{year}-01", *production, "priya.nair", "co.auditor", "line.lead", f"{year}-03-10", f"{year}-03-11"],
        [f"AP-{year}-02", *purchasing, "priya.nair", "", "", f"12.05.{year}", f"12.05.{year}"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


# --- The check --------------------------------------------------------------------------------------------------------


def _check(master: bytes, *, progress: Progress | None = None) -> tuple[Report, list[_Planned]]:
    report = Report()
    try:
        table = read_table(master, required=REQUIRED, optional=OPTIONAL)
    except TableError as error:
        report.file_errors.append(f"The list: {error}")
        return report, []
    report.notes += table.notes
    lookups = _Lookups.load()
    first_line_of: dict[str, int] = {}
    today = timezone.localdate()
    planned = []
    for index, row in enumerate(table.rows, start=1):
        row_report, plan = _check_row(row, lookups, first_line_of, today)
        report.rows.append(row_report)
        if plan is not None:
            planned.append(plan)
        if progress is not None and index % 25 == 0:
            progress(50 * index // len(table.rows), f"Checked {index:,} of {len(table.rows):,} rows")
    if not table.rows:
        report.file_errors.append("The list has no rows under its header.")
    return report, planned


@dataclass
class _Lookups:
    """Everything a row may name, read once for the whole list (a 5,000-row programme asks the database five times)."""

    people: dict[str, User]  # active ones, by username and by email, lowercase; their roles loaded
    departments: dict[str, Department]  # active ones, by name and by code, lowercase
    clauses: dict[str, Clause]
    imported: dict[str, str]  # earlier reference, lowercase → the audit's reference here

    @classmethod
    def load(cls) -> _Lookups:
        imported = Audit.objects.exclude(imported_reference="").values_list("imported_reference", "reference")
        return cls(
            # With their roles, so that the auditors' rule is checked row by row without asking again.
            people=people_by_name(users_with_roles().filter(is_active=True)),
            departments=departments_by_name(Department.objects.filter(is_active=True)),
            clauses={clause.number: clause for clause in Clause.objects.all()},
            imported={earlier.lower(): reference for earlier, reference in imported},
        )

    def person(self, cell: str, label: str, errors: list[str]) -> User | None:
        person = self.people.get(cell.lower())
        if person is None:
            errors.append(f"Unknown {label} {cell!r} (a username or email of an active person).")
        return person


def _check_row(
    row: Row, lookups: _Lookups, first_line_of: dict[str, int], today: date
) -> tuple[RowReport, _Planned | None]:
    values = row.values
    result, key = open_record_row(row, first_line_of, max_length=IMPORTED_REFERENCE_LENGTH)
    errors = result.messages
    if key in lookups.imported and not errors:
        result.outcome = "skip"
        errors.append(f"Imported before as {lookups.imported[key]}; it is left as it is.")
        return result, None

    title = values["title"]
    if not title:
        errors.append("The title is missing.")
    elif len(title) > _TITLE_LENGTH:
        errors.append(f"The title is longer than {_TITLE_LENGTH} characters.")
    if not values["scope"]:
        errors.append("The scope is missing.")
    department = None
    if values.get("department"):
        department = lookups.departments.get(values["department"].lower())
        if department is None:
            errors.append(f"Unknown department {values['department']!r} (the name or code of an active one).")
    clauses = []
    for number in split_list(values["clauses"]):
        clause = lookups.clauses.get(number)
        if clause is None:
            errors.append(f"Unknown ISO 9001 clause {number!r}.")
        else:
            clauses.append(clause)
    if not values["clauses"]:
        errors.append("Name at least one clause to audit against.")
    lead = None
    if not values["lead_auditor"]:
        errors.append("The lead auditor is missing.")
    else:
        lead = lookups.person(values["lead_auditor"], "lead auditor", errors)
    team = _people(lookups, values.get("team", ""), "team member", errors)
    auditees = _people(lookups, values.get("auditees", ""), "auditee", errors)
    if lead is not None:
        try:
            check_team(lead_auditor=lead, team=team, department=department)
        except DomainError as refusal:  # an auditor of the audited department, or someone who is no auditor
            errors.append(refusal.message)
    start = _date(values["planned_start"], "planned start", errors)
    end = _date(values["planned_end"], "planned end", errors)
    if start is not None and end is not None and end < start:
        errors.append("The planned end is before the planned start.")
    if errors or start is None or end is None:
        result.outcome = "error"
        return result, None
    if end < today:
        errors.append(f"Its planned end, {end}, is past: it comes in overdue.")
    fields = {
        "imported_reference": values["reference"],
        "title": title,
        "scope": values["scope"],
        "department": department,
        "clauses": clauses,
        "lead_auditor": lead,
        "team": team,
        "auditees": auditees,
        "planned_start": start,
        "planned_end": end,
    }
    return result, _Planned(report=result, fields=fields)


def _people(lookups: _Lookups, cell: str, label: str, errors: list[str]) -> list[User]:
    found = [lookups.person(name, label, errors) for name in split_list(cell)]
    return [person for person in found if person is not None]


def _date(cell: str, label: str, errors: list[str]) -> date | None:
    if not cell:
        errors.append(f"The {label} is missing.")
        return None
    day = read_date(cell)
    if day is None:
        errors.append(f"The {label} {cell!r} is not a date (use YYYY-MM-DD).")
    return day
