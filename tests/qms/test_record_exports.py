"""Exporting people and open records for moving out (qms/imports: export_users, export_audits, export_capas and their
actions, export_ideas): the lists are the imports' own, so importing an export into a QMS without those records gives
the same records back (round trip); the command and the import page's downloads; an earlier system's reference found
by the registers' searches and written in the evidence pack's registers."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from audits.models import Audit
from audits.services import audit_create, audit_import
from capa.models import Capa, CapaAction
from capa.services import ImportedAction, action_cancel, capa_create, capa_import
from improvement.models import Idea
from improvement.services import idea_import, idea_submit
from qms.evidence.registers import audit_register, capa_register, idea_register
from qms.imports.audits import export_audits, import_audits
from qms.imports.capas import export_capa_actions, export_capas, import_capas
from qms.imports.ideas import export_ideas, import_ideas
from qms.imports.users import check_users, export_users, import_users
from qms.models import Clause, Department, User
from qms.periods import Period
from qms.services import user_update
from tests.qms.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = TODAY - timedelta(days=30)
NEXT_MONTH = TODAY + timedelta(days=30)


class _RolledBack(Exception):
    pass


def _clauses(*numbers: str) -> list[Clause]:
    return list(Clause.objects.filter(number__in=numbers))


def _make_a_quality_system(manager: User) -> None:
    """People (one who has left), planned audits, CAPAs in every open state and ideas at every open stage, made through
    the services; and what an export leaves out: a CAPA closed, an action cancelled, an audit under way."""
    quality: Any = DepartmentFactory(name="Quality assurance", code="QA")
    production: Any = DepartmentFactory(name="Production", code="PROD")
    lead: Any = UserFactory(
        username="priya.nair", roles=["auditor", "employee"], department=quality, job_title="Auditor"
    )
    operator: Any = UserFactory(username="tom.lee", roles=["employee"], department=production, first_name="=Tom")
    leaver: Any = UserFactory(username="old.hand", roles=["employee"], department=production)
    user_update(actor=manager, user=leaver, is_active=False, reason="Left the company")

    audit_create(
        actor=manager,
        title="Production control",
        scope="Filling lines 1 and 2,\nall shifts",
        clauses=_clauses("8.5.1", "8.7"),
        lead_auditor=lead,
        planned_start=NEXT_MONTH,
        planned_end=NEXT_MONTH + timedelta(days=1),
        department=production,
        auditees=[operator],
    )
    audit_import(
        actor=manager,
        imported_reference="AP-77",
        origin="old.csv, line 2",
        title="+Purchasing",
        scope="Supplier approval",
        clauses=_clauses("8.4"),
        lead_auditor=lead,
        planned_start=LAST_MONTH,
        planned_end=LAST_MONTH,
    )
    under_way = audit_create(
        actor=manager,
        title="Already started",
        scope="Left out",
        clauses=_clauses("7.5"),
        lead_auditor=lead,
        planned_start=TODAY,
        planned_end=TODAY,
    )
    Audit.objects.filter(pk=under_way.pk).update(status=Audit.Status.IN_PROGRESS)

    capa_create(
        actor=manager,
        title="Label smudges",
        source="internal",
        problem="Labels smudge on humid days.",
        owner=operator,
        due_date=NEXT_MONTH,
        department=production,
        clause=_clauses("8.5.1")[0],
    )
    common: dict[str, Any] = {
        "actor": manager,
        "source": "customer_complaint",
        "problem": "Loose caps",
        "owner": operator,
    }
    five_whys = [
        {"why": "Why were caps loose?", "because": "Torque was low."},
        {"why": "Why was torque low?", "because": "The head was worn; nobody checks it."},
    ]
    capa_import(
        **common,
        imported_reference="QA-1",
        origin="old.csv, line 2",
        status="investigating",
        title="@Loose caps",
        due_date=LAST_MONTH,
        severity="high",
        containment="Lot 2211 held",
        opened_on=LAST_MONTH - timedelta(days=10),
        root_cause_method="five_whys",
        root_cause_analysis=five_whys,
    )
    implementing = capa_import(
        **common,
        imported_reference="QA-2",
        origin="old.csv, line 3",
        status="implementing",
        title="Fishbone CAPA",
        kind="preventive",
        due_date=NEXT_MONTH,
        root_cause="Worn capping heads",
        cause_category="machine",
        root_cause_method="fishbone",
        root_cause_analysis={"machine": ["Worn head", "No spare"], "method": ["No torque check"]},
        actions=[
            ImportedAction("Replace the head", operator, LAST_MONTH, "a.csv, line 2", LAST_MONTH, "Work order 7"),
            ImportedAction("Add a torque check", lead, NEXT_MONTH, "a.csv, line 3"),
            ImportedAction("Drop me", operator, NEXT_MONTH, "a.csv, line 4"),
        ],
    )
    action_cancel(actor=manager, action=implementing.actions.get(number=3), reason="Not needed after all")
    capa_import(
        **common,
        imported_reference="QA-3",
        origin="old.csv, line 4",
        status="verifying",
        title="Verifying CAPA",
        due_date=NEXT_MONTH,
        root_cause="Training gap",
        cause_category="people",
        root_cause_method="five_whys",
        root_cause_analysis=[{"why": "Why untrained?", "because": "No plan"}],
        actions=[ImportedAction("Train the shift", operator, LAST_MONTH, "a.csv, line 5", LAST_MONTH)],
        check_date=NEXT_MONTH,
        check_criteria="No loose cap in 3 months",
    )
    closed = capa_import(
        **common, imported_reference="QA-4", origin="old.csv, line 5", status="open", title="Closed", due_date=TODAY
    )
    Capa.objects.filter(pk=closed.pk).update(status=Capa.Status.CLOSED)

    idea_submit(actor=operator, title="Anonymous idea", problem="", proposal="Ask me not", anonymous=True)
    notes = {"target_metric": "Minutes", "baseline": "12", "target": "4"}
    for reference, stage, extra in [
        ("S-1", "submitted", {"submitter": leaver}),
        ("S-2", "accepted", {"champion": lead}),
        ("S-3", "do", {"champion": lead, **notes}),
        ("S-4", "act", {"champion": lead, **notes, "do_notes": "Tried it", "measured_result": "5 minutes"}),
        ("S-5", "parked", {"decision_reason": "After the roof repair"}),
    ]:
        idea_import(
            actor=manager,
            imported_reference=reference,
            origin=f"ideas.csv, {reference}",
            title=f"Idea {reference}",
            problem="A problem; with a semicolon",
            proposal="-A proposal that looks like a formula",
            stage=stage,
            category="time",
            department=production,
            submitted_on=LAST_MONTH,
            **extra,
        )
    rejected = idea_import(actor=manager, imported_reference="S-6", origin="x", title="No", problem="", proposal="No")
    Idea.objects.filter(pk=rejected.pk).update(stage=Idea.Stage.REJECTED, decision_reason="No")


def _people() -> dict[str, tuple[Any, ...]]:
    return {
        user.username: (
            user.first_name,
            user.last_name,
            user.email,
            user.department.name if user.department else "",
            sorted(user.roles),
            user.job_title,
            user.is_active,
        )
        for user in User.objects.select_related("department")
    }


def _audits(key: str) -> dict[str, tuple[Any, ...]]:
    return {
        getattr(audit, key): (
            audit.title,
            audit.scope,
            audit.department.name if audit.department else "",
            sorted(clause.number for clause in audit.clauses.all()),
            audit.lead_auditor.username,
            sorted(person.username for person in audit.team.all()),
            sorted(person.username for person in audit.auditees.all()),
            audit.planned_start,
            audit.planned_end,
            audit.status,
        )
        for audit in Audit.objects.filter(status=Audit.Status.PLANNED)
    }


def _capas(key: str) -> dict[str, tuple[Any, ...]]:
    return {
        getattr(capa, key): (
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
            capa.root_cause_analysis,
            [(check.planned_date, check.criteria, check.result) for check in capa.effectiveness_checks.all()],
            [
                (
                    action.number,
                    action.description,
                    action.owner.username,
                    action.due_date,
                    action.status,
                    timezone.localdate(action.completed_at) if action.completed_at else None,
                    action.evidence,
                )
                for action in capa.actions.exclude(status=CapaAction.Status.CANCELLED).order_by("number")
            ],
        )
        for capa in Capa.objects.filter(status__in=Capa.IMPORTABLE)
    }


def _ideas(key: str) -> dict[str, tuple[Any, ...]]:
    notes = ("target_metric", "baseline", "target", "do_notes", "measured_result")
    return {
        getattr(idea, key): (
            idea.title,
            idea.problem,
            idea.proposal,
            idea.expected_benefit,
            idea.category,
            idea.department.name if idea.department else "",
            idea.submitter.username if idea.submitter else "",
            idea.anonymous or idea.submitter is None,
            timezone.localdate(idea.created_at),
            idea.stage,
            idea.champion.username if idea.champion else "",
            idea.decision_reason,
            *(getattr(idea, note) for note in notes),
        )
        for idea in Idea.objects.filter(stage__in=Idea.IMPORTABLE)
    }


def _as_csv(rows: Any) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_an_export_of_people_and_open_records_imports_back_as_the_same_records(
    quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The records are made, exported and rolled back: the imports then meet a database without them, as a new QMS
    # would (the quality manager who imports was there before, as the one who installs a new QMS is).
    with pytest.raises(_RolledBack), transaction.atomic():
        _make_a_quality_system(quality_manager)
        exported = {
            "users": _as_csv(export_users(actor=quality_manager)),
            "audits": _as_csv(export_audits(actor=quality_manager)),
            "capas": _as_csv(export_capas(actor=quality_manager)),
            "actions": _as_csv(export_capa_actions(actor=quality_manager)),
            "ideas": _as_csv(export_ideas(actor=quality_manager)),
        }
        before = {
            "people": _people(),
            "audits": _audits("reference"),
            "capas": _capas("reference"),
            "ideas": _ideas("reference"),
        }
        raise _RolledBack
    assert not Capa.objects.exists() and not User.objects.filter(username="tom.lee").exists()
    assert len(before["audits"]) == 2 and len(before["capas"]) == 4 and len(before["ideas"]) == 6

    with django_capture_on_commit_callbacks(execute=True):  # the invitations leave once the import has committed
        people = import_users(exported["users"], actor=quality_manager, source="users.csv")
    reports = [
        people,
        import_audits(exported["audits"], actor=quality_manager, source="audits.csv"),
        import_capas(exported["capas"], exported["actions"], actor=quality_manager, source="capas.csv"),
        import_ideas(exported["ideas"], actor=quality_manager, source="ideas.csv"),
    ]
    for report in reports:
        assert report.ok, report.as_dict()
    assert reports[0].count("skip") == 1  # the quality manager
    after = {
        "people": _people(),
        "audits": _audits("imported_reference"),
        "capas": _capas("imported_reference"),
        "ideas": _ideas("imported_reference"),
    }
    assert after == before
    # Invited: the people who work here, not the one who has left.
    invited = sorted(address for message in mail.outbox for address in message.to)
    assert "old.hand@example.com" not in invited and "tom.lee@example.com" in invited


def test_the_exports_leave_out_what_their_imports_would_not_take(quality_manager: Any) -> None:
    _make_a_quality_system(quality_manager)
    audits = list(export_audits(actor=quality_manager))
    capas = list(export_capas(actor=quality_manager))
    actions = list(export_capa_actions(actor=quality_manager))
    ideas = list(export_ideas(actor=quality_manager))
    assert "Already started" not in str(audits)  # under way: no longer a plan
    assert [row[0] for row in capas[1:]] == sorted(row[0] for row in capas[1:]) and len(capas) == 5  # not the closed
    assert "Drop me" not in str(actions) and len(actions) == 4
    assert len(ideas) == 7 and "S-6" not in {row[0] for row in ideas}  # the rejected one stays
    # A cell a spreadsheet would run is kept text, and reads back without its guard.
    assert "'+Purchasing" in str(audits) and "'@Loose caps" in str(capas)
    leaver = next(row for row in export_users(actor=quality_manager) if row[0] == "old.hand")
    assert leaver[-1] == "no"


def test_a_person_listed_as_not_active_comes_in_deactivated_and_uninvited(
    quality_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    listed = (
        b"username,email,roles,active\n"
        b"gone.person,gone@example.com,employee,no\n"
        b"new.person,new@example.com,employee,\n"
        b"odd.person,odd@example.com,employee,perhaps\n"
    )
    report = check_users(listed, actor=quality_manager)
    assert [row.outcome for row in report.rows] == ["create", "create", "error"]
    assert "deactivated" in report.rows[0].messages[0] and "yes or no" in report.rows[2].messages[0]

    with django_capture_on_commit_callbacks(execute=True):
        report = import_users(listed.rsplit(b"\n", 2)[0] + b"\n", actor=quality_manager, source="people.csv")
    assert report.ok, report.as_dict()
    assert not User.objects.get(username="gone.person").is_active
    assert User.objects.get(username="new.person").is_active
    assert [message.to for message in mail.outbox] == [["new@example.com"]]


def test_the_command_writes_each_list_and_the_capas_actions_beside_them(quality_manager: Any, tmp_path: Path) -> None:
    _make_a_quality_system(quality_manager)
    out = io.StringIO()
    call_command(
        "export_records",
        "capas",
        tmp_path / "capas.csv",
        tmp_path / "actions.csv",
        "--as",
        "quality.manager",
        stdout=out,
    )
    assert "Exported 4 rows" in out.getvalue() and "Exported 3 rows" in out.getvalue()
    with (tmp_path / "actions.csv").open(encoding="utf-8") as written:
        assert next(csv.reader(written))[0] == "capa_reference"
    call_command("export_records", "users", tmp_path / "people.csv", "--as", "quality.manager", stdout=out)
    assert "old.hand" in (tmp_path / "people.csv").read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="second file"):
        call_command("export_records", "capas", tmp_path / "capas.csv", "--as", "quality.manager")
    with pytest.raises(CommandError, match="one list"):
        call_command("export_records", "ideas", tmp_path / "a.csv", tmp_path / "b.csv", "--as", "quality.manager")
    with pytest.raises(CommandError, match="not an active quality manager"):
        call_command("export_records", "ideas", tmp_path / "a.csv", "--as", "tom.lee")


def test_the_import_page_offers_each_export_to_quality_managers_only(
    quality_manager: Any, employee: Any, client: Any
) -> None:
    _make_a_quality_system(quality_manager)
    client.force_login(quality_manager)
    page = client.get("/imports/").content.decode()
    for link in ["users/export.csv", "audits/export.csv", "capas/export.csv", "capas/second-export.csv"]:
        assert f"/imports/{link}" in page
    assert "export_documents MASTER.csv FILES.zip" in page

    response = client.get("/imports/ideas/export.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"ideas-{TODAY}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["reference", "title"] and len(rows) == 7
    actions = client.get("/imports/capas/second-export.csv")
    assert b"".join(actions.streaming_content).startswith(b"capa_reference,")
    assert client.get("/imports/documents/export.csv").status_code == 404
    assert client.get("/imports/ideas/second-export.csv").status_code == 404
    assert client.get("/imports/nothing/export.csv").status_code == 404

    client.force_login(employee)
    assert client.get("/imports/users/export.csv").status_code == 403


def test_an_earlier_reference_finds_its_record_and_is_in_the_evidence_registers(
    quality_manager: Any, client: Any
) -> None:
    _make_a_quality_system(quality_manager)
    capa = Capa.objects.get(imported_reference="QA-2")
    idea = Idea.objects.get(imported_reference="S-3")
    audit = Audit.objects.get(imported_reference="AP-77")
    client.force_login(quality_manager)
    assert capa.reference in client.get("/capa/", {"q": "qa-2"}).content.decode()
    assert idea.reference in client.get("/improvement/ideas/", {"q": "s-3"}).content.decode()
    for endpoint, record in [("/api/v1/capas/", capa), ("/api/v1/ideas/", idea), ("/api/v1/audits/", audit)]:
        found = client.get(endpoint, {"search": record.imported_reference}).json()["results"]
        assert [row["reference"] for row in found] == [record.reference], endpoint

    year = Period(start=date(TODAY.year - 1, 1, 1), end=date(TODAY.year + 1, 12, 31))
    for register, record in [(capa_register, capa), (idea_register, idea), (audit_register, audit)]:
        header, *rows = register(quality_manager, year)
        row = next(row for row in rows if row[0] == record.reference)
        assert row[header.index("earlier_reference")] == record.imported_reference
    assert Department.objects.filter(code="QA").exists()
