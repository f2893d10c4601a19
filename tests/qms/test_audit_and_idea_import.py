"""Importing open records from an earlier system (qms/imports/audits.py, qms/imports/ideas.py): the audit programme
and the idea backlog. For each: the dry run's report, line by line, on a messy list; a clean import with the records
in their states, links and history; a second run that skips everything; one wrong row and nothing written; the
commands with and without --dry-run; the check of a 5,000-row list in a fixed number of queries."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from audits.models import Audit, AuditProgramme, ChecklistItem
from audits.services import audit_import
from improvement.models import Idea, StageChange
from improvement.services import idea_advance, idea_import
from qms.errors import ConflictError, NotAllowed
from qms.imports import ideas as idea_imports
from qms.imports.audits import check_audits, import_audits
from qms.imports.audits import template_csv as audit_template
from qms.imports.ideas import check_ideas, import_ideas
from qms.imports.ideas import template_csv as idea_template
from qms.models import Clause, Notification
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDITS_HEADER = "reference,title,scope,department,clauses,lead_auditor,team,auditees,planned_start,planned_end"
IDEAS_HEADER = (
    "reference,title,problem,proposal,expected_benefit,category,department,submitter,submitted_on,stage,champion,"
    "target_metric,baseline,target,do_notes,measured_result,parked_reason"
)
NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def production(db: None) -> Any:
    return DepartmentFactory(name="Production", code="PROD")


@pytest.fixture
def lead(db: None) -> Any:
    """An auditor of the quality department, who also champions ideas."""
    quality = DepartmentFactory(name="Quality", code="QA")
    return UserFactory(
        username="lead.auditor", roles=["auditor", "employee"], first_name="Priya", last_name="Nair", department=quality
    )


@pytest.fixture
def co_auditor(db: None) -> Any:
    purchasing = DepartmentFactory(name="Purchasing", code="PUR")
    return UserFactory(username="co.auditor", roles=["auditor", "employee"], department=purchasing)


@pytest.fixture
def auditee(production: Any) -> Any:
    return UserFactory(username="line.lead", roles=["employee"], department=production)


def _mistakes(report: Any) -> dict[int, str]:
    return {row.line: " ".join(row.messages) for row in report.rows if row.outcome == "error"}


# --- The audit programme --------------------------------------------------------------------------------------------


def _programme() -> bytes:
    """Three audits: two in next year's programme, one in the year after, named by username, email or code."""
    return "\n".join(
        [
            AUDITS_HEADER,
            f'AUD-17,Production control,"Filling lines 1 and 2, all shifts",Production,"8.5.1; 8.7",lead.auditor,'
            f"co.auditor,line.lead,{NEXT_YEAR}-03-10,{NEXT_YEAR}-03-11",
            f"AUD-18,Purchasing,Supplier approval,prod,8.4,co.auditor@example.com,,,"
            f"12.05.{NEXT_YEAR},12.05.{NEXT_YEAR}",
            f"2026/3,Management review,Inputs and outputs,,9.3,co.auditor,lead.auditor,,{NEXT_YEAR + 1}-01-15,"
            f"{NEXT_YEAR + 1}-01-15",
        ]
    ).encode()


