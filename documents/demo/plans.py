"""The shape of a demo document's story: which revisions it goes through, who signs, who reads it."""

from __future__ import annotations

from dataclasses import dataclass

from documents.models import ChangeRequest, Revision

EFFECTIVE = Revision.Status.EFFECTIVE
OPEN = ChangeRequest.Status.OPEN


@dataclass(frozen=True)
class RevisionPlan:
    """One revision's way through the workflow, and where it stops."""

    summary: str
    approvers: tuple[str, ...] = ("qm",)
    author: str = ""  # the document's owner when empty
    changes: tuple[tuple[str, str], ...] = ()  # (old, new) text replacements on the previous revision's body
    outcome: str = EFFECTIVE  # effective, approved (future date), in_review, draft or withdrawn
    signed: tuple[str, ...] = ()  # approvers who already signed a revision left in review
    rejection: str = ""  # the first approver rejects round 1 with this; the author applies `fixes` and resubmits
    fixes: tuple[tuple[str, str], ...] = ()
    withdrawal: str = ""
    request: tuple[str, str] | None = None  # (requester, reason): the revision answers an accepted change request
    read_by: tuple[str, ...] = ()  # who acknowledges it once effective


@dataclass(frozen=True)
class RequestPlan:
    requester: str
    reason: str
    decision: str = OPEN
    note: str = ""


@dataclass(frozen=True)
class DocumentPlan:
    type: str
    title: str
    owner: str
    department: str | None
    clauses: tuple[str, ...]
    readers: tuple[str, ...]  # department codes and role names
    body: str
    revisions: tuple[RevisionPlan, ...]
    file: str = "md"  # md, pdf or csv
    restricted: bool = False
    review_months: int | None = None
    review: str = ""  # the owner confirms the periodic review with this comment
    retire: str = ""  # the quality manager retires the document with this comment
    requests: tuple[RequestPlan, ...] = ()
