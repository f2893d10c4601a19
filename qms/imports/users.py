"""Importing people: a list of accounts (one row per person) with their department and roles; and exporting them.

Each new row becomes an account through `qms.services.user_create`, without a password: the person is invited by email
to choose one, and the invitation leaves through the outbox once the import has committed (none for a run that fails).
A row marked not active (someone who has left, whom older records still name) comes in deactivated and uninvited.
A department the list names that is not here yet is created, once, through `qms.services.department_save`. A row whose
username already has an account is skipped, and the report says where that account differs from the row: the import
creates people, it does not edit them (that is done on the person's page, with a reason kept in their history). So a
list can be run again after fixing the rows that were wrong, and nobody is invited twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from qms.imports.cells import Progress, departments_by_name, split_list
from qms.imports.report import Report, RowReport
from qms.imports.tables import Row, TableError, export_row, read_table
from qms.models import Department, User
from qms.roles import Role
from qms.selectors import users_with_roles
from qms.services import department_save, user_create

# In the order of the template: who, how to reach them, where they work and what they may do.
COLUMNS = ["username", "first_name", "last_name", "email", "department", "roles", "job_title", "active"]
REQUIRED = ["username", "email"]
OPTIONAL = [column for column in COLUMNS if column not in REQUIRED]

_USERNAME_LENGTH = User._meta.get_field("username").max_length or 150
_EMAIL_LENGTH = User._meta.get_field("email").max_length or 254
_TEXT_LENGTHS = {
    "first_name": ("first name", User._meta.get_field("first_name").max_length or 150),
    "last_name": ("last name", User._meta.get_field("last_name").max_length or 150),
    "job_title": ("job title", User._meta.get_field("job_title").max_length or 100),
}
_DEPARTMENT_NAME_LENGTH = Department._meta.get_field("name").max_length or 100
_CODE_LENGTH = Department._meta.get_field("code").max_length or 20
# A role as the product stores it (quality_manager) or as it shows it (Quality manager), in any case.
_ROLES = {value: value for value in Role.values} | {label.lower(): value for value, label in Role.choices}
# Whether the person still works here; an empty cell is yes.
_ACTIVE = {"": True, "yes": True, "y": True, "true": True, "1": True, "active": True}
_ACTIVE |= {"no": False, "n": False, "false": False, "0": False, "inactive": False, "deactivated": False}


@dataclass
class _Planned:
    report: RowReport
    fields: dict[str, Any]  # user_create's arguments, but for the department
    department: Department | None  # not saved yet when the import creates it (shared by every row that names it)


@dataclass
class _Seen:
    """What earlier rows of the same list claimed, to name the line a duplicate repeats."""

    usernames: dict[str, int] = field(default_factory=dict)
    emails: dict[str, int] = field(default_factory=dict)


def check_users(master: bytes, *, actor: User, progress: Progress | None = None) -> Report:
    """The dry run: what importing this list would do, line by line. Writes nothing."""
    report, _ = _check(master, progress=progress)
    return report


def import_users(master: bytes, *, actor: User, source: str, progress: Progress | None = None) -> Report:
    """Check the list again and, if nothing is wrong, create every new account (and department) in one transaction:
    all or nothing. Each new person is invited by email once the transaction commits.

    `source` names the list in each new record's history (a file name). Returns the report; when it is not `ok`
    nothing was written."""
    report_progress = progress or (lambda percent, message: None)
    with transaction.atomic():
        report, planned = _check(master, progress=report_progress)
        if not report.ok:
            return report
        for done, plan in enumerate(planned, start=1):
            origin = f"Imported from {source}, line {plan.report.line}"
            department = plan.department
            if department is not None and department.pk is None:
                department_save(actor=actor, department=department, reason=origin)
            user = user_create(actor=actor, password=None, department=department, reason=origin, **plan.fields)
            report_progress(50 + 49 * done // len(planned), f"Imported {user.username}")
    return report


def export_users(*, actor: User) -> Iterator[list[str]]:
    """Every account, deactivated ones too (older records name them), as this import reads it: the header, then a row
    per person. Passwords and sign-in times stay here; imported elsewhere, each active person is invited afresh."""
    yield COLUMNS
    for user in users_with_roles().order_by("username").iterator(chunk_size=500):
        roles = "; ".join(sorted(group.name for group in user.role_groups))  # type: ignore[attr-defined]
        department = user.department.name if user.department else ""
        names = [user.username, user.first_name, user.last_name, user.email, department, roles, user.job_title]
        yield export_row([*names, "yes" if user.is_active else "no"])


def template_csv() -> str:
    """The list's header and two example rows, for people to fill in."""
    rows = [
        COLUMNS,
        ["anna.berg", "Anna", "Berg", "anna.berg@example.com", "Quality", "Quality manager; employee", "QA lead", ""],
        ["tom.lee", "Tom", "Lee", "tom.lee@example.com", "Production", "employee", "Machine operator", "yes"],
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
    seen = _Seen()
    planned = []
    for index, row in enumerate(table.rows, start=1):
        row_report, plan = _check_row(row, lookups, seen)
        report.rows.append(row_report)
        if plan is not None and row_report.outcome == "create":
            planned.append(plan)
        if progress is not None and index % 25 == 0:
            progress(50 * index // len(table.rows), f"Checked {index:,} of {len(table.rows):,} rows")
    if not table.rows:
        report.file_errors.append("The list has no rows under its header.")
    return report, planned


@dataclass
class _Lookups:
    """Every account and department a row may name, read once for the whole list (a 10,000-row list asks the database
    three times). Departments the list creates join them as they are planned, so later rows find them."""

    accounts: dict[str, User]  # by username, lowercase: "J.Smith" and "j.smith" would be one person to everyone
    emails: dict[str, User]  # by email, lowercase
    departments: dict[str, Department]  # by name or code, lowercase; inactive ones too, to say so

    @classmethod
    def load(cls) -> _Lookups:
        accounts: dict[str, User] = {}
        emails: dict[str, User] = {}
        for user in users_with_roles():
            accounts[user.username.lower()] = user
            if user.email:
                emails.setdefault(user.email.lower(), user)
        return cls(accounts=accounts, emails=emails, departments=departments_by_name(Department.objects.all()))

    def plan_department(self, name: str) -> Department:
        """A new department, not saved yet, with a code made from its name that no department has as code or name."""
        stem = slugify(name).upper()[:_CODE_LENGTH].strip("-") or "DEPT"
        code, number = stem, 1
        while code.lower() in self.departments:
            number += 1
            code = f"{stem[: _CODE_LENGTH - len(str(number)) - 1].rstrip('-')}-{number}"
        department = Department(name=name, code=code)
        self.departments[name.lower()] = department
        self.departments[code.lower()] = department
        return department


def _check_row(row: Row, lookups: _Lookups, seen: _Seen) -> tuple[RowReport, _Planned | None]:
    values = row.values
    username = values["username"]
    email = User.objects.normalize_email(values["email"])
    result = RowReport(line=row.line, key=username or "(no username)", outcome="create")
    errors = result.messages
    if row.problem:
        errors.append(row.problem)
    if not username:
        errors.append("The username is missing.")
    elif len(username) > _USERNAME_LENGTH:
        errors.append(f"The username is longer than {_USERNAME_LENGTH} characters.")
    elif not _passes(User.username_validator, username):
        errors.append(f"The username {username!r} may hold only letters, digits and @ . + - _ (no spaces).")
    elif username.lower() in seen.usernames:
        errors.append(f"The username {username} is also on line {seen.usernames[username.lower()]}.")
    else:
        seen.usernames[username.lower()] = row.line
    if not email:
        errors.append("The email is missing.")
    elif len(email) > _EMAIL_LENGTH or not _passes(validate_email, email):
        errors.append(f"The email {email!r} is not an email address.")
    elif email.lower() in seen.emails:
        errors.append(f"The email {email} is also on line {seen.emails[email.lower()]}.")
    else:
        seen.emails[email.lower()] = row.line
    for column, (label, length) in _TEXT_LENGTHS.items():
        if len(values.get(column, "")) > length:
            errors.append(f"The {label} is longer than {length} characters.")
    roles, unknown = _roles(values.get("roles", ""))
    if unknown:
        errors.append(
            f"Unknown role{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"(the roles are {', '.join(Role.values)}, or their names)."
        )
    active = _ACTIVE.get(values.get("active", "").lower())
    if active is None:
        errors.append(f"Is {values['active']!r} active? Write yes or no (empty is yes).")
    department_name = values.get("department", "")
    department = lookups.departments.get(department_name.lower()) if department_name else None

    account = lookups.accounts.get(username.lower()) if username else None
    if account is not None:
        # Judged against what is here, not what a new account needs: a list exported from here comes back as skips,
        # even for a person since deactivated or a department since closed.
        if not errors:
            result.outcome = "skip"
            errors.append(
                _already_here(account, email=email, department=department, named=department_name, roles=roles)
            )
        else:
            result.outcome = "error"
        return result, None

    other = lookups.emails.get(email.lower()) if email else None
    if other is not None:
        errors.append(f"The email {email} is already used by the account {other.username}.")
    if department is not None and not department.is_active:
        errors.append(f"The department {department.name} is no longer active.")
    elif department_name and department is None and len(department_name) > _DEPARTMENT_NAME_LENGTH:
        errors.append(f"The department's name is longer than {_DEPARTMENT_NAME_LENGTH} characters.")
    if errors:
        result.outcome = "error"
        return result, None
    if department_name and department is None:
        # Only a row that will be imported plans it, so the message is on a row that is read as good.
        department = lookups.plan_department(department_name)
        errors.append(f"Creates department {department.name} (code {department.code}).")
    if not active:
        errors.append("Comes in deactivated, and is not invited.")
    fields = {
        "username": username,
        "email": email,
        "roles": sorted(set(roles)),
        "first_name": values.get("first_name", ""),
        "last_name": values.get("last_name", ""),
        "job_title": values.get("job_title", ""),
        "active": active,
    }
    return result, _Planned(report=result, fields=fields, department=department)


def _roles(cell: str) -> tuple[list[str], list[str]]:
    """The roles a cell names, and the words in it that name none. A role's name may hold a space ("Quality manager")
    and spaces also separate roles, so the longest run of words that names a role is taken first."""
    words = split_list(cell)
    roles: list[str] = []
    unknown: list[str] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            role = _ROLES.get(" ".join(words[start:end]).lower())
            if role is not None:
                roles.append(role)
                start = end
                break
        else:
            unknown.append(words[start])
            start += 1
    return roles, unknown


def _already_here(account: User, *, email: str, department: Department | None, named: str, roles: list[str]) -> str:
    differences = []
    if account.email.lower() != email.lower():
        differences.append(f"email {account.email or 'none'} here, {email} in the list")
    if department != account.department or (named and department is None):
        differences.append(f"department {account.department or 'none'} here, {named or 'none'} in the list")
    held = sorted(group.name for group in account.role_groups)  # type: ignore[attr-defined]  # users_with_roles
    if held != sorted(set(roles)):
        differences.append(
            f"roles {', '.join(held) or 'none'} here, {', '.join(sorted(set(roles))) or 'none'} in the list"
        )
    message = f"{account.username} already has an account{'' if account.is_active else ' (deactivated)'}"
    if not differences:
        return f"{message}; it is left as it is."
    return f"{message}, which the import does not change: {'; '.join(differences)}. Change it on the person's page."


def _passes(validator: Callable[[str], None], value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True