def test_a_clean_programme_plans_every_audit_in_its_years_programme_with_people_clauses_and_history(
    quality_manager: Any, lead: Any, co_auditor: Any, auditee: Any, production: Any
) -> None:
    report = import_audits(_programme(), actor=quality_manager, source="programme.csv")
    assert report.ok and (report.count("create"), report.count("skip")) == (3, 0), report.as_dict()
    # Numbered in the programme of its year, as if planned here; the report says which audit each line became.
    assert [row.messages for row in report.rows] == [
        [f"Imported as IA-{NEXT_YEAR}-001."],
        [f"Imported as IA-{NEXT_YEAR}-002."],
        [f"Imported as IA-{NEXT_YEAR + 1}-001."],
    ]

    control = Audit.objects.get(imported_reference="AUD-17")
    assert (control.reference, control.status, control.programme.year) == (
        f"IA-{NEXT_YEAR}-001",
        Audit.Status.PLANNED,
        NEXT_YEAR,
    )
    assert (control.title, control.scope, control.department) == (
        "Production control",
        "Filling lines 1 and 2, all shifts",
        production,
    )
    assert (control.planned_start, control.planned_end) == (date(NEXT_YEAR, 3, 10), date(NEXT_YEAR, 3, 11))
    assert (control.lead_auditor, list(control.team.all()), list(control.auditees.all())) == (
        lead,
        [co_auditor],
        [auditee],
    )
    assert sorted(control.clauses.values_list("number", flat=True)) == ["8.5.1", "8.7"]
    # Its checklist is drafted from its clauses, as for an audit planned here.
    assert list(control.checklist_items.values_list("clause__number", "result")) == [
        ("8.5.1", ChecklistItem.Result.NOT_CHECKED),
        ("8.7", ChecklistItem.Result.NOT_CHECKED),
    ]
    purchasing = Audit.objects.get(imported_reference="AUD-18")
    assert (purchasing.lead_auditor, purchasing.department, purchasing.planned_start) == (
        co_auditor,
        production,
        date(NEXT_YEAR, 5, 12),
    )
    review = Audit.objects.get(imported_reference="2026/3")
    assert (review.reference, review.department, list(review.team.all())) == (f"IA-{NEXT_YEAR + 1}-001", None, [lead])
    assert sorted(AuditProgramme.objects.values_list("year", flat=True)) == [NEXT_YEAR, NEXT_YEAR + 1]

    # Who planned it, and from which line of which list, is in its history; nobody was told anything yet.
    created = control.history.earliest()
    assert (created.history_user, created.history_change_reason) == (
        quality_manager,
        "Imported from programme.csv, line 2",
    )
    assert review.history.earliest().history_change_reason == "Imported from programme.csv, line 4"
    assert mail.outbox == [] and not Notification.objects.exists()

    # A second run recognises every row by its earlier reference and leaves the audits as they are, even one whose
    # auditor has since left: the import plans audits, it does not re-plan them.
    co_auditor.is_active = False
    co_auditor.save()
    again = import_audits(_programme(), actor=quality_manager, source="programme.csv")
    assert again.ok and (again.count("create"), again.count("skip")) == (0, 3), again.as_dict()
    assert again.rows[0].messages == [f"Imported before as IA-{NEXT_YEAR}-001; it is left as it is."]
    assert Audit.objects.count() == 3


