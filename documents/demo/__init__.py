"""Demo documents for `manage.py seed_demo`: a believable document system, built only through `documents.services`.

About forty documents of every type go through the real workflow: uploads, submissions, signed approvals and
rejections, withdrawals, retirements, periodic reviews, acknowledgements and change requests. Nothing is written
around the services, so the history, the signatures and the notifications are those the application makes itself.
Every timestamp is therefore "now": no document can be overdue for review yet, but the temporary instructions with a
one-month review period show up as due soon.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from html import escape
from itertools import groupby
from typing import TypeVar

import weasyprint
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import OutputWrapper
from django.utils import timezone

from documents import services
from documents.demo.catalogue import DOCUMENTS
from documents.demo.plans import DocumentPlan, RevisionPlan
from documents.models import ChangeRequest, Document, DocumentType, Revision
from qms.models import Clause, Department, User
from qms.roles import Role
from qms.signatures import SignatureError

EFFECTIVE, DRAFT, IN_REVIEW = Revision.Status.EFFECTIVE, Revision.Status.DRAFT, Revision.Status.IN_REVIEW
APPROVED, WITHDRAWN = Revision.Status.APPROVED, Revision.Status.WITHDRAWN
OPEN, ACCEPTED, DECLINED = ChangeRequest.Status.OPEN, ChangeRequest.Status.ACCEPTED, ChangeRequest.Status.DECLINED
# The approved revision waits this long for its planned effective date.
FUTURE_EFFECTIVE_DAYS = 14

T = TypeVar("T")


_APPROVAL_COMMENTS = (
    "Checked against current practice; agreed.",
    "",
    "Fine. Please brief the shift leads before it takes effect.",
    "Agreed.",
)


# --- Building it -------------------------------------------------------------------------------------------------


class _CannotSign(Exception):
    """A signer's password is not the demo password: that document's story stops where it is."""


class _Builder:
    """Takes each document through its story, with the people and reference data looked up once."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.users = {user.username: user for user in User.objects.select_related("department")}
        self.types = {document_type.code: document_type for document_type in DocumentType.objects.all()}
        self.departments = {department.code: department for department in Department.objects.all()}
        self.roles = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        self.refused: set[str] = set()
        self.signatures = 0

    def build(self, spec: DocumentPlan) -> bool:
        """Register the document and take it through its story; False when the story stopped at a signature."""
        document = services.document_create(
            actor=self.users["qm"],
            document_type=self.types[spec.type],
            title=spec.title,
            owner=self.users[spec.owner],
            department=self.departments[spec.department] if spec.department else None,
            clauses=Clause.objects.filter(number__in=spec.clauses),
            distribution_departments=[self.departments[code] for code in spec.readers if code in self.departments],
            distribution_roles=[self.roles[name] for name in spec.readers if name in self.roles],
            restricted=spec.restricted,
            review_period_months=spec.review_months,
        )
        body = spec.body
        issued: list[tuple[int, str]] = []  # (revision, change summary) of the revisions that took effect
        try:
            for step in spec.revisions:
                body = self._revision(spec, document, step, body, issued)
            self._after(spec, document)
        except _CannotSign:
            return False
        return True

    def _revision(
        self, spec: DocumentPlan, document: Document, step: RevisionPlan, body: str, issued: list[tuple[int, str]]
    ) -> str:
        """Take one revision as far as its story goes; returns the body the next revision starts from."""
        author = self.users[step.author or spec.owner]
        new_body = _changed(body, step.changes)
        number = document.revisions.count() + 1  # the next revision number: none are ever deleted
        upload = _upload(spec, document, number, new_body, [*issued, (number, step.summary)])
        if step.request:
            requester, reason = step.request
            change_request = services.change_request_create(
                actor=self.users[requester], document=document, reason=reason
            )
            change_request = services.change_request_accept(
                actor=author, change_request=change_request, comment="Agreed, thank you; I will update it."
            )
            assert change_request.revision is not None  # accepting opens the draft
            revision = services.revision_replace_file(
                actor=author, revision=change_request.revision, file=upload, change_summary=step.summary
            )
        else:
            revision = services.revision_create(
                actor=author, document=document, file=upload, change_summary=step.summary
            )
        if step.outcome == DRAFT:
            return new_body
        if step.outcome == WITHDRAWN:
            services.revision_withdraw(actor=author, revision=revision, reason=step.withdrawal)
            return body
        approvers = [self.users[name] for name in step.approvers]
        effective_date = (
            timezone.localdate() + timedelta(days=FUTURE_EFFECTIVE_DAYS) if step.outcome == APPROVED else None
        )
        revision = services.revision_submit(
            actor=author, revision=revision, approvers=approvers, effective_date=effective_date
        )
        if step.rejection:
            revision = self._signed(approvers[0], services.revision_reject, revision=revision, comment=step.rejection)
            new_body = _changed(new_body, step.fixes)
            fixed = _upload(spec, document, number, new_body, [*issued, (number, step.summary)])
            revision = services.revision_replace_file(actor=author, revision=revision, file=fixed)
            revision = services.revision_submit(
                actor=author, revision=revision, approvers=approvers, effective_date=effective_date
            )
        signers = [self.users[name] for name in step.signed] if step.outcome == IN_REVIEW else approvers
        for approver in signers:
            comment = _APPROVAL_COMMENTS[self.signatures % len(_APPROVAL_COMMENTS)]
            revision = self._signed(approver, services.revision_approve, revision=revision, comment=comment)
        if step.outcome == EFFECTIVE:
            issued.append((number, step.summary))
            for reader in step.read_by:
                services.document_acknowledge(actor=self.users[reader], document=document)
        return new_body

    def _after(self, spec: DocumentPlan, document: Document) -> None:
        """What happens once the revisions are done: change requests, the periodic review, retirement."""
        owner = self.users[spec.owner]
        for request in spec.requests:
            change_request = services.change_request_create(
                actor=self.users[request.requester], document=document, reason=request.reason
            )
            if request.decision == ACCEPTED:
                services.change_request_accept(actor=owner, change_request=change_request, comment=request.note)
            elif request.decision == DECLINED:
                services.change_request_decline(actor=owner, change_request=change_request, reason=request.note)
        if spec.review:
            self._signed(owner, services.document_confirm_review, document=document, comment=spec.review)
        if spec.retire:
            self._signed(self.users["qm"], services.document_retire, document=document, comment=spec.retire)

    def _signed(self, user: User, action: Callable[..., T], **kwargs: object) -> T:
        """Run a signing service as `user` with the demo password. Someone whose password is different (an account
        made before, or with `--password`) cannot sign: the story stops there, after one failed attempt at most."""
        if user.username in self.refused:
            raise _CannotSign
        try:
            result = action(actor=user, password=self.password, **kwargs)
        except SignatureError:
            self.refused.add(user.username)
            raise _CannotSign from None
        self.signatures += 1
        return result


