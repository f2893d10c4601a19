"""Importing open CAPAs and their actions from an earlier system (qms/imports/capas.py, capa.services.capa_import):
the dry run's report, line by line, on messy lists; an all-or-nothing import that brings each CAPA in numbered here,
in its state, with its actions and history, and that then goes on like any other; a second run that skips everything;
the command; the check of a 5,000-row list in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from capa import services as capa_services
from capa.models import Capa, CapaAction, EffectivenessCheck
from qms.errors import ConflictError, DomainError, NotAllowed
from qms.imports import capas as capa_imports
from qms.imports.capas import ACTION_COLUMNS, COLUMNS, actions_template_csv, check_capas, import_capas, template_csv
from qms.models import Clause, QueuedTask
from tests.conftest import PASSWORD
from tests.qms.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FIVE_WHYS = (
    "Why were rejects stored with released stock? The hold area was full.\nWhy was it full? Rejects are cleared weekly."
)


@pytest.fixture
def production(quality_manager: Any) -> Any:
    return DepartmentFactory(name="Production", code="PROD")


def _csv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return out.getvalue().encode()


def _good_capas(owner: str) -> bytes:
    common = {"owner": owner, "source": "internal"}
    return _csv(
        COLUMNS,
        [
            {
                **common,
                "reference": "QA-101",
                "title": "Customer found a loose cap",
                "kind": "Preventive",
                "source": "Customer complaint",  # a label, as people type it
                "severity": "high",
                "problem": "Three bottles of lot 2211 reached the customer with loose caps.",
                "containment": "Lot 2211 held",
                "department": "prod",
                "clause": "10.2",
                "due_date": "2026-01-31",  # overdue: it comes in overdue
                "opened_on": "01.12.2025",
            },
            {
                **common,
                "reference": "QA-102",
                "title": "Supplier certificate missing",
                "owner": "Plain.Employee@example.com",  # by email, in any case
                "problem": "Granulate lot 77 arrived without its certificate.",
                "due_date": "2027-03-31",
                "status": "Investigating",
                "root_cause": "Not known yet.",
            },
            {
                **common,
                "reference": "QA-103",
                "title": "Rejects stored with released stock",
                "problem": "Pallet 14 of rejected bottles stood in the released area.",
                "due_date": "2027-01-31",
                "status": "implementing",
                "root_cause": "Clearing the hold area is nobody's task.",
                "cause_category": "Method",
                "root_cause_method": "5 whys",
                "root_cause_analysis": FIVE_WHYS,
            },
            {
                **common,
                "reference": "QA-104",
                "title": "Worn filling nozzle",
                "problem": "Underfilled bottles on line 2.",
                "due_date": "2026-12-31",
                "status": "verifying",
                "root_cause": "The nozzle wore out unnoticed.",
                "cause_category": "machine",
                "root_cause_method": "fishbone",
                "root_cause_analysis": "Method: no wear check; nobody owns it | Machine: worn nozzle",
                "effectiveness_criteria": "No underfilled bottle for 3 months",
            },
            {
                **common,
                "reference": "QA-090",
                "title": "Closed there",
                "problem": "P",
                "due_date": "2024-01-31",
                "status": "closed",
            },
        ],
    )


def _good_actions(owner: str) -> bytes:
    common = {"owner": owner}
    return _csv(
        ACTION_COLUMNS,
        [
            {
                **common,
                "capa_reference": "qa-103",  # the reference in any case
                "description": "Add daily clearing to the shift checklist",
                "due_date": "2025-10-15",
                "status": "done",
                "done_date": "2025-10-01",
                "evidence": "Checklist revision 4",
            },
            {
                **common,
                "capa_reference": "QA-104",
                "description": "Replace the nozzle",
                "due_date": "2025-09-30",
                "status": "Done",
                "done_date": "01.09.2025",
            },
            {**common, "capa_reference": "QA-103", "description": "Train the shift leads", "due_date": "2027-01-15"},
            {
                **common,
                "capa_reference": "QA-090",
                "description": "Of a CAPA closed there",
                "due_date": "2024-01-01",
                "status": "done",
                "done_date": "2024-01-01",
            },
            {
                **common,
                "capa_reference": "QA-101",
                "description": "Dropped there",
                "due_date": "2026-01-01",
                "status": "cancelled",
            },
        ],
    )


def _import(owner: str, actor: Any) -> Any:
    return import_capas(
        _good_capas(owner), _good_actions(owner), actor=actor, source="capas.csv", actions_source="actions.csv"
    )


def test_a_clean_import_brings_each_open_capa_in_numbered_here_in_its_state_with_its_actions_and_history(
    quality_manager: Any, employee: Any, production: Any, django_capture_on_commit_callbacks: Any
) -> None:
    opened_here = capa_services.capa_create(
        actor=quality_manager, title="Here", source="internal", problem="P", owner=employee, due_date=date(2099, 1, 1)
    )
    mail.outbox.clear()
    queued = QueuedTask.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        report = _import(employee.username, quality_manager)
    assert report.ok and (report.count("create"), report.count("skip")) == (7, 3), report.as_dict()
    assert [(row.line, row.key, row.outcome, row.messages) for row in report.rows] == [
        (2, "QA-101", "create", ["Imported as CAPA-0002."]),
        (3, "QA-102", "create", ["Imported as CAPA-0003."]),
        (4, "QA-103", "create", ["Imported as CAPA-0004."]),
        (6, "QA-104", "create", ["Imported as CAPA-0005."]),
        (7, "QA-090", "skip", ["Closed in the earlier system: only open CAPAs are imported."]),
        (2, "qa-103 action 1", "create", []),
        (3, "QA-104 action 1", "create", []),
        (4, "QA-103 action 2", "create", []),
        (5, "QA-090 action", "skip", ["Its CAPA is closed in the earlier system: not imported."]),
        (6, "QA-101 action", "skip", ["Cancelled in the earlier system: only open and done actions are imported."]),
    ]
    assert report.notes == [
        "1 CAPA(s) closed or cancelled in the earlier system are not imported, nor their actions (line 7 of the CAPA "
        "list)."
    ]
    assert opened_here.reference == "CAPA-0001"
    imported = {capa.imported_reference: capa for capa in Capa.objects.exclude(imported_reference="")}
    assert sorted(imported) == ["QA-101", "QA-102", "QA-103", "QA-104"]

    loose_cap = imported["QA-101"]
    assert (loose_cap.reference, loose_cap.status, loose_cap.kind, loose_cap.source, loose_cap.severity) == (
        "CAPA-0002",
        "open",
        "preventive",
        "customer_complaint",
        "high",
    )
    assert (loose_cap.owner, loose_cap.department, loose_cap.clause) == (
        employee,
        production,
        Clause.objects.get(number="10.2"),
    )
    assert (loose_cap.containment, loose_cap.created_by, loose_cap.due_date) == (
        "Lot 2211 held",
        quality_manager,
        date(2026, 1, 31),
    )
    assert timezone.localtime(loose_cap.created_at).date() == date(2025, 12, 1)  # its age is kept
    assert loose_cap.actions.count() == 0
    created = loose_cap.history.earliest()
    assert (created.history_user, created.history_change_reason) == (quality_manager, "Imported from capas.csv, line 2")

    assert (imported["QA-102"].status, imported["QA-102"].owner, imported["QA-102"].root_cause) == (
        "investigating",
        employee,
        "Not known yet.",
    )

    rejects = imported["QA-103"]
    assert (rejects.status, rejects.cause_category, rejects.root_cause_method) == (
        "implementing",
        "method",
        "five_whys",
    )
    assert rejects.root_cause_analysis == [
        {"why": "Why were rejects stored with released stock?", "because": "The hold area was full."},
        {"why": "Why was it full?", "because": "Rejects are cleared weekly."},
    ]
    checklist, training = rejects.actions.order_by("number")
    assert (checklist.number, checklist.status, checklist.evidence, checklist.owner) == (
        1,
        "done",
        "Checklist revision 4",
        employee,
    )
    assert timezone.localtime(checklist.completed_at).date() == date(2025, 10, 1)
    assert checklist.completed_by is None  # nobody completed it here
    assert (training.number, training.status, training.due_date) == (2, "open", date(2027, 1, 15))
    assert checklist.history.get().history_change_reason == "Imported from actions.csv, line 2"
    assert training.history.get().history_change_reason == "Imported from actions.csv, line 4"

    nozzle = imported["QA-104"]
    assert nozzle.status == "verifying"
    assert nozzle.root_cause_analysis == {"method": ["no wear check", "nobody owns it"], "machine": ["worn nozzle"]}
    (replaced,) = nozzle.actions.all()
    assert (replaced.status, replaced.evidence) == ("done", "Done on 2025-09-01 in the earlier system.")
    # Moving it to verifying here would have planned its check 90 days after the last action, today at the earliest.
    check = nozzle.effectiveness_checks.get()
    assert (check.planned_date, check.criteria, check.result) == (
        timezone.localdate(),
        "No underfilled bottle for 3 months",
        "",
    )
    assert check.history.get().history_change_reason == (
        f"Imported from capas.csv, line 6: effectiveness check planned for {timezone.localdate():%Y-%m-%d}"
    )

    # The owners have had this work all along: nobody is told of it again.
    assert mail.outbox == [] and QueuedTask.objects.count() == queued
    assert not Capa.objects.filter(imported_reference="QA-090").exists()

    # Each goes on like a CAPA that took its steps here: the next step, and closing with a signed check.
    capa_services.action_complete(actor=employee, action=training, evidence="Trained on 2026-01-10")
    assert capa_services.capa_advance(actor=employee, capa=rejects, to="verifying").status == "verifying"
    closed = capa_services.capa_verify(actor=quality_manager, capa=nozzle, effective=True, password=PASSWORD)
    assert closed.status == "closed"
    # And the numbering goes on after the imported CAPAs.
    later = capa_services.capa_create(
        actor=quality_manager, title="Later", source="internal", problem="P", owner=employee, due_date=date(2099, 1, 1)
    )
    assert later.reference == "CAPA-0006"


def test_running_the_same_lists_again_skips_every_row_and_writes_nothing(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    _import(employee.username, quality_manager)
    counts = (Capa.objects.count(), CapaAction.objects.count(), EffectivenessCheck.objects.count())
    again = _import(employee.username, quality_manager)
    assert again.ok and (again.count("create"), again.count("skip")) == (0, 10), again.as_dict()
    messages = {(row.line, row.key): row.messages for row in again.rows}
    assert messages[2, "QA-101"] == ["Imported before as CAPA-0001; it is left as it is."]
    assert messages[2, "qa-103 action"] == ["Its CAPA was imported before as CAPA-0003, with its actions."]
    assert (Capa.objects.count(), CapaAction.objects.count(), EffectivenessCheck.objects.count()) == counts

    # The actions of a CAPA an earlier run brought in are recognised even when the CAPA list no longer has it.
    shorter = _csv(COLUMNS, [{"reference": "QA-101"}])
    alone = check_capas(shorter, _good_actions(employee.username), actor=quality_manager)
    assert [(row.key, row.outcome, row.messages) for row in alone.rows[1:4]] == [
        ("qa-103 action", "skip", ["Its CAPA was imported before as CAPA-0003, with its actions."]),
        ("QA-104 action", "skip", ["Its CAPA was imported before as CAPA-0004, with its actions."]),
        ("QA-103 action", "skip", ["Its CAPA was imported before as CAPA-0003, with its actions."]),
    ]
    assert alone.rows[4].messages == ["No CAPA QA-090 in the CAPA list."]  # closed there, never imported


def test_the_dry_run_reports_every_problem_of_messy_lists_by_line_and_writes_nothing(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    owner = employee.username
    # Semicolons and Windows-1252, as Excel saves "CSV" in much of Europe; headers as people type them.
    header = "Reference;Title;Kind;Source;Severity;Problem;Owner;Department;Due date;Status;Root cause;Cause category;"
    header += "Root cause method;Root cause analysis;Effectiveness check date"
    capas = [
        header,
        f"QA-1;Qualität der Verschlüsse;;internal;;Deckel lose;{owner};Production;2026-05-31;;;;;;",
        f";No reference;;internal;;P;{owner};;2026-05-31;;;;;;",
        f"qa-1;Same reference again;;internal;;P;{owner};;2026-05-31;;;;;;",
        "QA-3;Nobody owns this;;internal;;P;ghost;Nowhere;2026-05-31;;;;;;",
        f"QA-4;A bad date;;internal;;P;{owner};;31/02/2026;;;;;;",
        f"QA-5;On hold;;internal;;P;{owner};;2026-05-31;on hold;;;;;",
        "QA-6;Closed there;;internal;;P;ghost;;;closed;;;;;",
        f"QA-7;Implementing without a cause;;internal;;P;{owner};;2026-05-31;implementing;;;;;",
        f"QA-8;Unknown choices;sideways;gossip;urgent;P;{owner};;2026-05-31;;;;;;",
        f"QA-9;Whys without questions;;internal;;P;{owner};;2026-05-31;investigating;;;5 whys;It broke.;",
        f"QA-10;A check while open;;internal;;P;{owner};;2026-05-31;;;;;;2026-09-01",
        f"QA-11;Verifying with open work;;internal;;P;{owner};;2026-05-31;verifying;Cause;people;fishbone;"
        "people: tired;",
        f"QA-12;A problem with a semicolon;;internal;;Caps; loose;{owner};;2026-05-31;verifying;;;;;2026-09-01",
        f"QA-13;Cancelled there;;internal;;P;{owner};;2026-05-31;Cancelled;;;;;",
    ]
    actions = [
        "CAPA reference;Description;Owner;Due date;Status;Done date;Evidence",
        f"QA-1;Neue Deckel prüfen;{owner};2026-04-30;;;",
        f"QA-99;Of no CAPA;{owner};2026-04-30;;;",
        f"QA-1;Done without a date;{owner};2026-04-30;done;;",
        f"QA-1;Open with a date;{owner};2026-04-30;open;2026-01-01;",
        f"QA-1;Dropped there;{owner};2026-04-30;cancelled;;",
        f"QA-6;Of a closed CAPA;{owner};2026-04-30;done;2025-01-01;",
        f"QA-11;Still open;{owner};2026-04-30;open;;",
        f"QA-11;Done tomorrow;{owner};2026-04-30;done;2999-01-01;",
    ]
    before = (Capa.objects.count(), CapaAction.objects.count())

    report = check_capas(
        "\r\n".join(capas).encode("cp1252"), "\r\n".join(actions).encode("cp1252"), actor=quality_manager
    )

    assert not report.ok and report.file_errors == []
    assert report.notes == [
        "The CAPA list: The file is not UTF-8; it was read as Windows-1252 (Western European).",
        "The actions list: The file is not UTF-8; it was read as Windows-1252 (Western European).",
        "2 CAPA(s) closed or cancelled in the earlier system are not imported, nor their actions (lines 8, 15 of the "
        "CAPA list).",
    ]
    by_line = {(row.line, "action" in row.key): (row.outcome, " ".join(row.messages)) for row in report.rows}
    assert by_line[2, False] == ("create", "")
    assert by_line[2, True] == ("create", "")
    expected_capas = {
        3: "The reference is missing.",
        4: "The reference qa-1 is also on line 2.",
        5: "Unknown owner 'ghost' (a username or email of an active person). Unknown department 'Nowhere' (the name "
        "or code of an active one).",
        6: "The due date '31/02/2026' is not a date (use YYYY-MM-DD).",
        7: "Unknown status 'on hold' (open, investigating, implementing or verifying; closed and cancelled CAPAs are "
        "not imported).",
        9: "To come in as implementing it needs what moving there needs here: Write the root cause (the summary of the "
        "analysis). File the root cause under a cause category. Record the analysis: a 5 Whys chain or a fishbone. "
        "Plan at least one action.",
        10: "Unknown kind 'sideways' (corrective, preventive, or their names). Unknown source 'gossip' (audit_finding, "
        "customer_complaint, internal, supplier, process_deviation, or their names). Unknown severity 'urgent' (low, "
        "medium, high, or their names).",
        11: "Why 1 of the analysis has no question mark to end its question.",
        12: "Only a CAPA in verifying has its effectiveness check planned; this one is open.",
        13: "To come in as verifying it needs what moving there needs here: Finish or cancel (with a reason) every "
        "action: QA-11/A1 still open.",
    }
    assert {line: by_line[line, False] for line in expected_capas} == {
        line: ("error", text) for line, text in expected_capas.items()
    }
    assert by_line[14, False][1].startswith(
        "The row has more cells than there are columns; is a semicolon inside a cell? Unknown status '2026-05-31'"
    )
    assert by_line[8, False] == ("skip", "Closed in the earlier system: only open CAPAs are imported.")
    assert by_line[15, False] == ("skip", "Cancelled in the earlier system: only open CAPAs are imported.")
    expected_actions = {
        3: ("error", "No CAPA QA-99 in the CAPA list."),
        4: ("error", "The done date is missing."),
        5: ("error", "An open action has no done date and no evidence; is it done?"),
        6: ("skip", "Cancelled in the earlier system: only open and done actions are imported."),
        7: ("skip", "Its CAPA is closed in the earlier system: not imported."),
        8: ("create", ""),
        9: ("error", "The done date 2999-01-01 is later than today."),
    }
    assert {line: by_line[line, True] for line in expected_actions} == expected_actions
    assert [row.key for row in report.rows if row.line in {8, 9} and "action" in row.key] == [
        "QA-11 action 1",
        "QA-11 action 2",
    ]
    assert (Capa.objects.count(), CapaAction.objects.count()) == before

    # Its good lines alone come in as they were written.
    good = "\r\n".join(capas[:2]).encode("cp1252"), "\r\n".join(actions[:2]).encode("cp1252")
    assert import_capas(*good, actor=quality_manager, source="capas.csv").ok
    assert Capa.objects.get(imported_reference="QA-1").title == "Qualität der Verschlüsse"
    assert CapaAction.objects.get().description == "Neue Deckel prüfen"


def test_one_wrong_row_and_nothing_is_imported(quality_manager: Any, employee: Any, production: Any) -> None:
    actions = _good_actions(employee.username) + b"QA-104,Replace the valve,ghost,2026-01-01,open,,\n"
    report = import_capas(_good_capas(employee.username), actions, actor=quality_manager, source="capas.csv")
    assert not report.ok and report.count("error") == 2  # the row, and its CAPA in verifying with an open action
    assert not Capa.objects.exists() and not CapaAction.objects.exists()


def test_a_failure_half_way_through_writing_leaves_nothing(
    quality_manager: Any, employee: Any, production: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = capa_imports.capa_import
    calls = []

    def fail_on_the_third(**fields: Any) -> Any:
        calls.append(fields["imported_reference"])
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**fields)

    monkeypatch.setattr(capa_imports, "capa_import", fail_on_the_third)
    with pytest.raises(RuntimeError):
        _import(employee.username, quality_manager)
    assert not Capa.objects.exists() and not CapaAction.objects.exists()
    numbered = capa_services.capa_create(
        actor=quality_manager, title="Here", source="internal", problem="P", owner=employee, due_date=date(2099, 1, 1)
    )
    assert numbered.reference == "CAPA-0001"  # no number was used up


def test_the_templates_check_out_as_they_are(quality_manager: Any) -> None:
    owner = quality_manager.username
    report = check_capas(
        template_csv(owner=owner).encode(), actions_template_csv(owner=owner).encode(), actor=quality_manager
    )
    assert report.ok and report.count("create") == 4, report.as_dict()


def test_lists_without_their_columns_are_refused_as_a_whole(quality_manager: Any) -> None:
    report = check_capas(b"ref,what\nx,y\n", b"capa,what\nx,y\n", actor=quality_manager)
    assert report.file_errors == [
        "The CAPA list: Columns missing: reference, title, source, problem, owner, due_date. The first line must name "
        "the columns (found: ref, what).",
        "The actions list: Columns missing: capa_reference, description, owner, due_date. The first line must name "
        "the columns (found: capa, what).",
    ]


def test_a_5000_row_list_is_checked_in_a_fixed_number_of_queries(
    quality_manager: Any, employee: Any, production: Any, django_assert_max_num_queries: Any
) -> None:
    earlier = {"reference": "QA-101", "title": "T", "source": "internal", "problem": "P", "due_date": "2026-01-31"}
    import_capas(_csv(COLUMNS, [{**earlier, "owner": employee.username}]), actor=quality_manager, source="capas.csv")
    capas = [
        {
            "reference": f"OLD-{index}",
            "title": f"CAPA {index}",
            "source": "internal",
            "problem": "P",
            "owner": employee.username if index % 2 else quality_manager.email,
            "department": "Production" if index % 3 else "",
            "clause": "10.2" if index % 5 else "",
            "due_date": "2026-12-31",
            "status": "investigating" if index % 4 else "open",
        }
        for index in range(4_999)
    ]
    capas.append({"reference": "QA-101", "title": "T", "source": "internal", "problem": "P"})  # imported above
    actions = [
        {"capa_reference": f"OLD-{index}", "description": "A", "owner": employee.username, "due_date": "2026-06-30"}
        for index in range(5_000)
    ]
    with django_assert_max_num_queries(4):
        report = check_capas(_csv(COLUMNS, capas), _csv(ACTION_COLUMNS, actions), actor=quality_manager)
    assert report.count("skip") == 1 and report.count("error") == 1  # the action of OLD-4999, which is not listed
    assert report.count("create") == 4_999 + 4_999


# --- The service, called directly --------------------------------------------------------------------------------


def test_capa_import_holds_its_rules_whoever_calls_it(quality_manager: Any, auditor: Any, employee: Any) -> None:
    fields: dict[str, Any] = {
        "imported_reference": "QA-7",
        "origin": "capas.csv, line 2",
        "title": "T",
        "source": "internal",
        "problem": "P",
        "owner": employee,
        "due_date": date(2026, 1, 31),
    }
    with pytest.raises(NotAllowed):
        capa_services.capa_import(actor=auditor, status="open", **fields)
    with pytest.raises(DomainError, match="QA-7 cannot come in as implementing: Write the root cause"):
        capa_services.capa_import(actor=quality_manager, status="implementing", **fields)
    with pytest.raises(DomainError, match="Only open CAPAs are imported"):
        capa_services.capa_import(actor=quality_manager, status="closed", **fields)
    capa_services.capa_import(actor=quality_manager, status="open", **fields)
    with pytest.raises(ConflictError, match="qa-7 was imported before"):
        capa_services.capa_import(actor=quality_manager, status="open", **{**fields, "imported_reference": "qa-7"})


# --- From the command line ------------------------------------------------------------------------------------------


def test_the_command_checks_with_dry_run_then_imports(
    quality_manager: Any, employee: Any, production: Any, tmp_path: Path
) -> None:
    capas, actions = tmp_path / "capas.csv", tmp_path / "actions.csv"
    capas.write_bytes(_good_capas(employee.username))
    actions.write_bytes(_good_actions(employee.username))
    out = io.StringIO()
    call_command("import_capas", capas, actions, "--as", quality_manager.username, "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "  note: 1 CAPA(s) closed or cancelled in the earlier system are not imported, nor their actions (line 7 of "
        "the CAPA list).",
        "Dry run: 7 to import, 3 already there or not open.",
    ]
    assert not Capa.objects.exists()

    out = io.StringIO()
    call_command("import_capas", capas, actions, "--as", quality_manager.username, stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[1:] == [
        "  line 2 (QA-101): Imported as CAPA-0001.",
        "  line 3 (QA-102): Imported as CAPA-0002.",
        "  line 4 (QA-103): Imported as CAPA-0003.",
        "  line 6 (QA-104): Imported as CAPA-0004.",
        "Imported 7; 3 were already there or not open.",
    ]
    assert CapaAction.objects.get(capa__imported_reference="QA-104").history.get().history_change_reason == (
        "Imported from actions.csv, line 3"
    )

    # Without an actions list; one wrong line and nothing is imported.
    alone = tmp_path / "more.csv"
    alone.write_bytes(_csv(COLUMNS, [{"reference": "QA-200", "title": "T", "source": "internal", "problem": "P"}]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_capas", alone, "--as", quality_manager.username, stdout=out)
    assert out.getvalue().splitlines() == [
        "  line 2 (QA-200): The owner is missing. The due date is missing.",
    ]
    assert not Capa.objects.filter(imported_reference="QA-200").exists()
    with pytest.raises(CommandError, match="is not an active quality manager"):
        call_command("import_capas", alone, "--as", employee.username)