def test_the_dry_run_of_a_messy_programme_reports_every_problem_by_line_and_writes_nothing(
    quality_manager: Any, employee: Any, lead: Any, co_auditor: Any, auditee: Any, production: Any
) -> None:
    start, end = f"{NEXT_YEAR}-03-10", f"{NEXT_YEAR}-03-11"
    rows = [
        # Semicolons and headers as people type them, as Excel writes "CSV" in much of Europe.
        "Reference;Title;Scope;Department;Clauses;Lead auditor;Team;Auditees;Planned start;Planned end",
        f"AUD-1;Qualitätsprüfung;Wareneingang;Production;8.6;lead.auditor;;line.lead;{start};{end}",
        f";No reference;Scope;;8.6;lead.auditor;;;{start};{end}",
        f"aud-1;Same reference;Scope;;8.6;lead.auditor;;;{start};{end}",
        f"AUD-4;Own department;Scope;QA;8.6;lead.auditor;;;{start};{end}",
        f"AUD-5;Not an auditor;Scope;Production;8.6;plain.employee;;;{start};{end}",
        f"AUD-6;Team of the department;Scope;Purchasing;8.6;lead.auditor;co.auditor;;{start};{end}",
        f"AUD-7;Unknown people;Scope;;8.6;ghost;nobody;someone;{start};{end}",
        f"AUD-8;Clauses;Scope;;8.6, 99.9;lead.auditor;;;{start};{end}",
        f"AUD-9;No clauses;Scope;;;lead.auditor;;;{start};{end}",
        f"AUD-10;Dates;Scope;;8.6;lead.auditor;;;03/10/{NEXT_YEAR};{NEXT_YEAR}-02-30",
        f"AUD-11;Dates the wrong way;Scope;;8.6;lead.auditor;;;{end};{start}",
        f"AUD-12;;;Nowhere;8.6;;;;{start};",
        f"AUD-13;Goods in; returns;Scope;;8.6;lead.auditor;;;{start};{end}",
        f"AUD-14;Last year's;Scope;;8.6;lead.auditor;;;{NEXT_YEAR - 2}-11-03;{NEXT_YEAR - 2}-11-04",
    ]
    master = "\r\n".join(rows).encode("cp1252")

    report = check_audits(master, actor=quality_manager)

    assert not report.ok and report.file_errors == []
    assert report.notes == ["The file is not UTF-8; it was read as Windows-1252 (Western European)."]
    assert (report.rows[0].key, report.rows[0].outcome, report.rows[0].messages) == ("AUD-1", "create", [])
    assert _mistakes(report) == {
        3: "The reference is missing.",
        4: "The reference aud-1 is also on line 2.",
        5: "Priya Nair belongs to Quality, the audited department: an auditor never audits their own department.",
        6: f"{employee.display_name} is not an auditor.",
        7: f"{co_auditor.display_name} belongs to Purchasing, the audited department: an auditor never audits their "
        "own department.",
        8: "Unknown lead auditor 'ghost' (a username or email of an active person). Unknown team member 'nobody' (a "
        "username or email of an active person). Unknown auditee 'someone' (a username or email of an active person).",
        9: "Unknown ISO 9001 clause '99.9'.",
        10: "Name at least one clause to audit against.",
        11: f"The planned start '03/10/{NEXT_YEAR}' is not a date (use YYYY-MM-DD). The planned end "
        f"'{NEXT_YEAR}-02-30' is not a date (use YYYY-MM-DD).",
        12: "The planned end is before the planned start.",
        13: "The title is missing. The scope is missing. Unknown department 'Nowhere' (the name or code of an active "
        "one). The lead auditor is missing. The planned end is missing.",
        14: "The row has more cells than there are columns; is a semicolon inside a cell? Unknown department 'Scope' "
        "(the name or code of an active one). Name at least one clause to audit against. Unknown lead auditor '8.6' "
        "(a username or email of an active person). The planned start is missing.",
    }
    # An audit planned for a day gone by is open work all the same: it comes in overdue, and the report says so.
    assert (report.rows[-1].outcome, report.rows[-1].messages) == (
        "create",
        [f"Its planned end, {NEXT_YEAR - 2}-11-04, is past: it comes in overdue."],
    )
    assert not Audit.objects.exists() and not AuditProgramme.objects.exists()


def test_one_wrong_row_and_no_audit_is_planned(
    quality_manager: Any, lead: Any, co_auditor: Any, auditee: Any, production: Any
) -> None:
    master = _programme() + f"\nAUD-19,Ghost,Scope,,8.6,ghost,,,{NEXT_YEAR}-06-01,{NEXT_YEAR}-06-01\n".encode()
    report = import_audits(master, actor=quality_manager, source="programme.csv")
    assert not report.ok and report.count("error") == 1 and report.rows[0].messages == []
    assert not Audit.objects.exists() and not AuditProgramme.objects.exists()


def test_the_programme_template_checks_out_once_the_people_it_names_are_here(quality_manager: Any) -> None:
    DepartmentFactory(name="Production", code="PROD")
    DepartmentFactory(name="Purchasing", code="PUR")
    quality = DepartmentFactory(name="Quality", code="QA")
    UserFactory(username="priya.nair", roles=["auditor"], department=quality)
    UserFactory(username="co.auditor", roles=["auditor"], department=quality)
    UserFactory(username="line.lead", roles=["employee"])
    report = check_audits(audit_template().encode(), actor=quality_manager)
    assert report.ok and report.count("create") == 2, report.as_dict()


def test_a_5000_row_programme_is_checked_in_a_fixed_number_of_queries(
    quality_manager: Any, lead: Any, co_auditor: Any, auditee: Any, production: Any, django_assert_max_num_queries: Any
) -> None:
    import_audits(_programme(), actor=quality_manager, source="programme.csv")
    rows = [AUDITS_HEADER]
    rows += [
        f"P-{index},Audit {index},Scope {index},{'Production' if index % 2 else ''},8.5.1 8.7,lead.auditor,"
        f"co.auditor,line.lead,{NEXT_YEAR}-{index % 12 + 1:02d}-10,{NEXT_YEAR}-{index % 12 + 1:02d}-11"
        for index in range(4_997)
    ]
    rows += _programme().decode().splitlines()[1:]
    with django_assert_max_num_queries(5):
        report = check_audits("\n".join(rows).encode(), actor=quality_manager)
    assert report.ok and (report.count("create"), report.count("skip")) == (4_997, 3)


