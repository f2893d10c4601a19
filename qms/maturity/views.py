"""The maturity balance page, for quality managers and internal auditors.

External auditors do not see it: its counts are drawn from open CAPAs, ideas in progress and unpublished records
that they may not see one by one, and it is a management tool (an input to management review), not evidence.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from qms.maturity import scores
from qms.maturity.chart import trend_chart
from qms.permissions import AuthenticatedRequest, role_required
from qms.roles import Role

VIEWERS = (Role.QUALITY_MANAGER, Role.AUDITOR)


@role_required(*VIEWERS)
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    balance = scores.balance(timezone.localdate())
    return render(
        request,
        "qms/maturity.html",
        {
            "balance": balance,
            "chart": trend_chart(balance.trend),
            "rules": scores.RULES,
            "rise_months": scores.CULTURE_RISE_MONTHS,
        },
    )
