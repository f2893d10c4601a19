"""Reads of controlled documents that are more than one query; every one starts from a `visible_to` queryset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from documents.models import (
    HEAVY_DOCUMENT_FIELDS,
    HEAVY_REVISION_FIELDS,
    Acknowledgement,
    Approval,
    ChangeRequest,
    Document,
    Revision,
    heavy_fields_through,
)
from qms.models import User

REVIEW_WARNING_DAYS = 30


def distribution_users(document: Document) -> list[User]:
    """Everyone who must read the document: active members of its distribution departments and role holders."""
    departments = document.distribution_departments.all()
    roles = document.distribution_roles.all()
    if not departments.exists() and not roles.exists():
        return []
    return list(
        User.objects.filter(is_active=True).filter(Q(department__in=departments) | Q(groups__in=roles)).distinct()
    )


def in_force(revisions: QuerySet[Revision], *, at: datetime) -> QuerySet[Revision]:
    """Of `revisions`, those in force at the moment `at`: effective before it and not ended by then."""
    return revisions.filter(effective_at__lt=at).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=at))


def acknowledgement_counts(revisions: QuerySet[Revision], *, at: datetime) -> tuple[int, int]:
    """Of `revisions`, those in force at `at`: the acknowledgements done before `at` and those required, as
    (done, required) summed over the revisions.

    Who must read a revision is `distribution_users`: the active people of its document's distribution departments and
    the holders of its distribution roles, here those whose account existed before `at`. Two queries over every
    revision: the (revision, reader) pairs by department and by role, united so that a person reached both ways counts
    once; and the acknowledgements made by such a pair.
    """
    current = in_force(revisions, at=at).order_by()  # a UNION takes no ORDER BY in its parts
    by_department = current.filter(
        document__distribution_departments__members__is_active=True,
        document__distribution_departments__members__date_joined__lt=at,
    ).values_list("pk", "document__distribution_departments__members")
    by_role = current.filter(
        document__distribution_roles__user__is_active=True,
        document__distribution_roles__user__date_joined__lt=at,
    ).values_list("pk", "document__distribution_roles__user")
    required = by_department.union(by_role).count()
    reader_by_department = Document.distribution_departments.through.objects.filter(
        document_id=OuterRef("revision__document_id"), department_id=OuterRef("user__department_id")
    )
    reader_by_role = User.groups.through.objects.filter(
        user_id=OuterRef("user_id"), group__distributed_documents=OuterRef("revision__document_id")
    )
    done = (
        Acknowledgement.objects.filter(
            revision__in=current, acknowledged_at__lt=at, user__is_active=True, user__date_joined__lt=at
        )
        .filter(Exists(reader_by_department) | Exists(reader_by_role))
        .count()
    )
    return done, required


def documents_for_list(user: Any) -> QuerySet[Document]:
    """Documents the user sees, with what a list shows loaded up front (a fixed number of queries per page)."""
    return documents_for_register(user).prefetch_related("distribution_departments", "distribution_roles")


def documents_for_register(user: Any) -> QuerySet[Document]:
    """`documents_for_list` without the distributions, which the register's rows do not show (two queries and a
    hundred objects less on every page)."""
    return (
        Document.objects.visible_to(user)
        .select_related("document_type", "owner", "department")
        .prefetch_related(
            "clauses",
            Prefetch(
                "revisions",
                queryset=Revision.objects.filter(status=Revision.Status.EFFECTIVE),
                to_attr="effective_revisions",
            ),
        )
    )


def effective_revision(document: Document) -> Revision | None:
    """The revision in force, from the prefetch when there is one."""
    prefetched = getattr(document, "effective_revisions", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return document.revisions.filter(status=Revision.Status.EFFECTIVE).first()


def revisions_for_document(document: Document, user: Any) -> QuerySet[Revision]:
    return (
        Revision.objects.visible_to(user)
        .filter(document=document)
        .select_related("author", "document")
        .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
        .prefetch_related(
            Prefetch(
                "approvals", queryset=Approval.objects.select_related("approver", "signature").order_by("round", "id")
            )
        )
    )


def approvals_waiting_for(user: User) -> QuerySet[Approval]:
    """Approval requests the user has still to decide, oldest first."""
    return (
        Approval.objects.filter(
            approver=user,
            decision=Approval.Decision.PENDING,
            revision__status=Revision.Status.IN_REVIEW,
            round=F("revision__review_round"),
        )
        .select_related("revision__document", "revision__author")
        .defer(
            *heavy_fields_through("revision", HEAVY_REVISION_FIELDS),
            *heavy_fields_through("revision__document", HEAVY_DOCUMENT_FIELDS),
        )
        .order_by("revision__submitted_at")
    )


def acknowledgements_pending_for(user: User) -> QuerySet[Revision]:
    """Effective revisions the user must read (by department or role) and has not acknowledged yet.

    Each condition is an EXISTS on its own index (distribution by department, by role; the user's acknowledgement),
    not a join: joined, the two distributions multiplied the rows and hid the indexes from the planner."""
    by_department = Document.distribution_departments.through.objects.filter(
        document=OuterRef("document_id"), department_id=user.department_id or 0
    )
    by_role = Document.distribution_roles.through.objects.filter(
        document=OuterRef("document_id"), group_id__in=User.groups.through.objects.filter(user=user).values("group_id")
    )
    acknowledged = Acknowledgement.objects.filter(revision=OuterRef("pk"), user=user)
    return (
        Revision.objects.filter(status=Revision.Status.EFFECTIVE)
        .filter(Exists(by_department) | Exists(by_role))
        .exclude(Exists(acknowledged))
        .select_related("document")
        .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
        .order_by("effective_at")
    )


def reviews_due_for(user: User) -> QuerySet[Document]:
    """Effective documents the user owns whose periodic review is due within 30 days or overdue."""
    horizon = timezone.localdate() + timedelta(days=REVIEW_WARNING_DAYS)
    return Document.objects.filter(owner=user, status=Document.Status.EFFECTIVE, next_review_due__lte=horizon).order_by(
        "next_review_due"
    )


def change_requests_to_decide(user: User) -> QuerySet[ChangeRequest]:
    """Open change requests on documents the user owns."""
    return (
        ChangeRequest.objects.filter(status=ChangeRequest.Status.OPEN, document__owner=user)
        .select_related("document", "requested_by")
        .defer(*heavy_fields_through("document", HEAVY_DOCUMENT_FIELDS))
        .order_by("created_at")
    )


@dataclass
class ReaderStatus:
    user: User
    acknowledged_at: Any  # datetime | None
    read_earlier_revision: int | None

    @property
    def overdue(self) -> bool:
        return self.acknowledged_at is None


def acknowledgement_status(document: Document, revision: Revision | None) -> list[ReaderStatus]:
    """For each person who must read the document: when they acknowledged the effective revision, if they did."""
    if revision is None:
        return []
    return acknowledgement_statuses([(document, revision)]).get(document.pk, [])


def acknowledgement_statuses(pairs: list[tuple[Document, Revision]]) -> dict[int, list[ReaderStatus]]:
    """`acknowledgement_status` of many documents (each with its revision in force) at once, by document id: four
    queries whatever their number, besides the distributions (prefetched by `documents_for_list`).

    Readers are as `distribution_users` says: active members of a distribution department and active holders of a
    distribution role; unread first, then by name."""
    departments = {document.pk: {d.pk for d in document.distribution_departments.all()} for document, _ in pairs}
    roles = {document.pk: {g.pk for g in document.distribution_roles.all()} for document, _ in pairs}
    all_departments, all_roles = set().union(*departments.values()), set().union(*roles.values())
    if not all_departments and not all_roles:
        return {}
    people = list(
        User.objects.filter(is_active=True)
        .filter(Q(department__in=all_departments) | Q(groups__in=all_roles))
        .distinct()
        .select_related("department")
        .prefetch_related("groups")
    )
    revision_ids = [revision.pk for _, revision in pairs]
    acknowledged = {
        (revision_id, user_id): at
        for revision_id, user_id, at in Acknowledgement.objects.filter(revision_id__in=revision_ids).values_list(
            "revision_id", "user_id", "acknowledged_at"
        )
    }
    earlier: dict[tuple[int, int], int] = {}
    for document_id, user_id, number in (
        Acknowledgement.objects.filter(revision__document_id__in=[document.pk for document, _ in pairs])
        .exclude(revision_id__in=revision_ids)
        .order_by("revision__revision")
        .values_list("revision__document_id", "user_id", "revision__revision")
    ):
        earlier[(document_id, user_id)] = number  # the latest earlier revision read wins
    statuses = {}
    for document, revision in pairs:
        readers = [
            person
            for person in people
            if person.department_id in departments[document.pk]
            or any(group.pk in roles[document.pk] for group in person.groups.all())
        ]
        readers.sort(key=lambda reader: ((revision.pk, reader.pk) in acknowledged, reader.last_name, reader.first_name))
        statuses[document.pk] = [
            ReaderStatus(reader, acknowledged.get((revision.pk, reader.pk)), earlier.get((document.pk, reader.pk)))
            for reader in readers
        ]
    return statuses


def distributed_documents(documents: QuerySet[Document], *, department_id: int | None = None) -> QuerySet[Document]:
    """Of `documents`, those in force that someone must read; with `department_id`, someone of that department."""
    in_force = documents.filter(status=Document.Status.EFFECTIVE)
    by_department = Document.distribution_departments.through.objects.all()
    by_role = Document.distribution_roles.through.objects.all()
    if department_id is None:
        # Any distribution at all: "one of either list" as a semi-join probes each document's distributions by
        # index while the page walks the register in order, stopping at its last row; two EXISTS joined by OR
        # would first read both lists whole, into hashes, at every request (tens of ms at 100,000 documents).
        return in_force.filter(
            pk__in=by_department.values("document_id").union(by_role.values("document_id"), all=True)
        )
    # One department's: selective, so two EXISTS, each hashed from its own index, serve best here.
    by_department = by_department.filter(document=OuterRef("pk"), department_id=department_id)
    by_role = by_role.filter(
        document=OuterRef("pk"),
        group__in=User.groups.through.objects.filter(user__department_id=department_id, user__is_active=True).values(
            "group_id"
        ),
    )
    return in_force.filter(Exists(by_department) | Exists(by_role))


def get_document_for_user(user: Any, pk: int) -> Document:
    """The document, if this user may see it; otherwise 404 (its existence is not revealed)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Document.objects.visible_to(user).select_related("document_type", "owner", "department"), pk=pk
    )


def get_revision_for_user(user: Any, document_pk: int, number: int) -> Revision:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Revision.objects.visible_to(user).select_related("document__owner", "document__document_type", "author"),
        document_id=document_pk,
        revision=number,
    )


def document_history_records(document: Document, user: Any) -> list[Any]:
    """Everything whose history tells a document's story: the document, the revisions the user may see, their
    approvals (with the signatures' comments), change requests and periodic reviews."""
    revisions = list(Revision.objects.visible_to(user).filter(document=document))
    approvals = list(Approval.objects.filter(revision__in=revisions).select_related("revision__document", "approver"))
    return [
        document,
        *revisions,
        *approvals,
        *document.change_requests.select_related("document"),
        *document.periodic_reviews.select_related("document"),
    ]
