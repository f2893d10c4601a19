"""The CAPA state machine and its closing rule, taken through the services from every state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from capa import services
from capa.models import CLOSING_SIGNATURE, Capa, CapaAction, EffectivenessCheck
from qms.errors import DomainError, NotAllowed
from qms.history import history_of
from qms.models import Signature, SignatureFailure
from tests.capa.conftest import FIVE_WHYS, analyse, in_days, plan_action
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _verifying(capa: Capa, action: CapaAction, owner: Any) -> Capa:
    services.action_complete(actor=owner, action=action, evidence="Checklist v3 in use since Monday")
    return services.capa_advance(actor=owner, capa=capa, to=Capa.Status.VERIFYING)


def test_a_capa_goes_from_open_to_closed_through_a_failed_and_an_effective_check(open_capa, employee, quality_manager):
    capa = analyse(open_capa, employee)
    assert capa.status == Capa.Status.INVESTIGATING
    first = plan_action(capa, employee, employee)
    capa = services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    capa = _verifying(capa, first, employee)
    check = capa.effectiveness_checks.get()
    assert check.planned_date == timezone.localdate() + timedelta(days=90)
    assert check.result == ""

    capa = services.capa_verify(
        actor=quality_manager, capa=capa, effective=False, password=PASSWORD, comment="Two more pallets found"
    )
    assert capa.status == Capa.Status.INVESTIGATING
    failed = capa.effectiveness_checks.get()
    assert failed.result == EffectivenessCheck.Result.NOT_EFFECTIVE
    assert failed.signature is not None and failed.signature.meaning == Signature.Meaning.VERIFIED

    with pytest.raises(DomainError, match="last effectiveness check failed: plan at least one new action"):
        services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    second = plan_action(capa, quality_manager, employee, description="Floor marking for the hold area")
    capa = services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    capa = _verifying(capa, second, employee)
    capa = services.capa_verify(actor=quality_manager, capa=capa, effective=True, password=PASSWORD)

    assert capa.status == Capa.Status.CLOSED
    assert capa.closed_at is not None
    results = list(capa.effectiveness_checks.order_by("id").values_list("result", flat=True))
    assert results == ["not_effective", "effective"]
    reasons = [entry.reason for entry in history_of(capa)]
    assert "Not effective: back to investigating" in reasons
    assert "Effective: closed" in reasons


def test_the_effectiveness_check_is_planned_on_the_given_date(implementing, employee):
    capa, action = implementing
    services.action_complete(actor=employee, action=action, evidence="Done")
    capa = services.capa_advance(
        actor=employee, capa=capa, to=Capa.Status.VERIFYING, planned_date=in_days(30), criteria="No mix-up in 30 days"
    )
    check = capa.effectiveness_checks.get()
    assert (check.planned_date, check.criteria) == (in_days(30), "No mix-up in 30 days")


# --- The state machine from every state ------------------------------------------------------------------------------

STEPS = ["investigating", "implementing", "verifying", "closed"]


def _capa_in(state: str, open_capa: Capa, employee: Any, quality_manager: Any) -> Capa:
    """A CAPA brought, by the services, to `state`, each step meeting its rules."""
    capa = open_capa
    if state == "open":
        return capa
    if state == "cancelled":
        return services.capa_cancel(actor=quality_manager, capa=capa, reason="Duplicate of CAPA-0007")
    capa = analyse(capa, employee)
    if state == "investigating":
        return capa
    action = plan_action(capa, employee, employee)
    capa = services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    if state == "implementing":
        return capa
    capa = _verifying(capa, action, employee)
    if state == "verifying":
        return capa
    return services.capa_verify(actor=quality_manager, capa=capa, effective=True, password=PASSWORD)


ALLOWED = {("open", "investigating"), ("investigating", "implementing"), ("implementing", "verifying")}


@pytest.mark.parametrize("state", ["open", "investigating", "implementing", "verifying", "closed", "cancelled"])
@pytest.mark.parametrize("target", ["investigating", "implementing", "verifying"])
def test_advance_moves_only_one_step_forward(state, target, open_capa, employee, quality_manager):
    capa = _capa_in(state, open_capa, employee, quality_manager)
    if (state, target) in ALLOWED:
        if state == "investigating":
            plan_action(capa, employee, employee)
        if state == "implementing":
            services.action_complete(actor=employee, action=capa.actions.get(), evidence="Done")
        assert services.capa_advance(actor=quality_manager, capa=capa, to=target).status == target
        return
    history_before = capa.history.count()
    with pytest.raises(DomainError, match=f"can move to {target}; this one is {state}"):
        services.capa_advance(actor=quality_manager, capa=capa, to=target)
    capa.refresh_from_db()
    assert capa.status == state
    assert capa.history.count() == history_before


@pytest.mark.parametrize("state", ["open", "investigating", "implementing", "closed", "cancelled"])
def test_verifying_is_refused_outside_verifying_and_signs_nothing(state, open_capa, employee, quality_manager):
    capa = _capa_in(state, open_capa, employee, quality_manager)
    signatures = Signature.objects.count()
    with pytest.raises(DomainError, match="Only a CAPA in verifying has its effectiveness checked"):
        services.capa_verify(actor=quality_manager, capa=capa, effective=True, password=PASSWORD)
    assert Signature.objects.count() == signatures
    capa.refresh_from_db()
    assert capa.status == state


@pytest.mark.parametrize("state", ["open", "investigating", "implementing", "verifying"])
def test_a_quality_manager_cancels_an_open_capa_with_a_reason(state, open_capa, employee, quality_manager):
    capa = _capa_in(state, open_capa, employee, quality_manager)
    with pytest.raises(DomainError, match="Say why"):
        services.capa_cancel(actor=quality_manager, capa=capa, reason=" ")
    with pytest.raises(NotAllowed):
        services.capa_cancel(actor=employee, capa=capa, reason="Not needed")
    capa = services.capa_cancel(actor=quality_manager, capa=capa, reason="Raised twice")
    assert (capa.status, capa.cancel_reason) == (Capa.Status.CANCELLED, "Raised twice")


@pytest.mark.parametrize("state", ["closed", "cancelled"])
def test_an_ended_capa_never_changes_again(state, open_capa, employee, quality_manager):
    capa = _capa_in(state, open_capa, employee, quality_manager)
    with pytest.raises(DomainError, match="cannot be cancelled"):
        services.capa_cancel(actor=quality_manager, capa=capa, reason="Again")
    with pytest.raises(DomainError, match="no longer changes"):
        services.capa_update(actor=quality_manager, capa=capa, title="Edited afterwards")
    with pytest.raises(DomainError, match="no longer added"):
        plan_action(capa, quality_manager, employee)
    capa.refresh_from_db()
    assert capa.title == "Rejected bottles stored with released stock"


# --- What blocks each step, in words -------------------------------------------------------------------------------


def test_implementing_needs_a_root_cause_its_category_an_analysis_and_an_action(open_capa, employee):
    capa = services.capa_advance(actor=employee, capa=open_capa, to=Capa.Status.INVESTIGATING)
    with pytest.raises(DomainError) as refused:
        services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    message = refused.value.message
    for missing in ("Write the root cause", "cause category", "5 Whys chain or a fishbone", "at least one action"):
        assert missing in message


def test_verifying_needs_every_action_done_or_cancelled(implementing, employee):
    capa, first = implementing
    second = plan_action(capa, employee, employee, description="Retrain the shift leads")
    services.action_complete(actor=employee, action=first, evidence="Checklist updated")
    with pytest.raises(DomainError, match=f"{second.label} still open"):
        services.capa_advance(actor=employee, capa=capa, to=Capa.Status.VERIFYING)
    services.action_cancel(actor=employee, action=second, reason="Covered by the checklist change")
    assert services.capa_advance(actor=employee, capa=capa, to=Capa.Status.VERIFYING).status == "verifying"


def test_verifying_needs_at_least_one_action_done(implementing, employee):
    capa, action = implementing
    services.action_cancel(actor=employee, action=action, reason="Not the right fix")
    with pytest.raises(DomainError, match="At least one action must be done"):
        services.capa_advance(actor=employee, capa=capa, to=Capa.Status.VERIFYING)


def test_the_page_and_the_services_read_the_same_blockers(implementing):
    capa, action = implementing
    blockers = capa.blockers_for(Capa.Status.CLOSED, [action], [])
    assert blockers[0] == "Only a CAPA in verifying can move to closed; this one is implementing."
    assert any(action.label in blocker for blocker in blockers)
    gaps = capa.closing_gaps([action], [])
    assert gaps == [*blockers[1:], CLOSING_SIGNATURE]
    assert capa.blockers_for(Capa.Status.IMPLEMENTING, [action], []) == [
        "Only a CAPA in investigating can move to implementing; this one is implementing."
    ]


def test_only_the_owner_and_quality_managers_move_a_capa(open_capa, auditor):
    with pytest.raises(NotAllowed):
        services.capa_advance(actor=auditor, capa=open_capa, to=Capa.Status.INVESTIGATING)


# --- Signatures ----------------------------------------------------------------------------------------------------


def test_a_wrong_password_signs_nothing_and_is_logged(implementing, employee, quality_manager):
    capa, action = implementing
    capa = _verifying(capa, action, employee)
    with pytest.raises(DomainError, match="password is not correct"):
        services.capa_verify(actor=quality_manager, capa=capa, effective=True, password="wrong")
    capa.refresh_from_db()
    assert capa.status == Capa.Status.VERIFYING
    assert capa.effectiveness_checks.get().result == ""
    assert SignatureFailure.objects.filter(user=quality_manager).count() == 1


def test_only_a_quality_manager_verifies_and_not_effective_needs_a_reason(implementing, employee, auditor):
    capa, action = implementing
    capa = _verifying(capa, action, employee)
    with pytest.raises(NotAllowed):
        services.capa_verify(actor=employee, capa=capa, effective=True, password=PASSWORD)
    with pytest.raises(NotAllowed):
        services.capa_verify(actor=auditor, capa=capa, effective=True, password=PASSWORD)


def test_not_effective_needs_a_comment(implementing, employee, quality_manager):
    capa, action = implementing
    capa = _verifying(capa, action, employee)
    with pytest.raises(DomainError, match="did not work"):
        services.capa_verify(actor=quality_manager, capa=capa, effective=False, password=PASSWORD)


# --- Actions -------------------------------------------------------------------------------------------------------


def test_only_the_owner_completes_an_action_and_nothing_is_half_written(implementing, quality_manager, auditor):
    _capa, action = implementing
    for someone_else in (quality_manager, auditor):
        with pytest.raises(NotAllowed, match="who owns"):
            services.action_complete(actor=someone_else, action=action, evidence="Done by me")
    action.refresh_from_db()
    assert (action.status, action.evidence, action.completed_at) == (CapaAction.Status.OPEN, "", None)


def test_completing_needs_evidence_and_happens_once(implementing, employee):
    _capa, action = implementing
    with pytest.raises(DomainError, match="Describe what was done"):
        services.action_complete(actor=employee, action=action, evidence="  ")
    action = services.action_complete(actor=employee, action=action, evidence="Checklist v3")
    assert action.status == CapaAction.Status.DONE and action.completed_by == employee
    with pytest.raises(DomainError, match="already done"):
        services.action_complete(actor=employee, action=action, evidence="Again")


def test_evidence_files_are_checked_and_kept(implementing, employee, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    _capa, action = implementing
    executable = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png")
    with pytest.raises(DomainError):
        services.action_complete(actor=employee, action=action, evidence="Photo", files=[executable])
    action.refresh_from_db()
    assert action.status == CapaAction.Status.OPEN
    assert not list(tmp_path.rglob("*.*"))

    record = SimpleUploadedFile("shift checklist.txt", b"Clear hold area: done\n", content_type="text/plain")
    action = services.action_complete(actor=employee, action=action, evidence="See checklist", files=[record])
    kept = action.evidence_files.get()
    assert kept.original_filename == "shift checklist.txt"
    assert len(kept.sha256) == 64 and kept.size == 22


def test_due_dates_in_the_past_are_refused_for_actions(open_capa, employee):
    with pytest.raises(DomainError, match="due date cannot be in the past") as refused:
        services.action_create(actor=employee, capa=open_capa, description="Late", owner=employee, due_date=in_days(-1))
    assert refused.value.field == "due_date"
    assert not open_capa.actions.exists()


def test_actions_are_numbered_within_their_capa(open_capa, employee):
    first = plan_action(open_capa, employee, employee)
    second = plan_action(open_capa, employee, employee, description="Second")
    assert (first.label, second.label) == (f"{open_capa.reference}/A1", f"{open_capa.reference}/A2")


def test_cancelling_an_action_needs_a_reason_and_the_capa_owner(implementing, employee, auditor):
    _capa, action = implementing
    with pytest.raises(DomainError, match="Say why"):
        services.action_cancel(actor=employee, action=action, reason="")
    with pytest.raises(NotAllowed):
        services.action_cancel(actor=auditor, action=action, reason="Mine now")


# --- Analysis ------------------------------------------------------------------------------------------------------


def test_a_fishbone_keeps_its_causes_by_category(open_capa, employee):
    capa = services.capa_update(
        actor=employee,
        capa=open_capa,
        root_cause_method=Capa.Method.FISHBONE,
        root_cause_analysis={"people": ["New starter", " "], "machine": [], "measurement": ["Scale drift"]},
    )
    assert capa.root_cause_analysis == {"people": ["New starter"], "measurement": ["Scale drift"]}


@pytest.mark.parametrize(
    ("method", "analysis", "message"),
    [
        ("five_whys", {"why": "x"}, "list of"),
        ("five_whys", [{"why": "Why?", "because": ""}], "Why 1 needs both"),
        ("five_whys", [{"why": "w", "because": "b"}] * 11, "to 10 whys"),
        ("fishbone", {"money": ["Budget"]}, "Unknown categories: money"),
        ("fishbone", {"people": "Tired"}, "people causes are a list"),
        ("fishbone", ["people"], "6M categories"),
        ("", FIVE_WHYS, "Choose the method"),
        ("guessing", FIVE_WHYS, "Choose 5 Whys or fishbone"),
    ],
)
def test_a_malformed_analysis_is_refused_with_its_reason(open_capa, employee, method, analysis, message):
    with pytest.raises(DomainError, match=message):
        services.capa_update(actor=employee, capa=open_capa, root_cause_method=method, root_cause_analysis=analysis)
    open_capa.refresh_from_db()
    assert open_capa.root_cause_analysis == []


def test_the_analysis_is_fixed_while_implementing(implementing, employee):
    capa, _action = implementing
    with pytest.raises(DomainError, match="fixed once actions are being implemented"):
        services.capa_update(actor=employee, capa=capa, root_cause="Something else")
    capa = services.capa_update(actor=employee, capa=capa, containment="Pallets re-labelled")
    assert capa.containment == "Pallets re-labelled"


def test_unknown_fields_and_other_peoples_capas_are_refused(open_capa, auditor, employee):
    with pytest.raises(DomainError, match="cannot be changed here: status"):
        services.capa_update(actor=employee, capa=open_capa, status="closed")
    with pytest.raises(NotAllowed):
        services.capa_update(actor=auditor, capa=open_capa, title="Mine")


def test_cancelling_a_capa_ends_its_open_actions_with_the_reason(implementing, employee, quality_manager):
    capa, action = implementing
    services.capa_cancel(actor=quality_manager, capa=capa, reason="Merged into CAPA-0009")
    action.refresh_from_db()
    assert action.status == CapaAction.Status.CANCELLED
    assert action.cancel_reason == f"{capa.reference} cancelled: Merged into CAPA-0009"


def test_a_default_check_date_is_never_in_the_past(implementing, employee):
    capa, action = implementing
    services.action_complete(actor=employee, action=action, evidence="Done")
    action.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(days=200)):
        capa = services.capa_advance(actor=employee, capa=capa, to=Capa.Status.VERIFYING)
        assert capa.effectiveness_checks.get().planned_date == timezone.localdate()
