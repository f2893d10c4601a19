"""Browser views of CAPA. This first part: the register of CAPAs the user may see."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from capa.models import Capa
from qms.permissions import AuthenticatedRequest, role_required


@role_required()
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The CAPA register: open ones first, oldest due date first, with their age and the findings they answer."""
    status = request.GET.get("status", "")
    capas = Capa.objects.visible_to(request.user).select_related("owner", "department").prefetch_related("findings")
    if status in Capa.Status.values:
        capas = capas.filter(status=status)
    page = Paginator(capas.order_by("status", "due_date", "reference"), 50).get_page(request.GET.get("page"))
    return render(request, "capa/capa_list.html", {"page": page, "status": status, "statuses": Capa.Status.choices})
