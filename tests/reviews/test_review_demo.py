"""The demo's management reviews: last year's, signed by the managing director, its actions handed over to a CAPA, an
idea and a change request (and two plain ones); this year's in preparation, whose earlier-actions input shows them.
Seeding again adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qms.models import Signature
from qms.reviews.models import ManagementReview, ReviewAction


# Each part below checks one promise of the demo (seeded once for the session: tests/conftest.py).
def test_seed_demo_builds_a_signed_review_and_one_in_preparation_and_adds_nothing_when_run_again(seeded_demo):
    assert "Demo management reviews: " in seeded_demo.first_output
    assert "reviews are already there, none added" in seeded_demo.second_output
    assert seeded_demo.unchanged_by_second_run(ManagementReview, ReviewAction)
    year = timezone.localdate().year

    last, this = ManagementReview.objects.order_by("period_end")
    assert (last.reference, this.reference) == (f"MR-{year - 1}-001", f"MR-{year}-001")
    assert last.status == ManagementReview.Status.SIGNED and this.status == ManagementReview.Status.PREPARING
    assert last.chair.username == "ceo" and last.signature.meaning == Signature.Meaning.APPROVED
    assert last.held_on < timezone.localdate() - timedelta(days=90)
    assert last.conclusion and last.minutes and last.issues

    # Its story happened on its days: started, held and signed weeks ago, not today.
    assert last.history.filter(history_date__date__lt=timezone.localdate()).count() >= 3
    actions = {action.number: action for action in last.actions.select_related("capa", "idea", "change_request")}
    assert actions[1].capa is not None and actions[1].capa.review_action == actions[1]
    assert actions[2].change_request is not None
    assert actions[3].idea is not None and actions[3].idea.champion.username == "log.lead"
    assert actions[4].status == ReviewAction.Status.DONE
    assert actions[5].status == ReviewAction.Status.OPEN

    # This year's review shows where last year's actions stand.
    earlier = next(section for section in this.inputs["sections"] if section["key"] == "earlier_actions")
    facts = {fact["label"]: fact["value"] for fact in earlier["facts"]}
    assert facts["Actions reviewed"] == 5 and facts["Done"] == 1
    assert facts["Became a CAPA"] == facts["Became an improvement idea"] == 1
    assert facts["Became a document change request"] == 1
    cells = {row[0]["text"]: row for row in earlier["tables"][0]["rows"]}
    assert cells[f"{last.reference}/A1"][4]["text"] == actions[1].capa.reference
    assert cells[f"{last.reference}/A1"][5] == f"{actions[1].capa.reference} implementing"
