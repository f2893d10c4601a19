from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audits.models import Audit, ChecklistItem, Finding
from qms.models import Clause, Department, Signature


def _uncovered_top_level_clauses(year: int) -> list[str]:
    """Top-level clauses that no audit of the year (cancelled ones aside) covers, itself or by a sub-clause."""
    audited = set(
        Audit.objects.filter(programme__year=year)
        .exclude(status=Audit.Status.CANCELLED)
        .values_list("clauses__number", flat=True)
    )
    top_level = Clause.objects.filter(parent=None).values_list("number", flat=True)
    return [
        number
        for number in top_level
        if not any(clause == number or clause.startswith(number + ".") for clause in audited)
    ]


# Each part below checks one promise of the demo (seeded once for the session: tests/conftest.py).
def test_seed_demo_builds_an_audit_programme_in_every_state_and_adds_nothing_when_run_again(seeded_demo):
    output = seeded_demo.first_output
    assert "Demo audits: " in output
    assert "left in reporting" not in output
    today = timezone.localdate()

    # A programme across this year and the next, this year's audits in every state.
    assert Audit.objects.count() >= 10
    this_year = Audit.objects.filter(programme__year=today.year)
    assert set(this_year.values_list("status", flat=True)) == set(Audit.Status.values)
    assert Audit.objects.filter(programme__year=today.year + 1).exists()
    assert this_year.filter(status=Audit.Status.PLANNED, planned_start__range=(today, today + timedelta(days=21)))
    assert this_year.get(status=Audit.Status.CANCELLED).cancel_reason

    # Findings of every type, most raised from the checklist; fieldwork that is over left no question unanswered.
    assert Finding.objects.count() >= 25
    assert set(Finding.objects.values_list("type", flat=True)) == set(Finding.Type.values)
    assert Finding.objects.exclude(checklist_item=None).count() >= 20
    reported = [Audit.Status.REPORTING, Audit.Status.CLOSED]
    assert not ChecklistItem.objects.filter(audit__status__in=reported, result=ChecklistItem.Result.NOT_CHECKED)
    assert ChecklistItem.objects.exclude(notes="").count() >= 40
    assert Audit.objects.filter(documents__isnull=False).distinct().count() >= 5

    # Closed audits are signed by their lead auditor and hold no nonconformity (it would need a CAPA first).
    closed = Audit.objects.filter(status=Audit.Status.CLOSED)
    assert closed.count() >= 3
    audit_type = ContentType.objects.get_for_model(Audit)
    for audit in closed:
        signature = Signature.objects.get(content_type=audit_type, object_id=audit.pk, meaning=Signature.Meaning.CLOSED)
        assert signature.signer_id == audit.lead_auditor_id, audit
        assert not audit.findings.filter(type__in=Finding.NONCONFORMITIES).exists(), audit
        with audit.reports.get(final=True).file.open("rb") as report:  # closing froze the final report
            assert report.read(5) == b"%PDF-", audit

    # No auditor audits their own department.
    for audit in Audit.objects.exclude(department=None).select_related("lead_auditor").prefetch_related("team"):
        for auditor in [audit.lead_auditor, *audit.team.all()]:
            assert auditor.department_id != audit.department_id, (audit, auditor)

    # The coverage matrix has a gap to show: clause 6, and a department never audited.
    assert _uncovered_top_level_clauses(today.year) == ["6"]
    assert Department.objects.filter(audits=None).exists()

    # A second run leaves the audits alone.
    assert "audits are already there" in seeded_demo.second_output
    assert seeded_demo.unchanged_by_second_run(Audit, Finding)
