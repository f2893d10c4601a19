"""The shared PDF renderer: real PDFs through WeasyPrint, with a fetcher that reads only our static files."""

import io

import pytest
from pypdf import PdfReader

from qms.pdf import StaticFilesOnlyFetcher, render_pdf

pytestmark = pytest.mark.django_db


def _render_body(tmp_path, settings, body, **context):
    """Render a one-off report template that extends the shared PDF base."""
    (tmp_path / "report.html").write_text('{% extends "pdf/base.html" %}{% block body %}' + body + "{% endblock %}")
    # A new TEMPLATES value (not an in-place edit) so Django resets its template engines.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    return render_pdf("report.html", context)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_render_pdf_produces_a_paginated_pdf_with_header_and_footer(tmp_path, settings):
    body = "<h1>Audit report</h1>{% for i in rows %}<p>Row {{ i }}</p>{% endfor %}"
    pdf = _render_body(tmp_path, settings, body, document_title="IA-2026-004", document_id="Rev 2", rows=range(120))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "Audit report" in text
    assert "Page 1 of" in text
    assert "IA-2026-004" in text and "Rev 2" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1


def test_fetcher_refuses_local_files_and_other_hosts():
    fetcher = StaticFilesOnlyFetcher()
    for url in ("file:///etc/hostname", "http://example.com/x.css", "http://pdf-assets.invalid/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_fetcher_refuses_to_climb_out_of_static():
    with pytest.raises(ValueError):
        StaticFilesOnlyFetcher().fetch("http://pdf-assets.invalid/static/../../../etc/passwd")


def test_fetcher_serves_our_stylesheet():
    response = StaticFilesOnlyFetcher().fetch("http://pdf-assets.invalid/static/pdf/pdf.css")
    assert b"@page" in response.read()
    response.close()


def test_a_hostile_attachment_link_does_not_embed_a_local_file(tmp_path, settings):
    body = '<link rel="attachment" href="file:///etc/hostname"><p>hello</p>'
    pdf = _render_body(tmp_path, settings, body, document_title="x", document_id="y")
    assert not PdfReader(io.BytesIO(pdf)).attachments
