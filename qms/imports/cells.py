"""What every kind of import reads the same way, so a list filled in for one import is filled in alike for the next:
cells that hold several values, dates, choices, people and departments, an open record's earlier reference, and how
an import reports how far it has got."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from qms.imports.report import RowReport
from qms.imports.tables import Row

if TYPE_CHECKING:
    from qms.models import Department, User

# A percentage and a line saying what the import is doing (the job's progress, or the command's output).
Progress = Callable[[int, str], None]

# Spreadsheets and people separate a cell's values every which way: "7.5.3; 8.5.1", "auditor, employee", "A | B".
_LIST_SEPARATORS = re.compile(r"[;,|\s]+")


def split_list(cell: str) -> list[str]:
    """The values of a cell that holds several, separated by semicolons, commas, bars or spaces."""
    return [value for value in _LIST_SEPARATORS.split(cell) if value]


# ISO, as exports write dates, and day.month.year, as much of Europe types them. Never 03/04/2025: it reads both ways.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def read_date(cell: str) -> date | None:
    """The date a cell holds in one of `DATE_FORMATS`; None when it holds none."""
    for format in DATE_FORMATS:
        try:
            return datetime.strptime(cell, format).date()
        except ValueError:
            continue
    return None


def choices_by_name(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each choice's value by the ways a list names it, lowercase: its value (`customer_complaint`), the value with
    spaces (`customer complaint`) or its label (`Customer complaint`). Look a cell up with `.get(cell.lower())`."""
    names: dict[str, str] = {}
    for value, label in choices:
        for name in (value, value.replace("_", " "), label):
            names.setdefault(name.lower(), value)
    return names


def people_by_name(people: Iterable[User]) -> dict[str, User]:
    """People by the two ways a list names them, lowercase: username, or email (a username wins over an email)."""
    by_name: dict[str, User] = {}
    for person in people:
        by_name[person.username.lower()] = person
        if person.email:
            by_name.setdefault(person.email.lower(), person)
    return by_name


def departments_by_name(departments: Iterable[Department]) -> dict[str, Department]:
    """Departments by name or code, lowercase (a name wins over a code)."""
    by_name: dict[str, Department] = {}
    for department in departments:
        by_name[department.name.lower()] = department
        by_name.setdefault(department.code.lower(), department)
    return by_name


def open_record_row(row: Row, first_line_of: dict[str, int], *, max_length: int) -> tuple[RowReport, str]:
    """The report of a row of open records (audits, CAPAs, ideas), with what is wrong with its `reference`, the one it
    had in the earlier system; and the key that reference is known by: lowercase, "" when the row cannot be known by it
    (missing, too long, or already on `first_line_of` an earlier line, which then keeps it)."""
    reference = row.values["reference"]
    report = RowReport(line=row.line, key=reference or "(no reference)", outcome="create")
    if row.problem:
        report.messages.append(row.problem)
    key = reference.lower()
    if not reference:
        report.messages.append("The reference is missing.")
    elif len(reference) > max_length:
        report.messages.append(f"The reference is longer than {max_length} characters.")
        key = ""
    elif key in first_line_of:
        report.messages.append(f"The reference {reference} is also on line {first_line_of[key]}.")
        key = ""
    else:
        first_line_of[key] = row.line
    return report, key
