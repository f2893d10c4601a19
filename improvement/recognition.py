"""Browser views that recognise improvement and close the loop with audits and CAPA: the wins wall, participation by
department, one person's own contributions, and the one-step links from an audit finding or a CAPA to an idea.

Reads come from `improvement.selectors`; every record is fetched permission-checked (`visible_to`); the two writes are
one service call each, whose refusals come back as form errors (or a 403) through `qms.web.run_service`. No page here
names the submitter of an anonymous idea: none is stored.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from audits.models import Audit, Finding
from capa.models import Capa
from improvement import panels, selectors, services
from improvement.models import Idea
from qms.periods import Period
from qms.permissions import STAFF_ROLES, AuthenticatedRequest, role_required
from qms.web import day_param, run_service

WINS_PAGE_SIZE = 24
# The units whose amounts add up to one meaningful total; "other" benefits are each their own kind of thing.
TOTALLED_UNITS = (Idea.BenefitUnit.HOURS_SAVED, Idea.BenefitUnit.DEFECTS_AVOIDED, Idea.BenefitUnit.MONEY)


# --- Recognition ------------------------------------------------------------------------------------------------------


@role_required()
def wins(request: AuthenticatedRequest) -> HttpResponse:
    """The wall of standardized ideas, with their measured benefits added up by unit at the top. Fixed queries."""
    standardized = selectors.wins(request.user)
    page = Paginator(standardized, WINS_PAGE_SIZE).get_page(request.GET.get("page"))
    # `selectors.wins` counts votes through a join, which would add each benefit once per vote: the totals are taken
    # over the same ideas without that join.
    totals = selectors.benefit_totals(Idea.objects.filter(pk__in=standardized.values("pk")))
    context = {
        "page": page,
        "ideas": page.object_list,
        "totals": [(unit.label, totals[unit]) for unit in TOTALLED_UNITS if unit in totals],
    }
    return render(request, "improvement/wins.html", context)


@role_required()
def participation(request: AuthenticatedRequest) -> HttpResponse:
    """Per department, the share of its people who submitted by name, voted or commented in the last 90 days; or
    between `from` and `to` (ISO dates, both included, both needed), as the performance dashboard links here."""
    first, last = day_param(request.GET.get("from", "")), day_param(request.GET.get("to", ""))
    period = None
    # Dates at the very ends of the calendar have no midnight before or after them to bound a period with.
    if first is not None and last is not None and date.min < first <= last < date.max:
        period = Period(first, last)
    if period is None:
        rows = selectors.participation_by_department()
    else:
        rows = selectors.participation_by_department(since=period.starts_at, until=period.ends_before)
    people = sum(row.people for row in rows)
    taking_part = sum(row.taking_part for row in rows)
    context = {
        "rows": [(row, round(row.rate * 100)) for row in rows],
        "people": people,
        "taking_part": taking_part,
        "percent": round(100 * taking_part / people) if people else 0,
        "days": selectors.PARTICIPATION_WINDOW.days,
        "period": period,
    }
    return render(request, "improvement/participation.html", context)


@role_required()
def contributions(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own page: ideas submitted by name and their stage, ideas championed, votes and comments."""
    mine = selectors.contributions_of(request.user)
    context = {
        "mine": mine,
        "anything": bool(mine.submitted or mine.championed or mine.voted or mine.commented),
    }
    return render(request, "improvement/contributions.html", context)


# --- Closing the loop -------------------------------------------------------------------------------------------------


class IdeaFromCapaForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What the preventive idea is, in a few words.")
    proposal = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="Where else the same cause could strike, and what to do."
    )


@role_required(*STAFF_ROLES)
def idea_from_finding(request: AuthenticatedRequest, finding_pk: int) -> HttpResponse:
    """One step from an audit's opportunity for improvement or observation to an idea linked to it: GET shows what
    the idea will say, POST submits it (`services.idea_from_finding`) and opens it."""
    finding = get_object_or_404(
        Finding.objects.filter(audit__in=Audit.objects.visible_to(request.user))
        .select_related("audit", "clause", "department")
        .prefetch_related("audit__team"),
        pk=finding_pk,
    )
    existing = list(Idea.objects.filter(finding=finding))
    if not existing and not panels.may_turn_into_idea(finding, request.user):
        raise PermissionDenied(
            "Quality managers and the audit's auditors turn its opportunities for improvement and observations "
            "into ideas."
        )
    # A form with no fields, to carry the service's refusal; bound on POST even though the POST is empty.
    form = forms.Form(request.POST if request.method == "POST" else None)
    if form.is_valid():
        idea = run_service(form, lambda: services.idea_from_finding(actor=request.user, finding=finding))
        if idea is not None:
            messages.success(request, f"{finding.reference} is now {idea.reference}.")
            return redirect(idea)
    context = {
        "finding": finding,
        "form": form,
        "existing": [idea for idea in existing if panels.may_see(idea, request.user)],
    }
    return render(request, "improvement/idea_from_finding.html", context, status=400 if form.errors else 200)


@role_required(*STAFF_ROLES)
def idea_from_capa(request: AuthenticatedRequest, capa_pk: int) -> HttpResponse:
    """A CAPA spawns a preventive idea: its owner or a quality manager names it and says what to do; the idea carries
    the CAPA's cause and department and links back to it (`services.idea_from_capa`)."""
    capa = get_object_or_404(Capa.objects.visible_to(request.user).select_related("owner", "department"), pk=capa_pk)
    if not capa.is_managed_by(request.user):
        raise PermissionDenied("The CAPA's owner and quality managers spawn ideas from it.")
    form = IdeaFromCapaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        idea = run_service(
            form,
            lambda: services.idea_from_capa(
                actor=request.user,
                capa=capa,
                title=form.cleaned_data["title"],
                proposal=form.cleaned_data["proposal"],
            ),
        )
        if idea is not None:
            messages.success(request, f"Spawned {idea.reference} from {capa.reference}.")
            return redirect(idea)
    context = {"capa": capa, "form": form, "existing": list(Idea.objects.filter(capa=capa))}
    return render(request, "improvement/idea_from_capa.html", context, status=400 if form.errors else 200)
