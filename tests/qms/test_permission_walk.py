"""One walk over every URL of the product (browser and API) as every kind of person, on the seeded demo:

- nobody ever gets a server error;
- an anonymous visitor is sent to sign in (browser) or gets 401 (API), except on the few public pages;
- an active account without a role (an outsider from another department) gets nothing but its own pages;
- a record a person may not see answers 403 or 404 on every URL under it (pages, files, PDFs, downloads, history),
  where "may see" is the record's own `visible_to(user)`, the one place each module decides it.

A second walk sends every URL the unsafe methods (POST, PUT, PATCH, DELETE) as each person who must be refused:
anonymous visitors, the account without a role, and anyone the URL's record is hidden from. Each is refused before
the request is read (sign-in, 401, 403, 404, 405), and nothing in the database changes: not one history row.

Per-module tests pin the finer rules (who may act on what); these walks make sure no URL escapes the broad ones, and
fail when a new URL is added without a way to fill its arguments here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from audits.models import Audit, AuditReport, ChecklistItem, EvidenceFile, Finding
from capa.models import ActionEvidenceFile, Capa, Nonconformity
from documents.models import ChangeRequest, Document
from improvement.models import Attachment, Idea
from qms.evidence.models import EvidencePack
from qms.imports.models import ImportRun
from qms.models import Job, Notification, User
from qms.objectives.models import Objective
from qms.reviews.models import ManagementReview, ReviewAction
from tests.qms.factories import DepartmentFactory, UserFactory

# Routes that are not pages of a record or a module: the admin (Django's own permissions), the password-reset link
# (a signed token), and the API's format-suffix twins of routes walked anyway.
_SKIPPED = re.compile(r"^admin/|^accounts/reset/<|\\\.\(\?P<format>|<drf_format_suffix")
# Pages anyone may open, signed in or not.
_PUBLIC = {
    "healthz",
    "accounts/login/",
    "accounts/password_reset/",
    "accounts/password_reset/done/",
    "accounts/reset/done/",
    "accounts/logout/",
    "api/schema/",
    "api/docs/",  # the API's contract and its documentation page are public; every endpoint they describe is not
    "api/v1/auth/token/",
}
# What every signed-in account has, whatever its roles: its own dashboard, notifications and account pages.
_PERSONAL = re.compile(
    r"^$|^notifications/|^accounts/|^api/docs/|^api/v1/$|^api/v1/\^users/me/\$|^api/v1/\^notifications/"
    r"|^clauses/|^api/v1/\^clauses/|^jobs/|^api/v1/\^jobs/|^improvement/me/$"
)
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass
class Subject:
    """The record a URL is about, and the values of the URL's arguments."""

    record: models.Model | None
    arguments: dict[str, Any]


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern) and not _SKIPPED.search(route):
            yield route


