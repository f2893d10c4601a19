"""The app's URLs, plus `/bench/bare/`: the smallest Django view, through the same middleware and the same gunicorn.

Machines here are noisy, so a page's requests per second mean something only beside this view's, measured in the same
run: the benchmark reports each page as a ratio to it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from qms.urls import urlpatterns as app_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *app_urlpatterns]
