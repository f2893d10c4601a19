from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qms.models import Clause
from qms.permissions import role_required


@role_required()
def index(request: HttpRequest) -> HttpResponse:
    """The module's home page: what it covers and the ISO 9001 clauses it answers."""
    clauses = Clause.objects.filter(number__in=["7.5"]) | Clause.objects.filter(parent__number="7.5")
    return render(
        request,
        "documents/index.html",
        {"clauses": clauses.order_by("sort_key")},
    )
