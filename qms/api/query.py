"""Query strings of the API: each parameter once.

No operation takes a list in its query string (the schema declares none), and Django would quietly use the last of
several values (`?page=1&page=9`); the contract answers bad input with 400, so a repeated parameter is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class SingleValuedQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
            if repeated:
                return JsonResponse({name: ["Give this parameter once."] for name in repeated}, status=400)
        return self.get_response(request)
