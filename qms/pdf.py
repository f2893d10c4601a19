"""PDF rendering shared by every report: one function, one base template, a fetcher that reads only our static files.

WeasyPrint's default fetcher would read any local file or URL a template names (`<link rel="attachment"
href="file:///etc/passwd">` embeds that file in the PDF), and record titles end up in templates. So every URL is
resolved against a made-up origin, and only paths under STATIC_URL are served, from our own static files.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

_PDF_ORIGIN = "http://pdf-assets.invalid"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves `/static/...` from our static files and `data:` URLs; refuses everything else."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if f"{parts.scheme}://{parts.netloc}" != _PDF_ORIGIN or not parts.path.startswith(static_prefix):
            logger.warning("PDF rendering refused to fetch %r", url[:200])
            raise ValueError("Only the application's own static files may be used in a PDF.")
        relative = unquote(parts.path[len(static_prefix) :])
        if ".." in relative.split("/") or relative.startswith("/"):
            raise ValueError("Static paths may not leave the static folders.")
        path = finders.find(relative) or _collected_static_file(relative)
        if path is None:
            raise ValueError(f"No static file {relative!r}.")
        return super().fetch("file://" + str(path), headers)


def _collected_static_file(relative: str) -> str | None:
    """In production the finders may not see app folders; `collectstatic` put everything under STATIC_ROOT."""
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    return str(candidate) if root in candidate.parents and candidate.is_file() else None


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template that extends `pdf/base.html` into PDF bytes."""
    html = render_to_string(template_name, {"organisation": settings.ORGANISATION_NAME, **context})
    return HTML(string=html, base_url=_PDF_ORIGIN + "/", url_fetcher=StaticFilesOnlyFetcher(timeout=5)).write_pdf()
