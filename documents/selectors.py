"""Reads of controlled documents that are more than one query; every one starts from a `visible_to` queryset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from documents.models import Acknowledgement, Approval, ChangeRequest, Document, Revision
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
    return (
        Document.objects.visible_to(user)
        .select_related("document_type", "owner", "department")
        .prefetch_related(
            "clauses",
            "distribution_departments",
            "distribution_roles",
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
        .order_by("revision__submitted_at")
    )


def acknowledgements_pending_for(user: User) -> QuerySet[Revision]:
    """Effective revisions the user must read (by department or role) and has not acknowledged yet."""
    role_ids = user.groups.values_list("pk", flat=True)
    required = Q(document__distribution_departments=user.department_id) | Q(document__distribution_roles__in=role_ids)
    acknowledged = Acknowledgement.objects.filter(revision=OuterRef("pk"), user=user)
    pks = (
        Revision.objects.filter(status=Revision.Status.EFFECTIVE)
        .filter(required)
        .exclude(Exists(acknowledged))
        .values("pk")
    )
    return Revision.objects.filter(pk__in=pks).select_related("document").order_by("effective_at")


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
    readers = distribution_users(document)
    if revision is None or not readers:
        return []
    acknowledgements = {
        ack.user_id: ack.acknowledged_at for ack in Acknowledgement.objects.filter(revision=revision, user__in=readers)
    }
    earlier = dict(
        Acknowledgement.objects.filter(revision__document=document, user__in=readers)
        .exclude(revision=revision)
        .order_by("revision__revision")
        .values_list("user_id", "revision__revision")
    )
    readers.sort(key=lambda reader: (reader.pk in acknowledgements, reader.last_name, reader.first_name))
    return [ReaderStatus(reader, acknowledgements.get(reader.pk), earlier.get(reader.pk)) for reader in readers]


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
