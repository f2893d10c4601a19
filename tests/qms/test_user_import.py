"""Importing people from an earlier system (qms/imports/users.py): the dry run's report, line by line, on a messy list;
an all-or-nothing import that creates the departments the list names and invites each new person by email once; a
second run that skips everyone and sends nothing; the check of a 10,000-row list in a fixed number of queries."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from qms.imports import users as user_imports
from qms.imports.users import check_users, import_users, template_csv
from qms.models import Department, QueuedTask, User
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "username,first_name,last_name,email,department,roles,job_title"
INVITED = ["anna.berg@example.com", "li.wu@example.com", "sara.kim@example.com", "tom.lee@example.com"]


@pytest.fixture
def production(quality_manager: Any) -> Any:
    return DepartmentFactory(name="Production", code="PROD")


def _good_list() -> bytes:
    return "\n".join(
        [
            HEADER,
            'anna.berg,Anna,Berg,anna.berg@example.com,Logistics,"Quality manager; employee",Head of logistics',
            "tom.lee,Tom,Lee,tom.lee@EXAMPLE.com,prod,employee,Machine operator",
            "sara.kim,Sara,Kim,sara.kim@example.com,logistics,AUDITOR | External auditor,",
            "li.wu,Li,Wu,li.wu@example.com,,,",
        ]
    ).encode()


def _roles(username: str) -> list[str]:
    return User.objects.get(username=username).roles


def test_a_clean_list_creates_departments_and_people_each_invited_by_email_once(
    quality_manager: Any, production: Any, django_capture_on_commit_callbacks: Any
) -> None:
    departments_before = Department.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_users(_good_list(), actor=quality_manager, source="people.csv")
    assert report.ok and (report.count("create"), report.count("skip")) == (4, 0), report.as_dict()
    # The department is created once, by the first row that names it; the row says so.
    assert report.rows[0].messages == ["Creates department Logistics (code LOGISTICS)."]
    assert [row.messages for row in report.rows[1:]] == [[], [], []]
    logistics = Department.objects.get(name="Logistics")
    assert (logistics.code, logistics.is_active) == ("LOGISTICS", True)
    assert Department.objects.count() == departments_before + 1

    anna = User.objects.get(username="anna.berg")
    assert (anna.first_name, anna.last_name, anna.job_title, anna.department) == (
        "Anna",
        "Berg",
        "Head of logistics",
        logistics,
    )
    assert _roles("anna.berg") == ["employee", "quality_manager"]
    tom = User.objects.get(username="tom.lee")
    assert (tom.email, tom.department) == ("tom.lee@example.com", production)  # the domain of an address is lowercase
    assert _roles("sara.kim") == ["auditor", "external_auditor"]
    assert User.objects.get(username="sara.kim").department == logistics
    li = User.objects.get(username="li.wu")
    assert (li.department, _roles("li.wu")) == (None, [])
    assert not any(User.objects.get(username=name).has_usable_password() for name in ["anna.berg", "li.wu"])

    # Who created them, and from which line of which list, is in each record's history.
    created = anna.history.earliest()
    assert (created.history_user, created.history_change_reason) == (
        quality_manager,
        "Imported from people.csv, line 2",
    )
    assert logistics.history.get().history_change_reason == "Imported from people.csv, line 2"

    assert sorted(recipient for message in mail.outbox for recipient in message.to) == INVITED
    assert all("/accounts/reset/" in message.body for message in mail.outbox)
    assert not QueuedTask.objects.exists()  # every invitation was handed over, none left for the sweep

    with django_capture_on_commit_callbacks(execute=True):
        again = import_users(_good_list(), actor=quality_manager, source="people.csv")
    assert again.ok and (again.count("create"), again.count("skip")) == (0, 4)
    assert again.rows[0].messages == ["anna.berg already has an account; it is left as it is."]
    assert len(mail.outbox) == 4
    assert User.objects.filter(username__in=["anna.berg", "tom.lee", "sara.kim", "li.wu"]).count() == 4
    assert Department.objects.count() == departments_before + 1


def test_an_account_already_here_is_skipped_and_where_it_differs_is_named_not_changed(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    closed = DepartmentFactory(name="Closed", code="OLD", is_active=False)
    UserFactory(username="gone", email="gone@example.com", department=closed, roles=["employee"], is_active=False)
    department = employee.department
    master = "\n".join(
        [
            HEADER,
            "Plain.Employee,,,someone.else@example.com,Production,auditor employee,",
            "gone,,,gone@example.com,Closed,employee,",  # as exported: a deactivated person of a closed department
        ]
    ).encode()
    report = check_users(master, actor=quality_manager)
    assert report.ok and report.count("skip") == 2, report.as_dict()
    assert report.rows[0].messages == [
        "plain.employee already has an account, which the import does not change: email plain.employee@example.com "
        f"here, someone.else@example.com in the list; department {department.name} here, Production in the list; "
        "roles employee here, auditor, employee in the list. Change it on the person's page."
    ]
    assert report.rows[1].messages == ["gone already has an account (deactivated); it is left as it is."]

    import_users(master, actor=quality_manager, source="people.csv")
    employee.refresh_from_db()
    assert (employee.email, employee.department) == ("plain.employee@example.com", department)
    assert _roles("plain.employee") == ["employee"]


def test_the_dry_run_reports_every_problem_by_line_and_writes_nothing(quality_manager: Any, employee: Any) -> None:
    DepartmentFactory(name="Closed", code="OLD", is_active=False)
    rows = [
        "Username;First name;Last name;Email;Department;Roles;Job title",  # semicolons and headers as people type them
        "j.mueller;Jürgen;Müller;j.mueller@example.com;Qualität;employee;Prüfer",
        "bad name;;;bad.name@example.com;;;",
        ";No;Username;nobody@example.com;;;",
        f"{'x' * 151};;;long@example.com;;;",
        "no.address;;;not-an-email;;;",
        "J.Mueller;;;another@example.com;;;",
        "second.mueller;;;J.Mueller@example.com;;;",
        "taken.address;;;plain.employee@example.com;;;",
        "wizard;;;wizard@example.com;;employee, wizard;",
        "closed;;;closed@example.com;closed;;",
        "un.quoted;Ann;Lee; Jr;un.quoted@example.com;;;Operator",
        "no.email;;;;;;",
    ]
    master = "\r\n".join(rows).encode("cp1252")  # Windows-1252, as Excel saves "CSV" there
    users_before, departments_before = User.objects.count(), Department.objects.count()

    report = check_users(master, actor=quality_manager)

    assert not report.ok and report.file_errors == []
    assert report.notes == ["The file is not UTF-8; it was read as Windows-1252 (Western European)."]
    by_line = {row.line: (row.outcome, " ".join(row.messages)) for row in report.rows}
    assert by_line[2] == ("create", "Creates department Qualität (code QUALITAT).")
    expected = {
        3: "The username 'bad name' may hold only letters, digits and @ . + - _ (no spaces).",
        4: "The username is missing.",
        5: "The username is longer than 150 characters.",
        6: "The email 'not-an-email' is not an email address.",
        7: "The username J.Mueller is also on line 2.",
        8: "The email J.Mueller@example.com is also on line 2.",
        9: "The email plain.employee@example.com is already used by the account plain.employee.",
        10: "Unknown role 'wizard' (the roles are quality_manager, auditor, employee, external_auditor, or their "
        "names).",
        11: "The department Closed is no longer active.",
        12: "The row has more cells than there are columns; is a semicolon inside a cell? "
        "The email 'Jr' is not an email address.",
        13: "The email is missing.",
    }
    assert {line: by_line[line] for line in expected} == {line: ("error", text) for line, text in expected.items()}
    assert (User.objects.count(), Department.objects.count()) == (users_before, departments_before)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])  # Excel's "CSV UTF-8" and "Unicode text"
def test_lists_with_a_byte_order_mark_are_read(quality_manager: Any, encoding: str) -> None:
    master = f"{HEADER}\r\nj.mueller,Jürgen,Müller,j.mueller@example.com,,employee,Prüfer\r\n".encode(encoding)
    report = import_users(master, actor=quality_manager, source="people.csv")
    assert report.ok and report.notes == [], report.as_dict()
    imported = User.objects.get(username="j.mueller")
    assert (imported.first_name, imported.last_name, imported.job_title) == ("Jürgen", "Müller", "Prüfer")


def test_one_wrong_row_and_nothing_is_imported_nor_anyone_invited(
    quality_manager: Any, production: Any, django_capture_on_commit_callbacks: Any
) -> None:
    master = _good_list() + b"\nghost,,,ghost@example.com,,wizard,\n"
    with django_capture_on_commit_callbacks(execute=True):
        report = import_users(master, actor=quality_manager, source="people.csv")
    assert not report.ok and report.count("error") == 1
    assert not User.objects.filter(username__in=["anna.berg", "ghost"]).exists()
    assert not Department.objects.filter(name="Logistics").exists()
    assert mail.outbox == [] and not QueuedTask.objects.exists()


def test_a_failure_half_way_through_writing_leaves_no_account_no_department_and_sends_nothing(
    quality_manager: Any, production: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    real = user_imports.user_create
    calls = []

    def fail_on_the_third(**fields: Any) -> Any:
        calls.append(fields["username"])
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**fields)

    monkeypatch.setattr(user_imports, "user_create", fail_on_the_third)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        import_users(_good_list(), actor=quality_manager, source="people.csv")
    assert not User.objects.filter(username__in=["anna.berg", "tom.lee"]).exists()
    assert not Department.objects.filter(name="Logistics").exists()
    assert mail.outbox == [] and not QueuedTask.objects.exists()


def test_new_departments_get_codes_of_their_own(quality_manager: Any) -> None:
    DepartmentFactory(name="Quality", code="QA")
    master = "\n".join(
        [
            HEADER,
            "a,,,a@example.com,Quality!,,",  # a code from its name would be QUALITY, another department's name
            "b,,,b@example.com,Sales and Customer Service North,,",
            "c,,,c@example.com,Sales and Customer Service South,,",
            "d,,,d@example.com,???,,",
        ]
    ).encode()
    report = check_users(master, actor=quality_manager)
    assert [row.messages for row in report.rows] == [
        ["Creates department Quality! (code QUALITY-2)."],
        ["Creates department Sales and Customer Service North (code SALES-AND-CUSTOMER-S)."],
        ["Creates department Sales and Customer Service South (code SALES-AND-CUSTOMER-2)."],
        ["Creates department ??? (code DEPT)."],
    ]


def test_the_template_checks_out_as_it_is(quality_manager: Any) -> None:
    report = check_users(template_csv().encode(), actor=quality_manager)
    assert report.ok and report.count("create") == 2, report.as_dict()


def test_a_list_without_its_columns_is_refused_as_a_whole(quality_manager: Any) -> None:
    report = check_users(b"name,mail\nx,y\n", actor=quality_manager)
    assert report.file_errors == [
        "The list: Columns missing: username, email. The first line must name the columns (found: name, mail)."
    ]


def test_a_10000_row_list_is_checked_in_a_fixed_number_of_queries(
    quality_manager: Any, employee: Any, production: Any, django_assert_max_num_queries: Any
) -> None:
    rows = [HEADER, "plain.employee,,,plain.employee@example.com,,employee,"]
    rows += [
        f"person{index},First,Last,person{index}@example.com,{f'Team {index % 50}' if index % 3 else 'Production'},"
        "employee,Operator"
        for index in range(9_999)
    ]
    with django_assert_max_num_queries(3):
        report = check_users("\n".join(rows).encode(), actor=quality_manager)
    assert report.ok and (report.count("create"), report.count("skip")) == (9_999, 1)
    assert sum(1 for row in report.rows if row.messages and row.messages[0].startswith("Creates department")) == 50


# --- From the command line ------------------------------------------------------------------------------------------


def test_the_command_checks_with_dry_run_then_imports(
    quality_manager: Any, employee: Any, production: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(_good_list())
    out = io.StringIO()
    call_command("import_users", people, "--as", quality_manager.username, "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "  line 2 (anna.berg): Creates department Logistics (code LOGISTICS).",
        "Dry run: 4 to import, 0 already there.",
    ]
    assert not User.objects.filter(username="anna.berg").exists() and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_users", people, "--as", quality_manager.username, stdout=out, stderr=io.StringIO())
    assert "Imported 4; 0 were already there." in out.getvalue()
    assert User.objects.get(username="anna.berg").department.name == "Logistics"
    assert len(mail.outbox) == 4

    people.write_bytes(_good_list() + b"\nghost,,,ghost@example.com,,wizard,\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_users", people, "--as", quality_manager.username, stdout=out)
    assert "line 6 (ghost): Unknown role 'wizard'" in out.getvalue()
    assert not User.objects.filter(username="ghost").exists()
    with pytest.raises(CommandError, match="is not an active quality manager"):
        call_command("import_users", people, "--as", employee.username)