def _changed(text: str, changes: tuple[tuple[str, str], ...]) -> str:
    for old, new in changes:
        if old not in text:
            raise ValueError(f"Demo revision change does not apply: {old[:60]!r}")
        text = text.replace(old, new)
    return text


def _upload(
    spec: DocumentPlan, document: Document, number: int, body: str, history: list[tuple[int, str]]
) -> SimpleUploadedFile:
    name = f"{document.number} {spec.title} rev {number}"
    if spec.file == "csv":
        return SimpleUploadedFile(f"{name}.csv", body.encode(), content_type="text/csv")
    text = _markdown(spec, document, number, body, history)
    if spec.file == "pdf":
        return SimpleUploadedFile(f"{name}.pdf", _pdf(text, f"{document.number} rev {number}"), "application/pdf")
    return SimpleUploadedFile(f"{name}.md", text.encode(), content_type="text/markdown")


def _markdown(spec: DocumentPlan, document: Document, number: int, body: str, history: list[tuple[int, str]]) -> str:
    """The whole document: a header block, the body, and the revision history that tells its story."""
    owner = document.owner
    department = document.department.name if document.department else "Whole organisation"
    header = [
        f"# {document.number} {spec.title}",
        "",
        "| | |",
        "|---|---|",
        f"| Revision | {number} |",
        f"| Owner | {owner.display_name}, {owner.job_title} |",
        f"| Department | {department} |",
        f"| ISO 9001:2015 | {', '.join(spec.clauses)} |",
        "",
    ]
    footer = ["", "## Revision history", "", "| Revision | Change |", "|---|---|"]
    footer += [f"| {revision} | {summary} |" for revision, summary in history]
    return "\n".join([*header, body, *footer]) + "\n"