# --- The idea backlog -----------------------------------------------------------------------------------------------


@pytest.fixture
def gone(production: Any) -> Any:
    """Someone who submitted ideas and has left: their account is deactivated."""
    return UserFactory(username="gone", roles=["employee"], department=production, is_active=False)


def _backlog() -> bytes:
    """Four ideas: waiting, in Do, in Act (each with what its stage needs) and parked; by name or anonymous."""
    return "\n".join(
        [
            IDEAS_HEADER,
            "S-114,Colour-coded hold labels,Rejected pallets look like released ones.,Print hold labels on red paper.,"
            "No mix-ups,Quality,Production,plain.employee,2025-11-03,submitted,,,,,,,",
            "S-097,Scanner at goods-in,Delivery notes are typed in by hand.,Scan the supplier's barcode.,,time,prod,,"
            "14.06.2025,Do,quality.manager@example.com,Minutes per delivery,12,4,,,",
            "S-090,Kanban for screws,Lines wait for screws.,Two-bin kanban.,,cost,,PLAIN.EMPLOYEE,2025-01-20,act,"
            'lead.auditor,Waits per week,5,0,"Two bins on line 2, a month",0,',
            "S-088,Solar panels on the roof,Power bills rise.,Fit panels.,,Environment,,gone,2024-09-01,parked,,,,,,,"
            "Waits for the roof repair next year.",
        ]
    ).encode()


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def test_a_clean_backlog_brings_every_idea_in_at_its_stage_with_its_people_notes_and_history(
    quality_manager: Any, employee: Any, lead: Any, production: Any, gone: Any
) -> None:
    before = timezone.now()
    report = import_ideas(_backlog(), actor=quality_manager, source="ideas.csv")
    assert report.ok and (report.count("create"), report.count("skip")) == (4, 0), report.as_dict()
    assert [row.messages for row in report.rows] == [
        ["Imported as IDEA-0001."],
        ["No submitter: it comes in anonymous.", "Imported as IDEA-0002."],
        ["Imported as IDEA-0003."],
        ["Imported as IDEA-0004."],
    ]

    labels = Idea.objects.get(imported_reference="S-114")
    assert (labels.reference, labels.stage, labels.champion, labels.category) == (
        "IDEA-0001",
        Idea.Stage.SUBMITTED,
        None,
        Idea.Category.QUALITY,
    )
    assert (labels.title, labels.problem, labels.proposal, labels.expected_benefit) == (
        "Colour-coded hold labels",
        "Rejected pallets look like released ones.",
        "Print hold labels on red paper.",
        "No mix-ups",
    )
    assert (labels.submitter, labels.anonymous, labels.department) == (employee, False, production)
    # Waiting since the day it was submitted there, not since the import.
    assert labels.created_at == labels.stage_changed_at == _midnight(date(2025, 11, 3))

    scanner = Idea.objects.get(imported_reference="S-097")
    assert (scanner.stage, scanner.champion, scanner.submitter, scanner.anonymous) == (
        Idea.Stage.DO,
        quality_manager,
        None,
        True,
    )
    assert (scanner.target_metric, scanner.baseline, scanner.target, scanner.department) == (
        "Minutes per delivery",
        "12",
        "4",
        production,
    )
    assert scanner.created_at == _midnight(date(2025, 6, 14)) and scanner.stage_changed_at >= before

    kanban = Idea.objects.get(imported_reference="S-090")
    assert (kanban.stage, kanban.champion, kanban.submitter, kanban.do_notes, kanban.measured_result) == (
        Idea.Stage.ACT,
        lead,
        employee,
        "Two bins on line 2, a month",
        "0",
    )
    # It goes on like an idea that made its moves here: from Act, the next step asks only for what Act asks.
    assert kanban.blockers_for(Idea.Stage.STANDARDIZED) == [
        "Act: open a change request on the document to standardise, or say why no document changes.",
        "Record the measured benefit (amount and unit).",
    ]

    solar = Idea.objects.get(imported_reference="S-088")
    assert (solar.stage, solar.decision_reason, solar.submitter, solar.category) == (
        Idea.Stage.PARKED,
        "Waits for the roof repair next year.",
        gone,
        Idea.Category.ENVIRONMENT,
    )

    # The import, not a move, is their history: who brought each in, from which line; no invented stage changes.
    created = scanner.history.earliest()
    assert (created.history_user, created.history_change_reason) == (quality_manager, "Imported from ideas.csv, line 3")
    assert not StageChange.objects.exists()
    # The submitters who can still sign in follow their ideas from now on; nobody was notified of the import.
    assert list(labels.watches.values_list("user__username", flat=True)) == ["plain.employee"]
    assert not scanner.watches.exists() and not solar.watches.exists()
    assert mail.outbox == [] and not Notification.objects.exists()

    # A second run recognises every row and leaves the ideas as they are, even one that has moved on since.
    idea_advance(actor=quality_manager, idea=labels, to=Idea.Stage.REJECTED, note="The scanner replaces labels.")
    again = import_ideas(_backlog(), actor=quality_manager, source="ideas.csv")
    assert again.ok and (again.count("create"), again.count("skip")) == (0, 4), again.as_dict()
    assert again.rows[0].messages == ["Imported before as IDEA-0001; it is left as it is."]
    assert Idea.objects.count() == 4


