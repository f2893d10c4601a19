from datetime import timedelta

from django.utils import timezone

from documents.models import Revision
from improvement.models import Attachment, Comment, Idea, StageChange, Vote
from improvement.selectors import participation_by_department
from qms.models import Notification


# Each part below checks one promise of the demo (seeded once for the session: tests/conftest.py).
def test_seed_demo_builds_a_year_of_ideas_in_every_stage_and_adds_nothing_when_run_again(seeded_demo):
    output = seeded_demo.first_output
    assert "Demo ideas: " in output
    assert "stopped early" not in output
    now = timezone.now()

    # About sixty ideas in every stage and category, submitted over the last twelve months, with dated histories.
    ideas = Idea.objects.all()
    assert 55 <= ideas.count() <= 70
    assert set(ideas.values_list("stage", flat=True)) == set(Idea.Stage.values)
    assert set(ideas.values_list("category", flat=True)) == set(Idea.Category.values)
    assert ideas.filter(created_at__lt=now - timedelta(days=300)).exists()
    assert ideas.filter(created_at__gt=now - timedelta(days=1)).exists()
    oldest = ideas.order_by("created_at").first()
    assert oldest.reference == "IDEA-0001"
    assert oldest.history.filter(history_date__lt=now - timedelta(days=300)).exists()
    assert StageChange.objects.filter(at__lt=now - timedelta(days=200)).exists()

    # About one in ten is anonymous: no submitter, and nobody on the history rows of the submission.
    anonymous = ideas.filter(anonymous=True)
    assert 4 <= anonymous.count() <= 10
    for idea in anonymous:
        assert idea.submitter is None, idea
        assert idea.history.get(history_type="+").history_user is None, idea
    attachments = Attachment.objects.filter(idea__anonymous=True)
    assert attachments.exists()
    for attachment in attachments:
        assert attachment.history.get(history_type="+").history_user is None

    # Ideas raised from the demo audits' findings (opportunities and observations only) and from demo CAPAs.
    from_findings = ideas.filter(source=Idea.Source.AUDIT)
    assert from_findings.count() >= 3
    assert not from_findings.filter(finding=None)
    assert set(from_findings.values_list("finding__type", flat=True)) <= {"ofi", "observation"}
    from_capas = ideas.filter(source=Idea.Source.CAPA)
    assert 2 <= from_capas.count() <= 3
    assert not from_capas.filter(capa=None)
    for idea in from_capas:
        assert idea.created_at > idea.capa.created_at, idea

    # Every idea past submission has a champion; each PDCA stage has its notes; one idea is in its second cycle.
    assert not ideas.filter(stage__in=["accepted", "plan", "do", "check", "act", "standardized"], champion=None)
    assert not ideas.filter(stage__in=["do", "check", "act", "standardized"], target_metric="")
    assert not ideas.filter(stage__in=["check", "act", "standardized"], do_notes="")
    assert not ideas.filter(stage__in=["act", "standardized"], measured_result="")
    assert ideas.filter(cycle=2).exists()
    assert StageChange.objects.filter(from_stage="act", to_stage="plan", cycle=2).exists()

    # About ten standardized with a measured benefit in hours, defects and money; at least two through a document
    # change that became effective, the others saying why no document changes.
    standardized = ideas.filter(stage=Idea.Stage.STANDARDIZED)
    assert 8 <= standardized.count() <= 13
    assert not standardized.filter(benefit_amount=None) and not standardized.filter(benefit_unit="")
    assert set(standardized.values_list("benefit_unit", flat=True)) >= {"hours_saved", "defects_avoided", "money"}
    by_change = standardized.filter(change_request__revision__status=Revision.Status.EFFECTIVE)
    assert by_change.count() >= 2
    assert not standardized.filter(change_request=None, no_document_change_reason="")
    assert ideas.filter(stage=Idea.Stage.ACT, change_request__isnull=False).exists()

    # Rejected and parked ideas say why; a parked idea was taken up again.
    assert ideas.filter(stage=Idea.Stage.REJECTED).count() >= 3
    assert ideas.filter(stage=Idea.Stage.PARKED).count() >= 3
    assert not ideas.filter(stage__in=["rejected", "parked"], decision_reason="")
    assert StageChange.objects.filter(from_stage="parked", to_stage="accepted").exists()

    # Many people vote, popular ideas have ten or more votes; comments in Markdown, some mentioning people.
    assert Vote.objects.count() >= 150
    assert Vote.objects.values("voter").distinct().count() >= 12
    assert sum(idea.votes.count() >= 10 for idea in ideas) >= 3
    assert Comment.objects.count() >= 30
    assert Comment.objects.filter(body__contains="**").exists()
    assert Comment.objects.filter(body__regex=r"@[a-z]").count() >= 3
    assert Notification.objects.filter(subject__contains="mentioned you on IDEA-").count() >= 3

    # Participation differs: some departments all take part, others hardly.
    rates = [participation.rate for participation in participation_by_department()]
    assert max(rates) == 1.0 and min(rates) <= 0.25

    # A second run adds nothing.
    assert "ideas are already there" in seeded_demo.second_output
    assert seeded_demo.unchanged_by_second_run(Idea, Vote, Comment, StageChange)