_LIST_MARKER = re.compile(r"^(\d+\.|-) ")


def _line_kind(line: str) -> str:
    if line.startswith("|"):
        return "table"
    if re.match(r"\d+\. ", line):
        return "ol"
    return "ul" if line.startswith("- ") else "text"


def _html(markdown: str) -> str:
    """HTML for the little Markdown our demo documents use: headings, lists, tables and paragraphs."""
    parts: list[str] = []
    for kind, group in groupby(markdown.splitlines(), key=_line_kind):
        lines = list(group)
        if kind == "table":
            rows = [line.strip("|").split("|") for line in lines if not set(line) <= set("|-: ")]
            cells = ["".join(f"<td>{escape(cell.strip())}</td>" for cell in row) for row in rows]
            parts.append("<table>" + "".join(f"<tr>{row}</tr>" for row in cells) + "</table>")
        elif kind in {"ol", "ul"}:
            items = "".join(f"<li>{escape(_LIST_MARKER.sub('', line))}</li>" for line in lines)
            parts.append(f"<{kind}>{items}</{kind}>")
        else:
            parts.extend(_headings_and_paragraphs(lines))
    return "\n".join(parts)


def _headings_and_paragraphs(lines: list[str]) -> list[str]:
    """Consecutive lines make one paragraph, as in Markdown; a blank line or a heading ends it."""
    parts: list[str] = []
    paragraph: list[str] = []
    for line in [*lines, ""]:
        level = len(line) - len(line.lstrip("#"))
        if paragraph and (level or not line.strip()):
            parts.append(f"<p>{escape(' '.join(paragraph))}</p>")
            paragraph = []
        if level:
            parts.append(f"<h{level}>{escape(line[level:].strip())}</h{level}>")
        elif line.strip():
            paragraph.append(line.strip())
    return parts


_PDF_STYLE = """
@page { size: A4; margin: 22mm 20mm;
  @top-left { content: "LABEL"; font: 8pt sans-serif; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #555; } }
body { font-family: sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; }
"""


def _pdf(markdown: str, label: str) -> bytes:
    """A real PDF, so controlled copies and text extraction have something to work on. Rendered once per revision."""
    style = _PDF_STYLE.replace("LABEL", label)
    html = f"<html><head><style>{style}</style></head><body>{_html(markdown)}</body></html>"
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def seed(stdout: OutputWrapper, password: str) -> None:
    """Build the demo document system, unless there are documents already."""
    if Document.objects.exists():
        stdout.write("Demo documents: documents are already there, none added.")
        return
    missing_types = {spec.type for spec in DOCUMENTS} - set(DocumentType.objects.values_list("code", flat=True))
    if missing_types:
        # The types come from a migration; a database emptied by hand (or by a test's flush) has none.
        stdout.write(f"Demo documents: document types {', '.join(sorted(missing_types))} are missing; none added.")
        return
    # The same password seed_demo gives new accounts (`--password` is not passed on: then signing is skipped).
    builder = _Builder(password)
    if not builder.users["qm"].check_password(builder.password):
        builder.refused.update(builder.users)  # no account will sign, so not one failed attempt is logged
    stopped = sum(not builder.build(spec) for spec in DOCUMENTS)
    documents = Counter(Document.objects.values_list("status", flat=True))
    revisions = Counter(Revision.objects.values_list("status", flat=True))
    summary = (
        f"Demo documents: {sum(documents.values())} documents ({_counts(documents)}), "
        f"{sum(revisions.values())} revisions ({_counts(revisions)}), {builder.signatures} signatures, "
        f"{ChangeRequest.objects.count()} change requests."
    )
    if stopped:
        summary += f" {stopped} stopped before a signature: the demo password does not match those accounts."
    stdout.write(summary)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in counter.most_common())