def test_the_dry_run_of_a_messy_backlog_reports_every_problem_by_line_and_writes_nothing(
    quality_manager: Any, employee: Any, production: Any, gone: Any
) -> None:
    rows = [
        "Reference;Title;Problem;Proposal;Category;Department;Submitter;Submitted on;Stage;Champion;Target metric;"
        "Baseline;Do notes;Measured result;Parked reason",
        "I-1;Größere Behälter;Zu viele Wege;Behälter, 40 l;Cost;Production;plain.employee;01.02.2025;submitted;;;;;;",
        "I-2;;Problem;;;;;;;;;;;;",
        "i-1;Again;Problem;Proposal;;;;;;;;;;;",
        "I-4;Wishes;Problem;Proposal;wishes;;;;;;;;;;",
        "I-5;Done;Problem;Proposal;;;;;standardized;;;;;;",
        "I-6;Unknown stage;Problem;Proposal;;;;;finished;;;;;;",
        "I-7;Future;Problem;Proposal;;;ghost;2099-01-01;;;;;;;",
        "I-8;No champion;Problem;Proposal;;;;;accepted;;;;;;",
        "I-9;No plan;Problem;Proposal;;;;;do;quality.manager;;;;;",
        "I-10;No trial;Problem;Proposal;;;;;act;quality.manager;Metric;3;;;",
        "I-11;No reason;Problem;Proposal;;;;;parked;;;;;;",
        "I-12;Early champion;Problem;Proposal;;;;;submitted;quality.manager;;;;;",
        "I-13;Nowhere;Problem;Proposal;;Nowhere;;31.02.2025;;;;;;;",
        "I-14;Champion gone;Problem;Proposal;;;;;plan;gone;;;;;",
        "I-15;Reason;Problem;Proposal;;;;;submitted;;;;;;Not now",
        "I-16;Metric;Problem;Proposal;;;;;;;" + "m" * 201 + ";;;;",
        "I-17;Cheaper glue; faster;Problem;Proposal;cost;;;;;;;;;;Not now",
    ]
    master = "\r\n".join(rows).encode("cp1252")

    report = check_ideas(master, actor=quality_manager)

    assert not report.ok and report.file_errors == []
    assert report.notes == [
        "The file is not UTF-8; it was read as Windows-1252 (Western European).",
        "1 idea(s) standardized or rejected in the earlier system are not imported (line 6).",
    ]
    assert (report.rows[0].key, report.rows[0].outcome, report.rows[0].messages) == ("I-1", "create", [])
    # A decided idea stays in the earlier system, whatever its other cells say: it is skipped, not wrong.
    assert (report.rows[4].outcome, report.rows[4].messages) == (
        "skip",
        ["Standardized in the earlier system: only open and parked ideas are imported."],
    )
    assert _mistakes(report) == {
        3: "The title is missing. The proposal is missing.",
        4: "The reference i-1 is also on line 2.",
        5: "Unknown category 'wishes' (quality, cost, time, safety, customer, environment, or their names).",
        7: "Unknown stage 'finished' (submitted, accepted, plan, do, check, act, parked; standardized and rejected "
        "ideas are not imported).",
        8: "Unknown submitter 'ghost' (a username or email; none for anonymous). The submission date 2099-01-01 is "
        "later than today.",
        9: "An idea in accepted has a champion, given when it was accepted.",
        10: "Plan: name the metric to improve and its baseline today.",
        11: "Do: say what was tried. Check: record the measured result against the target.",
        12: "Say why it was parked: the submitter will read it.",
        13: "A submitted idea has no champion yet; accepting it gives one.",
        14: "Unknown department 'Nowhere' (the name or code of an active one). The submission date '31.02.2025' is "
        "not a date (use YYYY-MM-DD).",
        15: "Unknown champion 'gone' (a username or email of an active person). An idea in plan has a champion, given "
        "when it was accepted.",
        16: "Only a parked idea has a reason for being parked.",
        17: "The target metric is longer than 200 characters.",
        18: "The row has more cells than there are columns; is a semicolon inside a cell? Unknown category 'Proposal' "
        "(quality, cost, time, safety, customer, environment, or their names). Unknown department 'cost' (the name or "
        "code of an active one).",
    }
    assert not Idea.objects.exists()


