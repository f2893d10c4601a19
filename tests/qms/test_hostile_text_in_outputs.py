"""Markup typed into a record's text comes out inert in what the QMS sends and prints: notification emails (text and
HTML) and PDFs. (Pages are walked in Chromium under the Content Security Policy in
tests/browser/test_content_security_policy.py.)"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core import mail
from pypdf import PdfReader

from capa import services as capa_services
from capa.models import Capa
from capa.report import render_summary
from qms import services
from qms.tasks import send_notification_email

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    '<a href="javascript:alert(5)">click</a>',
    "{{ 7*7 }} {% now 'Y' %}",
]
HOSTILE = " ".join(CORPUS)


def test_a_notification_email_shows_hostile_text_as_text(employee: Any, settings: Any) -> None:
    settings.NOTIFICATION_EMAILS = True
    [notification] = services.notify(
        recipients=[employee], kind="generic", subject=HOSTILE, context={"message": HOSTILE}, url="/"
    )
    send_notification_email(notification.pk)
    [message] = mail.outbox
    html = str(message.alternatives[0][0])
    assert "<script>" not in html and "<img src=x" not in html and "<svg" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # template syntax in data is not evaluated
    assert "<script>alert(1)</script>" in message.subject  # a plain-text header: shown, never run
    assert "\n" not in message.subject  # no header injection through a subject


def test_a_pdf_prints_hostile_text_as_text(quality_manager: Any) -> None:
    capa = capa_services.capa_create(
        actor=quality_manager,
        title=HOSTILE[:200],
        source=Capa.Source.INTERNAL,
        problem=HOSTILE,
        owner=quality_manager,
        due_date=date(2027, 1, 31),
    )
    pdf = render_summary(capa, generated_by=quality_manager)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf
