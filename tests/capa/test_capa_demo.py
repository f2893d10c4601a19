from collections import Counter
from datetime import timedelta

from django.utils import timezone

from audits.models import Audit, Finding
from capa.models import Capa, CapaAction, EffectivenessCheck, Nonconformity
from documents.models import Revision
from qms.roles import Role


# Each part below checks one promise of the demo (seeded once for the session: tests/conftest.py).
def test_seed_demo_builds_a_capa_register_in_every_state_and_adds_nothing_when_run_again(seeded_demo):
    output = seeded_demo.first_output
    assert "Demo CAPAs: " in output
    assert "stopped early" not in output
    now = timezone.now()

    # About twenty CAPAs in every state, opened over the last months; some are overdue, and so are some actions.
    capas = Capa.objects.all()
    assert 18 <= capas.count() <= 25
    assert set(capas.values_list("status", flat=True)) == set(Capa.Status.values)
    assert capas.filter(created_at__lt=now - timedelta(days=150)).exists()
    assert capas.filter(created_at__gt=now - timedelta(days=1)).exists()
    assert sum(capa.is_overdue for capa in capas) >= 2
    assert sum(action.is_overdue for action in CapaAction.objects.all()) >= 2
    sources = set(capas.values_list("source", flat=True))
    assert sources >= {"audit_finding", "internal", "supplier", "customer_complaint"}
    # Their history is dated when each step happened, not all today.
    oldest = capas.order_by("created_at").first()
    assert oldest.history.filter(history_date__lt=now - timedelta(days=100)).count() >= 3

    # Analyses by both methods; every CAPA past investigating has a root cause, and causes repeat.
    methods = set(capas.exclude(root_cause_method="").values_list("root_cause_method", flat=True))
    assert methods == set(Capa.Method.values)
    analysed = capas.filter(status__in=[Capa.Status.IMPLEMENTING, Capa.Status.VERIFYING, Capa.Status.CLOSED])
    assert not analysed.filter(root_cause="") and not analysed.filter(cause_category="")
    assert max(Counter(capas.exclude(cause_category="").values_list("cause_category", flat=True)).values()) >= 3
    assert max(Counter(capas.exclude(clause=None).values_list("clause__number", flat=True)).values()) >= 3

    # Closed CAPAs were signed effective by a quality manager; two failed checks are kept, one CAPA later closed.
    for capa in capas.filter(status=Capa.Status.CLOSED):
        check = capa.effectiveness_checks.get(result=EffectivenessCheck.Result.EFFECTIVE)
        assert check.signature is not None and check.verified_by.has_role(Role.QUALITY_MANAGER), capa
    closed = capas.filter(status=Capa.Status.CLOSED)
    assert sum(capa.closed_at.date() <= capa.due_date for capa in closed) == 5 == closed.count() - 2
    failed = EffectivenessCheck.objects.filter(result=EffectivenessCheck.Result.NOT_EFFECTIVE)
    assert failed.count() >= 2 and not failed.filter(signature=None)
    assert failed.filter(capa__status=Capa.Status.CLOSED).exists()
    assert failed.exclude(capa__status=Capa.Status.CLOSED).exists()
    assert capas.filter(status=Capa.Status.CANCELLED).exclude(cancel_reason="").exists()

    # Actions: owned by demo people, with evidence when done; two were done by a document revision taking effect.
    done = CapaAction.objects.filter(status=CapaAction.Status.DONE)
    assert not done.filter(evidence="")
    by_revision = done.filter(completed_by=None, change_request__revision__status=Revision.Status.EFFECTIVE)
    assert by_revision.count() >= 2
    assert CapaAction.objects.filter(status=CapaAction.Status.OPEN, change_request__isnull=False).exists()
    assert CapaAction.objects.filter(status=CapaAction.Status.CANCELLED).exclude(cancel_reason="").exists()

    # The log: entries awaiting triage, closed with a disposition and escalated; three customer complaints.
    nonconformities = Nonconformity.objects.all()
    assert set(nonconformities.values_list("status", flat=True)) == set(Nonconformity.Status.values)
    assert not nonconformities.filter(status=Nonconformity.Status.CLOSED, disposition="")
    for escalated in nonconformities.filter(status=Nonconformity.Status.ESCALATED):
        assert escalated.capas.exists(), escalated
    complaints = nonconformities.filter(source="customer_complaint")
    assert complaints.count() == 3
    assert not complaints.filter(customer="") and not complaints.filter(customer_reference="")
    assert not complaints.filter(reply_due=None)
    assert any(complaint.reply_overdue for complaint in complaints)

    # Every nonconformity of the audits waiting in reporting has its CAPA, so those audits can close.
    reporting = Finding.objects.filter(audit__status=Audit.Status.REPORTING, type__in=Finding.NONCONFORMITIES)
    assert reporting.exists()
    assert not reporting.filter(capas=None)

    # A second run leaves the log and the register alone.
    assert "nonconformities or CAPAs are already there" in seeded_demo.second_output
    assert seeded_demo.unchanged_by_second_run(Capa, Nonconformity, CapaAction)
