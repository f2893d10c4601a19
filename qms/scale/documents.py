"""Seeded controlled documents: each with one to five revisions, their approvals and signatures, acknowledgements,
clause links, periodic reviews and history, as the document services would have left them over the years.

The fates, out of a hundred documents: about 85 are effective (their last revision in force, the earlier ones
superseded, a few with the next revision in draft, in review or approved for a later date), about 8 never got past
their first draft or review, and about 7 were retired (obsolete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from documents.models import (
    Acknowledgement,
    Approval,
    Document,
    PeriodicReview,
    Revision,
    add_months,
)
from documents.search import search_text_for
from qms.models import Signature
from qms.scale.rows import Row, Rows
from qms.scale.world import Person, World, add_signature

S = Revision.Status
EFFECTIVE = Document.Status.EFFECTIVE
REVISION_COUNT_WEIGHTS = [35, 25, 20, 12, 8]  # 1, 2, 3, 4 or 5 published revisions
APPROVAL_COMMENTS = ["", "", "Agreed.", "Checked against current practice.", "Fine; brief the shift leads first."]
REJECTION_COMMENTS = [
    "The acceptance criteria do not match the control plan.",
    "Step 4 contradicts the work instruction; please align.",
    "The form referenced has been replaced.",
]
RETIRE_COMMENTS = ["Process discontinued.", "Merged into another procedure.", "Product line ended."]


@dataclass(frozen=True)
class SeededDocument:
    """What the other generators need of a seeded document (audits are held against documents of a department)."""

    id: int
    department_id: int | None
    status: str


class _Revisions:
    """Writes one document's revisions in order, each with its approvals, signatures and history."""

    def __init__(self, world: World, rows: Rows, document: Row, topic: tuple[str, str]) -> None:
        self.world, self.rows, self.document, self.topic = world, rows, document, topic
        self.number = 0
        self.text = ""
        # The text of the revision last in force: what search looks through (documents.search).
        self.published_text = ""
        # The approvals of the current round that are still waiting for a decision.
        self.pending: list[Row] = []

    def add(self, *, author: Person, created: datetime) -> Row:
        world = self.world
        self.number += 1
        first = self.number == 1
        self.text = world.vocabulary.text(world.rng.randint(6, 16), self.topic) if first else self._revised()
        file = world.rng.choice(world.pool)
        revision = self.rows.add(
            Revision,
            document_id=self.document["id"],
            revision=self.number,
            file=file.name,
            original_filename=file.original_filename,
            sha256=file.sha256,
            size=file.size,
            content_type=file.content_type,
            extracted_text=self.text,
            change_summary=world.vocabulary.change_summary(self.number == 1),
            author_id=author.id,
            status=S.DRAFT,
            review_round=0,
            created_at=created,
        )
        self.rows.history(Revision, revision, when=created, user=author.id, reason="Draft uploaded")
        return revision

    def _revised(self) -> str:
        return self.world.vocabulary.revise(self.text)

    def submit(self, revision: Row, *, at: datetime, rejected_first: bool) -> list[Person]:
        """Send to one to three approvers; with `rejected_first`, one of them rejects round 1 and the author
        resubmits. Returns the approvers of the last round, whose decisions are still pending."""
        world, rows = self.world, self.rows
        author = revision["author_id"]
        count = world.rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        approvers: list[Person] = []
        for _ in range(count):
            approvers.append(world.someone_else(world.approvers, than={author, *(a.id for a in approvers)}))
        names = ", ".join(approver.name for approver in approvers)
        revision.update(status=S.IN_REVIEW, review_round=1, submitted_at=at)
        rows.history(Revision, revision, when=at, user=author, reason=f"Submitted for approval to {names}", kind="~")
        if not rejected_first:
            self.pending = [self._request(revision, approver, at) for approver in approvers]
            return approvers
        requests = [self._request(revision, approver, at) for approver in approvers]
        rejected_at = world.after(at, max_days=5, min_days=0.1)
        self.decide(revision, requests[0], approvers[0], at=rejected_at, approve=False)
        for approval in requests[1:]:
            approval["decision"] = Approval.Decision.NOT_NEEDED
            rows.history(
                Approval,
                approval,
                when=rejected_at,
                user=approvers[0].id,
                kind="~",
                reason=f"Round ended by {approvers[0].name}'s rejection",
            )
        revision.update(status=S.DRAFT)
        rows.history(
            Revision,
            revision,
            when=rejected_at,
            user=approvers[0].id,
            kind="~",
            reason=f"Rejected by {approvers[0].name}: {requests[0]['comment']}",
        )
        again = world.after(rejected_at, max_days=10, min_days=0.5)
        revision.update(status=S.IN_REVIEW, review_round=2, submitted_at=again)
        rows.history(Revision, revision, when=again, user=author, reason=f"Submitted for approval to {names}", kind="~")
        self.pending = [self._request(revision, approver, again) for approver in approvers]
        return approvers

    def _request(self, revision: Row, approver: Person, at: datetime) -> Row:
        approval = self.rows.add(
            Approval,
            revision_id=revision["id"],
            round=revision["review_round"],
            approver_id=approver.id,
            decision=Approval.Decision.PENDING,
            comment="",
            decided_at=None,
            signature_id=None,
        )
        self.rows.history(Approval, approval, when=at, user=revision["author_id"], reason="Approval requested")
        return approval

    def decide(self, revision: Row, approval: Row, approver: Person, *, at: datetime, approve: bool) -> None:
        world = self.world
        comment = world.rng.choice(APPROVAL_COMMENTS if approve else REJECTION_COMMENTS)
        meaning = Signature.Meaning.APPROVED if approve else Signature.Meaning.REJECTED
        signature = add_signature(
            world,
            self.rows,
            approver,
            revision,
            "revision",
            at=at,
            meaning=meaning,
            content_sha256=revision["sha256"],
            comment=comment,
        )
        approval.update(
            decision=Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED,
            comment=comment,
            decided_at=at,
            signature_id=signature["id"],
        )
        reason = "Approved with electronic signature" if approve else "Rejected with electronic signature"
        self.rows.history(Approval, approval, when=at, user=approver.id, reason=reason, kind="~")

    def approve_all(self, revision: Row, approvers: list[Person], *, until: datetime) -> datetime:
        """Every pending approver signs before `until`; returns when the last one did."""
        last = revision["submitted_at"]
        for approval, approver in zip(self.pending, approvers, strict=True):
            at = self.world.moment(revision["submitted_at"], until)
            self.decide(revision, approval, approver, at=at, approve=True)
            last = max(last, at)
        return last

    def make_effective(self, revision: Row, *, at: datetime, actor: int) -> None:
        revision.update(status=S.EFFECTIVE, approved_at=at, effective_at=at, effective_date=at.date())
        self.rows.history(
            Revision, revision, when=at, user=actor, reason="Approved by every approver; became effective", kind="~"
        )

    def end(self, revision: Row, *, status: str, at: datetime, actor: int | None, reason: str) -> None:
        revision.update(status=status, ended_at=at, end_reason=reason)
        self.rows.history(Revision, revision, when=at, user=actor, reason=reason, kind="~")


def add_documents(world: World, rows: Rows, count: int) -> list[SeededDocument]:
    return [_add_document(world, rows) for _ in range(count)]


def _add_document(world: World, rows: Rows) -> SeededDocument:
    rng = world.rng
    type_id, code, months = rng.choices(world.types, weights=world.type_weights)[0]
    department_id = rng.choice(world.departments) if rng.random() < 0.9 else None
    owner = world.member_of(department_id)
    created = world.moment(world.start, world.now - timedelta(days=20))
    number = f"{code}-{world.next_number(f'document:{code}'):04d}"
    topic = world.vocabulary.topic()
    title = world.vocabulary.title(topic)
    fate = rng.random()
    status = Document.Status.DRAFT if fate < 0.08 else Document.Status.OBSOLETE if fate < 0.15 else EFFECTIVE
    if status == Document.Status.OBSOLETE and created > world.now - timedelta(days=120):
        status = EFFECTIVE  # too young to have been retired
    document = rows.add(
        Document,
        number=number,
        document_type_id=type_id,
        title=title,
        owner_id=owner.id,
        department_id=department_id,
        restricted=rng.random() < 0.05,
        review_period_months=months,
        next_review_due=None,
        status=Document.Status.DRAFT,
        created_at=created,
        search_text="",
    )
    registrar = rng.choice(world.quality_managers) if rng.random() < 0.5 else owner
    rows.history(Document, document, when=created, user=registrar.id, reason="Document registered")
    links = _links(world, rows, document, department_id)
    registered = created + timedelta(seconds=1)
    _snapshot(
        rows,
        links,
        rows.history(Document, document, when=registered, user=registrar.id, reason="Document registered", kind="~"),
    )
    revisions = _Revisions(world, rows, document, topic)
    if status == Document.Status.DRAFT:
        _never_effective(world, revisions, owner, created)
    else:
        _published(world, rows, revisions, document, owner, links, retire=status == Document.Status.OBSOLETE)
    document["search_text"] = search_text_for(Document(number=number, title=title), revisions.published_text)
    return SeededDocument(id=document["id"], department_id=department_id, status=document["status"])