def _path(route: str, arguments: dict[str, Any]) -> str:
    path = _CONVERTER.sub(lambda match: str(arguments[match.group(1) or match.group(2)]), route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _first(queryset: models.QuerySet[Any], hidden_from: User) -> Any:
    """A record `hidden_from` may not see, if there is one (the interesting case), else any."""
    model = queryset.model
    hidden = queryset.exclude(pk__in=model.objects.visible_to(hidden_from).values("pk"))
    return hidden.first() or queryset.first()


def _file() -> dict[str, Any]:
    content = b"Evidence for the permission walk\n"
    return {
        "file": default_storage.save("walk/evidence.txt", ContentFile(content)),
        "original_filename": "evidence.txt",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "content_type": "text/plain",
    }


class World:
    """The demo's records, one of each kind, chosen among those the plain employee may not see where possible."""

    def __init__(self, employee: User) -> None:
        self.employee = employee
        self.document = _first(Document.objects.filter(revisions__isnull=False).distinct(), employee)
        self.revision = self.document.revisions.order_by("-revision").first()
        self.change_request = ChangeRequest.objects.select_related("document").first()
        quality_manager = User.objects.get(username="qm")
        self.audit = _first(Audit.objects.filter(checklist_items__isnull=False).distinct(), employee)
        self.item = ChecklistItem.objects.filter(audit=self.audit).first()
        assert self.item is not None
        # The demo has no uploaded evidence, action files or idea attachments: one of each, with a real stored file.
        self.evidence = EvidenceFile.objects.create(checklist_item=self.item, uploaded_by=quality_manager, **_file())
        self.report = AuditReport.objects.select_related("audit").first()
        self.finding = Finding.objects.select_related("audit").first()
        self.capa = _first(Capa.objects.filter(actions__isnull=False).distinct(), employee)
        self.action = self.capa.actions.first()
        self.action_file = ActionEvidenceFile.objects.create(action=self.action, uploaded_by=quality_manager, **_file())
        self.nonconformity = _first(Nonconformity.objects.all(), employee)
        self.idea = _first(Idea.objects.all(), employee)
        self.attachment = Attachment.objects.create(idea=self.idea, **_file())
        self.review = _first(ManagementReview.objects.all(), employee)
        self.review_action = ReviewAction.objects.select_related("review", "decision").first()
        self.objective = _first(Objective.objects.all(), employee)
        self.notification = Notification.objects.filter(recipient=employee).first()
        self.job = Job.objects.first()
        self.pack = EvidencePack.objects.create(
            created_by=quality_manager, period_start="2026-01-01", period_end="2026-03-31", clauses=[]
        )
        self.import_run = ImportRun.objects.create(
            kind=ImportRun.Kind.DOCUMENTS,
            status=ImportRun.Status.CHECKED,
            created_by=quality_manager,
            master_name="master.csv",
            master_sha256="0" * 64,
        )

    def subject(self, route: str) -> Subject:
        api = route.startswith("api/v1/")
        area = route.removeprefix("api/v1/").lstrip("^")
        names = {a or b for a, b in _CONVERTER.findall(route)}
        if not names:
            return Subject(None, {})
        rules: list[tuple[str, Callable[[], Subject]]] = [
            (r"^clauses/", lambda: Subject(None, {"number": "9.2"})),
            (r"^users/", lambda: Subject(None, {"pk": self.employee.pk})),
            (r"^departments/", lambda: Subject(None, {"pk": self.employee.department_id})),
            (r"^notifications/", lambda: Subject(self.notification, {"pk": self.notification.pk})),
            (r"^jobs/", lambda: Subject(self.job, {"pk": self.job.pk})),
            (r"^documents/.*change-requests/<int:request_pk>", self._change_request),
            (r"^documents/", self._document),
            (r"^revisions/", lambda: Subject(self.document, {"pk": self.revision.pk})),
            (r"^change-requests/", lambda: Subject(self.change_request.document, {"pk": self.change_request.pk})),
            (r"^document-types/", lambda: Subject(None, {"pk": self.document.document_type_id})),
            (r"^audits/.*reports/<int:report_pk>", self._audit_report),
            (r"^audits/", self._audit),
            (r"^findings/|^capa/raise/finding/|^improvement/from-finding/", self._finding),
            (r"^checklist-items/", lambda: Subject(self.audit, {"pk": self.item.pk})),
            (r"^audit-reports/", lambda: Subject(self.report.audit, {"pk": self.report.pk})),
            (r"^audit-evidence/", lambda: Subject(self.audit, {"pk": self.evidence.pk})),
            (
                r"^capa/nonconformities/|^nonconformities/",
                lambda: Subject(self.nonconformity, {"pk": self.nonconformity.pk}),
            ),
            (r"^capa/<int:pk>/actions/<int:action_pk>/|^capa/<int:pk>/evidence/", self._capa_file),
            (r"^capa-actions/.*files/", self._action_file),
            (r"^capa-actions/", lambda: Subject(self.capa, {"pk": self.action.pk})),
            (
                r"^capa/|^capas/|^improvement/from-capa/",
                lambda: Subject(self.capa, {"pk": self.capa.pk, "capa_pk": self.capa.pk}),
            ),
            (r"^improvement/ideas/.*attachments/|^ideas/.*attachments/", self._idea_attachment),
            (r"^improvement/ideas/|^ideas/", lambda: Subject(self.idea, {"pk": self.idea.pk})),
            (r"^management-reviews/.*(decisions|actions)/<int:", self._review_action),
            (r"^management-reviews/", lambda: Subject(self.review, {"pk": self.review.pk})),
            (r"^management-review-actions/", lambda: Subject(self.review_action.review, {"pk": self.review_action.pk})),
            (r"^objectives/|^quality-objectives/", lambda: Subject(self.objective, {"pk": self.objective.pk})),
            (r"^evidence-packs/", lambda: Subject(self.pack, {"pk": self.pack.pk})),
            (r"^imports/", lambda: Subject(self.import_run, {"pk": self.import_run.pk, "kind": "documents"})),
        ]
        for pattern, build in rules:
            if re.search(pattern, area):
                subject = build()
                missing = names - set(subject.arguments)
                assert not missing, f"{route}: no value for {missing} (extend World.subject)"
                return subject
        raise AssertionError(f"{route}{' (API)' if api else ''}: no record to walk it with (extend World.subject)")

    def _document(self) -> Subject:
        return Subject(self.document, {"pk": self.document.pk, "number": self.revision.revision})

    def _change_request(self) -> Subject:
        request = self.change_request
        return Subject(request.document, {"pk": request.document_id, "request_pk": request.pk})

    def _audit(self) -> Subject:
        arguments = {"pk": self.audit.pk, "item_pk": self.item.pk, "evidence_pk": self.evidence.pk}
        return Subject(self.audit, arguments)

    def _audit_report(self) -> Subject:
        return Subject(self.report.audit, {"pk": self.report.audit_id, "report_pk": self.report.pk})

    def _finding(self) -> Subject:
        return Subject(self.finding.audit, {"pk": self.finding.pk, "finding_pk": self.finding.pk})

    def _nonconformity(self) -> Subject:
        return Subject(self.nonconformity, {"pk": self.nonconformity.pk})

    def _capa(self) -> Subject:
        return Subject(self.capa, {"pk": self.capa.pk, "capa_pk": self.capa.pk})

    def _capa_file(self) -> Subject:
        action = self.action_file.action
        return Subject(action.capa, {"pk": action.capa_id, "action_pk": action.pk, "file_pk": self.action_file.pk})

    def _action_file(self) -> Subject:
        action = self.action_file.action
        return Subject(action.capa, {"pk": action.pk, "file_id": self.action_file.pk})

    def _idea_attachment(self) -> Subject:
        attachment = self.attachment
        return Subject(attachment.idea, {"pk": attachment.idea_id, "file_pk": attachment.pk, "file_id": attachment.pk})

    def _review_action(self) -> Subject:
        action = self.review_action
        arguments = {"pk": action.review_id, "decision_pk": action.decision_id, "action_pk": action.pk}
        return Subject(action.review, arguments)


def _visible(record: models.Model | None, user: User) -> bool:
    if record is None:
        return True
    if isinstance(record, Notification):
        return record.recipient_id == user.pk
    return type(record).objects.visible_to(user).filter(pk=record.pk).exists()


def _people() -> dict[str, User | None]:
    UserFactory(username="walk.outsider", department=DepartmentFactory(name="Elsewhere", code="ELSE"))
    return {
        "anonymous": None,
        "employee": User.objects.get(username="employee"),
        "auditor": User.objects.get(username="auditor"),
        "external auditor": User.objects.get(username="external"),
        "quality manager": User.objects.get(username="qm"),
        "outsider": User.objects.get(username="walk.outsider"),
    }


def test_every_url_as_every_kind_of_person_keeps_to_the_broad_rules(seeded_demo: Any) -> None:
    people = _people()
    world = World(people["employee"])  # type: ignore[arg-type]
    routes = sorted(set(_routes()))
    assert len(routes) > 200
    broken: list[str] = []
    hidden_from_employee = 0
    for route in routes:
        subject = world.subject(route)
        if subject.record is not None and subject.record.pk is None:
            continue
        path = _path(route, subject.arguments)
        hidden_from_employee += not _visible(subject.record, people["employee"])  # type: ignore[arg-type]
        for who, user in people.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.get(path)
            problem = _breaks_the_rules(route, response, who, user, subject)
            if problem:
                broken.append(f"GET {path} as {who}: {response.status_code}, {problem}")
    assert not broken, "\n".join(broken)
    assert hidden_from_employee > 60  # the scope rule was tried on records of every module, not only on lists


def _breaks_the_rules(route: str, response: Any, who: str, user: User | None, subject: Subject) -> str | None:
    status = response.status_code
    if status >= 500:
        return "a server error"
    public = route in _PUBLIC
    if user is None:
        signing_in = status == 302 and response["Location"].startswith("/accounts/login/")
        if public or signing_in or status in {401, 403, 405}:
            return None
        return "an anonymous visitor must be sent to sign in"
    if who == "outsider" and not public and not _PERSONAL.search(route) and status not in {403, 404, 405}:
        return "an account without a role must get nothing but its own pages"
    if not _visible(subject.record, user) and status not in {403, 404, 405}:
        return f"{type(subject.record).__name__} {subject.record.pk} is not theirs to see"
    return None


_UNSAFE_METHODS = ("post", "put", "patch", "delete")


def test_no_one_changes_anything_where_they_may_not_look(seeded_demo: Any) -> None:
    people = _people()
    world = World(people["employee"])  # type: ignore[arg-type]
    clients = {who: _signed_in(user) for who, user in people.items()}  # signing in writes (last_login): before counting
    history_before = _history_rows()
    broken: list[str] = []
    tried = 0
    for route in sorted(set(_routes())):
        if route in _PUBLIC:
            continue
        subject = world.subject(route)
        if subject.record is not None and subject.record.pk is None:
            continue
        path = _path(route, subject.arguments)
        for who, user in people.items():
            refused = user is None or (who == "outsider" and not _PERSONAL.search(route))
            if not refused and not _visible(subject.record, user):  # type: ignore[arg-type]
                refused = True
            if not refused:
                continue  # what people may do where they may look is each module's own matrix
            for method in _UNSAFE_METHODS:
                response = getattr(clients[who], method)(path)
                tried += 1
                if not _refused(response, anonymous=user is None):
                    broken.append(f"{method.upper()} {path} as {who}: {response.status_code}")
    assert not broken, "\n".join(broken)
    assert tried > 2000
    assert _history_rows() == history_before


def _signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _refused(response: Any, *, anonymous: bool) -> bool:
    status = response.status_code
    if anonymous and status == 302:
        return response["Location"].startswith("/accounts/login/")
    return status in {401, 403, 404, 405}


def _history_rows() -> int:
    from qms.trail.chain import trail_models

    return sum(model._default_manager.count() for model in trail_models().values())