def test_one_wrong_row_and_no_idea_is_brought_in(
    quality_manager: Any, employee: Any, lead: Any, production: Any, gone: Any
) -> None:
    master = _backlog() + b"\nS-200,Ghost,Problem,Proposal,,,,,,accepted,ghost,,,,,,\n"
    report = import_ideas(master, actor=quality_manager, source="ideas.csv")
    assert not report.ok and report.count("error") == 1
    assert not Idea.objects.exists()


def test_a_failure_half_way_through_writing_leaves_no_idea(
    quality_manager: Any, employee: Any, lead: Any, production: Any, gone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = idea_imports.idea_import
    calls = []

    def fail_on_the_third(**fields: Any) -> Any:
        calls.append(fields["imported_reference"])
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**fields)

    monkeypatch.setattr(idea_imports, "idea_import", fail_on_the_third)
    with pytest.raises(RuntimeError):
        import_ideas(_backlog(), actor=quality_manager, source="ideas.csv")
    assert not Idea.objects.exists()


def test_the_backlog_template_checks_out_once_the_people_it_names_are_here(quality_manager: Any) -> None:
    UserFactory(username="tom.lee", roles=["employee"])
    UserFactory(username="anna.berg", roles=["employee"])
    report = check_ideas(idea_template().encode(), actor=quality_manager)
    assert report.ok and report.count("create") == 3, report.as_dict()


def test_a_5000_row_backlog_is_checked_in_a_fixed_number_of_queries(
    quality_manager: Any, employee: Any, lead: Any, production: Any, gone: Any, django_assert_max_num_queries: Any
) -> None:
    import_ideas(_backlog(), actor=quality_manager, source="ideas.csv")
    stages = ["submitted,", "accepted,lead.auditor", "plan,quality.manager", "do,lead.auditor"]
    rows = [IDEAS_HEADER]
    rows += [
        f"B-{index},Idea {index},Problem,Proposal,,{'safety' if index % 2 else ''},{'Production' if index % 3 else ''},"
        f"{'plain.employee' if index % 5 else ''},2025-0{index % 9 + 1}-01,{stages[index % 4]},Metric,1,0,,,"
        for index in range(4_996)
    ]
    rows += _backlog().decode().splitlines()[1:]
    with django_assert_max_num_queries(3):
        report = check_ideas("\n".join(rows).encode(), actor=quality_manager)
    assert report.ok and (report.count("create"), report.count("skip")) == (4_996, 4), report.as_dict()["rows"][:3]


# --- From the command line ------------------------------------------------------------------------------------------