def _links(world: World, rows: Rows, document: Row, department_id: int | None) -> dict[str, list[Row]]:
    rng = world.rng
    clauses = {clause[0] for clause in rng.sample(world.clauses, k=rng.randint(1, 3))}
    departments = set(rng.sample(world.departments, k=rng.choices((0, 1, 2), weights=(40, 45, 15))[0]))
    if department_id is not None and rng.random() < 0.5:
        departments.add(department_id)
    roles = [world.employee_group] if rng.random() < 0.15 else []
    return {
        "clauses": rows.link(Document, "clauses", document["id"], sorted(clauses)),
        "distribution_departments": rows.link(
            Document, "distribution_departments", document["id"], sorted(departments)
        ),
        "distribution_roles": rows.link(Document, "distribution_roles", document["id"], roles),
    }


def _snapshot(rows: Rows, links: dict[str, list[Row]], history_id: int) -> None:
    for field_name, field_links in links.items():
        rows.snapshot(Document, field_name, field_links, history_id)


def _never_effective(world: World, revisions: _Revisions, owner: Person, created: datetime) -> None:
    """A document still waiting for its first revision to be approved; some had a first draft withdrawn."""
    rng = world.rng
    start = world.after(created, max_days=10)
    if rng.random() < 0.15:
        withdrawn = revisions.add(author=owner, created=start)
        at = world.after(start, max_days=30, min_days=1)
        revisions.end(withdrawn, status=S.WITHDRAWN, at=at, actor=owner.id, reason="Started again from the template")
        start = world.after(at, max_days=10)
    revision = revisions.add(author=owner, created=start)
    if rng.random() < 0.45:
        revisions.submit(revision, at=world.after(start, max_days=20, min_days=0.5), rejected_first=False)


def _published(
    world: World,
    rows: Rows,
    revisions: _Revisions,
    document: Row,
    owner: Person,
    links: dict[str, list[Row]],
    *,
    retire: bool,
) -> None:
    rng = world.rng
    count = rng.choices(range(1, 6), weights=REVISION_COUNT_WEIGHTS)[0]
    retired_at = world.moment(document["created_at"] + timedelta(days=60), world.now) if retire else None
    horizon = (retired_at or world.now) - timedelta(days=1)
    starts = sorted(world.moment(document["created_at"], horizon) for _ in range(count))
    previous: Row | None = None
    for index, start in enumerate(starts):
        until = starts[index + 1] if index + 1 < count else horizon
        gap = max(until - start, timedelta(hours=2))
        author = owner if rng.random() < 0.75 else world.member_of(document["department_id"])
        revision = revisions.add(author=author, created=start)
        # Review takes days or weeks, and ends well before the next revision starts (a rejection adds a round).
        submitted = (start + min(gap * rng.uniform(0.02, 0.1), timedelta(days=rng.uniform(0.5, 30)))).replace(
            microsecond=0
        )
        rejected_first = gap > timedelta(days=60) and rng.random() < 0.1
        approvers = revisions.submit(revision, at=submitted, rejected_first=rejected_first)
        window = min(gap * rng.uniform(0.1, 0.3), timedelta(days=rng.uniform(1, 20)))
        approved = revisions.approve_all(revision, approvers, until=revision["submitted_at"] + window)
        if previous is not None:
            revisions.end(
                previous,
                status=S.SUPERSEDED,
                at=approved,
                actor=approvers[-1].id,
                reason=f"Superseded by revision {revision['revision']}",
            )
        revisions.make_effective(revision, at=approved, actor=approvers[-1].id)
        _acknowledge(world, rows, revision, document, links, until=until)
        previous = revision
    assert previous is not None
    revisions.published_text = revisions.text
    effective_date = previous["effective_date"]
    document.update(
        status=Document.Status.EFFECTIVE, next_review_due=add_months(effective_date, document["review_period_months"])
    )
    _snapshot(
        rows,
        links,
        rows.history(
            Document,
            document,
            when=previous["effective_at"],
            user=previous["author_id"],
            kind="~",
            reason=f"Revision {previous['revision']} effective",
        ),
    )
    if retired_at is not None:
        _retire(world, rows, revisions, document, previous, links, at=retired_at)
        return
    _periodic_review(world, rows, document, previous, owner, links)
    if rng.random() < 0.06:
        _next_in_progress(world, revisions, owner, document)


