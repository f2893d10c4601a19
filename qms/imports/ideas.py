"""Importing the idea backlog: a list of the improvement ideas still open in an earlier system (one row per idea).

Each row becomes an idea at the stage the list gives, through `improvement.services.idea_import`: numbered here
(IDEA-0032), its earlier reference kept on the record. It may come in at any open stage (submitted, accepted, plan,
do, check, act) or parked, carrying what the moves to that stage ask for here, so that it goes on like any other: a
champion from accepted on; Plan's metric and baseline from Do on, Do's trial from Check on, Check's measured result
in Act; a reason when parked. `Idea.blockers_to_start_in` says what is missing, in the words of the idea page. A row
without a submitter comes in anonymous. Ideas standardized or rejected there stay there: their lines say so. A row
whose reference an earlier import brought in is skipped, whatever its other cells say now (the import brings ideas
in, it does not move them on), so a list can be run again after fixing the rows that were wrong.

The export writes the ideas still open here, and the parked ones, in the same list under their reference here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from improvement.models import Idea
from improvement.services import IMPORTED_REFERENCE_LENGTH, idea_import
from qms.imports.cells import Progress, choices_by_name, departments_by_name, open_record_row, people_by_name, read_date
from qms.imports.report import Report, RowReport
from qms.imports.tables import Row, TableError, export_row, read_table
from qms.models import Department, User

# In the order of the template: which idea, what it says, whose, where it stands, and the notes its stage needs.
COLUMNS = ["reference", "title", "problem", "proposal", "expected_benefit", "category", "department", "submitter"]
COLUMNS += ["submitted_on", "stage", "champion", "target_metric", "baseline", "target", "do_notes", "measured_result"]
COLUMNS += ["parked_reason"]
REQUIRED = ["reference", "title", "proposal"]
OPTIONAL = [column for column in COLUMNS if column not in REQUIRED]

_TITLE_LENGTH = Idea._meta.get_field("title").max_length or 200
# The PDCA notes the list may carry, with the names the report gives them; each fits its field.
_NOTES = {
    "target_metric": "target metric",
    "baseline": "baseline",
    "target": "target",
    "do_notes": "do notes",
    "measured_result": "measured result",
}
_NOTE_LENGTHS = {column: getattr(Idea._meta.get_field(column), "max_length", None) for column in _NOTES}
_CATEGORIES = choices_by_name(Idea.Category.choices)
_STAGES = choices_by_name(Idea.Stage.choices)


@dataclass
class _Planned:
    report: RowReport
    fields: dict[str, Any]  # idea_import's arguments, but for the actor and the origin


def check_ideas(master: bytes, *, actor: User, progress: Progress | None = None) -> Report:
    """The dry run: what importing this backlog would do, line by line. Writes nothing."""
    report, _ = _check(master, progress=progress)
    return report


def import_ideas(master: bytes, *, actor: User, source: str, progress: Progress | None = None) -> Report:
    """Check the list again and, if nothing is wrong, bring in every new idea in one transaction: all or nothing.

    `source` names the list in each new idea's history (a file name). Returns the report, each imported row saying
    the reference the idea got here; when it is not `ok` nothing was written."""
    report_progress = progress or (lambda percent, message: None)
    with transaction.atomic():
        report, planned = _check(master, progress=report_progress)
        if not report.ok:
            return report
        for done, plan in enumerate(planned, start=1):
            idea = idea_import(actor=actor, origin=f"{source}, line {plan.report.line}", **plan.fields)
            plan.report.messages.append(f"Imported as {idea.reference}.")
            report_progress(50 + 49 * done // len(planned), f"Imported {idea.reference}")
    return report


def export_ideas(*, actor: User) -> Iterator[list[str]]:
    """The open and parked ideas `actor` sees, as this import reads them: the header, then a row per idea. An anonymous
    idea has no submitter here, so none there either."""
    yield COLUMNS
    ideas = (
        Idea.objects.visible_to(actor)
        .filter(stage__in=Idea.IMPORTABLE)
        .select_related("department", "submitter", "champion")
        .order_by("reference")
    )
    for idea in ideas.iterator(chunk_size=500):
        values = {
            "reference": idea.reference,
            "title": idea.title,
            "problem": idea.problem,
            "proposal": idea.proposal,
            "expected_benefit": idea.expected_benefit,
            "category": idea.category,
            "department": idea.department.name if idea.department else "",
            "submitter": idea.submitter.username if idea.submitter else "",
            "submitted_on": timezone.localdate(idea.created_at),
            "stage": idea.stage,
            "champion": idea.champion.username if idea.champion else "",
            "parked_reason": idea.decision_reason if idea.stage == Idea.Stage.PARKED else "",
        }
        values |= {column: getattr(idea, column) for column in _NOTES}
        yield export_row(values[column] for column in COLUMNS)


def template_csv() -> str:
    """The list's header and three example rows, for people to fill in (the people they name are examples): one
    waiting for a decision, one in Do with its plan, one parked."""
    examples = [
        {
            "reference": "S-114",
            "title": "Colour-coded hold labels",
            "problem": "Rejected pallets look like released ones.",
            "proposal": "Print hold labels on red paper.",
            "expected_benefit": "No mix-ups",
            "category": "quality",
            "submitter": "tom.lee",
            "submitted_on": "2025-11-03",
            "stage": "submitted",
        },
        {
            "reference": "S-097",
            "title": "Scanner at goods-in",
            "problem": "Delivery notes are typed in by hand.",
            "proposal": "Scan the supplier's barcode.",
            "category": "time",
            "submitted_on": "14.06.2025",
            "stage": "do",
            "champion": "anna.berg",
            "target_metric": "Minutes per delivery",
            "baseline": "12",
            "target": "4",
        },
        {
            "reference": "S-088",
            "title": "Solar panels on the roof",
            "problem": "Power bills rise.",
            "proposal": "Fit panels on the south roof.",
            "category": "cost",
            "stage": "parked",
            "parked_reason": "Waits for the roof repair next year.",
        },
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(examples)
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
    planned = []
    for index, row in enumerate(table.rows, start=1):
        row_report, plan = _check_row(row, lookups, first_line_of)
        report.rows.append(row_report)
        if plan is not None:
            planned.append(plan)
        if progress is not None and index % 25 == 0:
            progress(50 * index // len(table.rows), f"Checked {index:,} of {len(table.rows):,} rows")
    decided = [row.line for row in report.rows if row.outcome == "skip" and row.messages[0].endswith(_ONLY_OPEN)]
    if decided:
        # Said as a note too: the command counts skipped rows as "already there", which these are not.
        report.notes.append(
            f"{len(decided)} idea(s) standardized or rejected in the earlier system are not imported "
            f"(line{'s' if len(decided) > 1 else ''} {', '.join(map(str, decided))})."
        )
    if not table.rows:
        report.file_errors.append("The list has no rows under its header.")
    return report, planned


@dataclass
class _Lookups:
    """Everything a row may name, read once for the whole list (a 5,000-row backlog asks the database three times)."""

    # Everyone, for a submitter: people who have left submitted ideas too; only active people champion one.
    people: dict[str, User]
    departments: dict[str, Department]  # active ones, by name or code, lowercase
    imported: dict[str, str]  # the earlier reference of each idea imported before, lowercase → its reference here

    @classmethod
    def load(cls) -> _Lookups:
        imported = Idea.objects.exclude(imported_reference="").values_list("imported_reference", "reference")
        return cls(
            people=people_by_name(User.objects.all()),
            departments=departments_by_name(Department.objects.filter(is_active=True)),
            imported={earlier.lower(): reference for earlier, reference in imported},
        )


_ONLY_OPEN = "only open and parked ideas are imported."


def _check_row(row: Row, lookups: _Lookups, first_line_of: dict[str, int]) -> tuple[RowReport, _Planned | None]:
    values = row.values
    result, key = open_record_row(row, first_line_of, max_length=IMPORTED_REFERENCE_LENGTH)
    errors = result.messages
    if key in lookups.imported and not errors:
        result.outcome = "skip"
        errors.append(f"Imported before as {lookups.imported[key]}; it is left as it is.")
        return result, None
    stage = _STAGES.get((values.get("stage") or Idea.Stage.SUBMITTED).lower())
    if stage in {Idea.Stage.STANDARDIZED, Idea.Stage.REJECTED}:
        # Not judged further: it stays in the earlier system whatever its other cells say.
        result.outcome = "error" if errors else "skip"
        if not errors:
            errors.append(f"{Idea.Stage(stage).label} in the earlier system: {_ONLY_OPEN}")
        return result, None
    if stage is None:
        errors.append(
            f"Unknown stage {values['stage']!r} ({', '.join(Idea.IMPORTABLE)}; standardized and rejected ideas are "
            "not imported)."
        )

    title = values["title"]
    if not title:
        errors.append("The title is missing.")
    elif len(title) > _TITLE_LENGTH:
        errors.append(f"The title is longer than {_TITLE_LENGTH} characters.")
    if not values["proposal"]:
        errors.append("The proposal is missing.")
    category = _CATEGORIES.get((values.get("category") or Idea.Category.QUALITY).lower())
    if category is None:
        errors.append(f"Unknown category {values['category']!r} ({', '.join(Idea.Category.values)}, or their names).")
    department = None
    if values.get("department"):
        department = lookups.departments.get(values["department"].lower())
        if department is None:
            errors.append(f"Unknown department {values['department']!r} (the name or code of an active one).")
    submitter = None
    if values.get("submitter"):
        submitter = lookups.people.get(values["submitter"].lower())
        if submitter is None:
            errors.append(f"Unknown submitter {values['submitter']!r} (a username or email; none for anonymous).")
    champion = None
    if values.get("champion"):
        champion = lookups.people.get(values["champion"].lower())
        if champion is None or not champion.is_active:
            errors.append(f"Unknown champion {values['champion']!r} (a username or email of an active person).")
            champion = None
    submitted_on = None
    if values.get("submitted_on"):
        submitted_on = read_date(values["submitted_on"])
        if submitted_on is None:
            errors.append(f"The submission date {values['submitted_on']!r} is not a date (use YYYY-MM-DD).")
        elif submitted_on > timezone.localdate():
            errors.append(f"The submission date {submitted_on} is later than today.")
    notes = {column: values.get(column, "") for column in _NOTES}
    for column, text in notes.items():
        length = _NOTE_LENGTHS[column]
        if length is not None and len(text) > length:
            errors.append(f"The {_NOTES[column]} is longer than {length} characters.")
    parked_reason = values.get("parked_reason", "")
    if stage is not None:
        # What the stage asks for, in the model's words (the idea page shows the same).
        errors += Idea(champion=champion, decision_reason=parked_reason, **notes).blockers_to_start_in(stage)
        if parked_reason and stage != Idea.Stage.PARKED:
            errors.append("Only a parked idea has a reason for being parked.")
    if errors:
        result.outcome = "error"
        return result, None
    if submitter is None:
        errors.append("No submitter: it comes in anonymous.")
    fields = {
        "imported_reference": values["reference"],
        "title": title,
        "problem": values.get("problem", ""),
        "proposal": values["proposal"],
        "expected_benefit": values.get("expected_benefit", ""),
        "category": category,
        "department": department,
        "submitter": submitter,
        "submitted_on": submitted_on,
        "stage": stage,
        "champion": champion,
        "decision_reason": parked_reason,
        **notes,
    }
    return result, _Planned(report=result, fields=fields)