def test_the_audit_command_checks_with_dry_run_then_imports(
    quality_manager: Any, employee: Any, lead: Any, co_auditor: Any, auditee: Any, production: Any, tmp_path: Path
) -> None:
    programme = tmp_path / "programme.csv"
    programme.write_bytes(_programme())
    out = io.StringIO()
    call_command("import_audits", programme, "--as", quality_manager.username, "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == ["Dry run: 3 to import, 0 already there."]
    assert not Audit.objects.exists()

    out = io.StringIO()
    call_command("import_audits", programme, "--as", quality_manager.username, stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[0] == f"  line 2 (AUD-17): Imported as IA-{NEXT_YEAR}-001."
    assert out.getvalue().splitlines()[-1] == "Imported 3; 0 were already there."
    assert Audit.objects.get(imported_reference="AUD-17").history.earliest().history_change_reason == (
        "Imported from programme.csv, line 2"
    )

    programme.write_bytes(_programme() + f"\nAUD-19,No end,Scope,,8.6,lead.auditor,,,{NEXT_YEAR}-06-01,".encode())
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_audits", programme, "--as", quality_manager.username, stdout=out)
    assert "line 5 (AUD-19): The planned end is missing." in out.getvalue()
    assert Audit.objects.count() == 3
    with pytest.raises(CommandError, match="is not an active quality manager"):
        call_command("import_audits", programme, "--as", employee.username)


def test_the_idea_command_checks_with_dry_run_then_imports(
    quality_manager: Any, employee: Any, lead: Any, production: Any, gone: Any, tmp_path: Path
) -> None:
    backlog = tmp_path / "ideas.csv"
    backlog.write_bytes(_backlog())
    out = io.StringIO()
    call_command("import_ideas", backlog, "--as", quality_manager.username, "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "  line 3 (S-097): No submitter: it comes in anonymous.",
        "Dry run: 4 to import, 0 already there, standardized or rejected.",
    ]
    assert not Idea.objects.exists()

    out = io.StringIO()
    call_command("import_ideas", backlog, "--as", quality_manager.username, stdout=out, stderr=io.StringIO())
    assert "  line 5 (S-088): Imported as IDEA-0004." in out.getvalue().splitlines()
    assert out.getvalue().splitlines()[-1] == "Imported 4; 0 were already there, standardized or rejected."
    assert Idea.objects.get(imported_reference="S-088").stage == Idea.Stage.PARKED

    out = io.StringIO()
    call_command("import_ideas", backlog, "--as", quality_manager.username, stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines() == ["Imported 0; 4 were already there, standardized or rejected."]

    backlog.write_bytes(_backlog() + b"\nS-201,Ghost,Problem,Proposal,,,,,,accepted,ghost,,,,,,\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_ideas", backlog, "--as", quality_manager.username, stdout=out)
    assert "line 6 (S-201): Unknown champion 'ghost'" in out.getvalue()
    assert Idea.objects.count() == 4
    with pytest.raises(CommandError, match="is not an active quality manager"):
        call_command("import_ideas", backlog, "--as", lead.username)


def test_the_import_services_refuse_anyone_but_a_quality_manager_and_a_reference_brought_in_before(
    quality_manager: Any, auditor: Any, lead: Any
) -> None:
    start = timezone.localdate() + timedelta(days=30)
    audit: dict[str, Any] = {
        "imported_reference": "AUD-1",
        "origin": "programme.csv, line 2",
        "title": "Goods in",
        "scope": "Receiving",
        "clauses": Clause.objects.filter(number="8.6"),
        "lead_auditor": lead,
        "planned_start": start,
        "planned_end": start,
    }
    idea: dict[str, Any] = {
        "imported_reference": "S-1",
        "origin": "ideas.csv, line 2",
        "title": "t",
        "problem": "p",
        "proposal": "q",
    }
    with pytest.raises(NotAllowed):
        audit_import(actor=auditor, **audit)
    with pytest.raises(NotAllowed):
        idea_import(actor=auditor, **idea)
    audit_import(actor=quality_manager, **audit)
    idea_import(actor=quality_manager, **idea)
    with pytest.raises(ConflictError, match="aud-1 was imported before"):
        audit_import(actor=quality_manager, **audit | {"imported_reference": "aud-1"})
    with pytest.raises(ConflictError, match="s-1 was imported before"):
        idea_import(actor=quality_manager, **idea | {"imported_reference": "s-1"})
    assert (Audit.objects.count(), Idea.objects.count()) == (1, 1)