def _acknowledge(
    world: World, rows: Rows, revision: Row, document: Row, links: dict[str, list[Row]], *, until: datetime
) -> None:
    """Some of the people who must read it confirm they did, while it is in force."""
    rng = world.rng
    departments = {link["department_id"] for link in links["distribution_departments"]}
    departments.add(document["department_id"])
    readers = {person.id: person for department in departments for person in world.members.get(department, [])}
    if not readers:
        return
    last = revision["status"] == S.EFFECTIVE and until >= world.now - timedelta(days=2)
    count = min(len(readers), rng.randint(0, 5) if last else rng.randint(0, 2))
    for reader_id in rng.sample(sorted(readers), k=count):
        at = world.moment(revision["effective_at"], min(revision["effective_at"] + timedelta(days=30), until))
        rows.add(Acknowledgement, revision_id=revision["id"], user_id=reader_id, acknowledged_at=at)


def _retire(
    world: World,
    rows: Rows,
    revisions: _Revisions,
    document: Row,
    effective: Row,
    links: dict[str, list[Row]],
    *,
    at: datetime,
) -> None:
    manager = world.rng.choice(world.quality_managers)
    comment = world.rng.choice(RETIRE_COMMENTS)
    revisions.end(effective, status=S.OBSOLETE, at=at, actor=manager.id, reason=f"Retired: {comment}")
    document.update(status=Document.Status.OBSOLETE, next_review_due=None)
    history_id = rows.history(Document, document, when=at, user=manager.id, reason=f"Retired: {comment}", kind="~")
    _snapshot(rows, links, history_id)
    add_signature(
        world,
        rows,
        manager,
        document,
        "document",
        at=at,
        meaning=Signature.Meaning.CLOSED,
        content_sha256=effective["sha256"],
        comment=comment,
    )


def _periodic_review(
    world: World, rows: Rows, document: Row, effective: Row, owner: Person, links: dict[str, list[Row]]
) -> None:
    """Most owners confirm their documents when the review falls due; the rest are overdue today."""
    months = document["review_period_months"]
    due = document["next_review_due"]
    if due >= world.today or world.rng.random() < 0.12:
        return
    while add_months(due, months) < world.today:
        due = add_months(due, months)
    reviewed_at = datetime.combine(due, datetime.min.time(), tzinfo=world.now.tzinfo) + timedelta(
        hours=world.rng.randint(8, 16), days=-world.rng.randint(0, 10)
    )
    reviewed_at = max(reviewed_at, effective["effective_at"] + timedelta(hours=1))
    next_due = add_months(reviewed_at.date(), months)
    comment = "Reviewed; still valid."
    signature = add_signature(
        world,
        rows,
        owner,
        document,
        "document",
        at=reviewed_at,
        meaning=Signature.Meaning.REVIEWED,
        content_sha256=effective["sha256"],
        comment=comment,
    )
    document["next_review_due"] = next_due
    _snapshot(
        rows,
        links,
        rows.history(
            Document,
            document,
            when=reviewed_at,
            user=owner.id,
            kind="~",
            reason="Periodic review: confirmed without change",
        ),
    )
    review = rows.add(
        PeriodicReview,
        document_id=document["id"],
        revision_id=effective["id"],
        reviewed_by_id=owner.id,
        reviewed_at=reviewed_at,
        comment=comment,
        next_review_due=next_due,
        signature_id=signature["id"],
    )
    rows.history(PeriodicReview, review, when=reviewed_at, user=owner.id, reason="Periodic review confirmed")


def _next_in_progress(world: World, revisions: _Revisions, owner: Person, document: Row) -> None:
    """The next revision of an effective document, on its way: a draft, in review, or approved for a later date."""
    start = world.moment(world.now - timedelta(days=60), world.now - timedelta(hours=2))
    revision = revisions.add(author=owner, created=start)
    stage = world.rng.random()
    if stage < 0.4:
        return
    submitted = world.moment(start, world.now - timedelta(hours=1))
    approvers = revisions.submit(revision, at=submitted, rejected_first=False)
    if stage < 0.9:
        return
    approved = revisions.approve_all(revision, approvers, until=world.now)
    revision.update(
        status=S.APPROVED, approved_at=approved, effective_date=world.today + timedelta(days=world.rng.randint(1, 14))
    )
    revisions.rows.history(
        Revision, revision, when=approved, user=approvers[-1].id, reason="Approved by every approver", kind="~"
    )
