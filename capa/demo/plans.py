"""The shape of a demo CAPA's story: when each step happens, who takes it, and where the story ends.

Days count back from the day the demo is seeded (-30 is thirty days ago, 0 is today), so a demo made any day looks
current. A due date is given as days after the step that sets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from capa.models import Capa, CauseCategory, Nonconformity, Severity, Source

FIVE_WHYS, FISHBONE = Capa.Method.FIVE_WHYS, Capa.Method.FISHBONE
CORRECTIVE, PREVENTIVE = Capa.Kind.CORRECTIVE, Capa.Kind.PREVENTIVE
PEOPLE, METHOD, MACHINE = CauseCategory.PEOPLE, CauseCategory.METHOD, CauseCategory.MACHINE
MATERIAL, MEASUREMENT, ENVIRONMENT = CauseCategory.MATERIAL, CauseCategory.MEASUREMENT, CauseCategory.ENVIRONMENT
LOW, MEDIUM, HIGH = Severity.LOW, Severity.MEDIUM, Severity.HIGH
INTERNAL, SUPPLIER, COMPLAINT = Source.INTERNAL, Source.SUPPLIER, Source.CUSTOMER_COMPLAINT
DEVIATION = Source.PROCESS_DEVIATION
CORRECTED, REWORK = Nonconformity.Disposition.CORRECTED, Nonconformity.Disposition.REWORK
RETURN_TO_SUPPLIER = Nonconformity.Disposition.RETURN_TO_SUPPLIER
OPEN, INVESTIGATING, IMPLEMENTING = Capa.Status.OPEN, Capa.Status.INVESTIGATING, Capa.Status.IMPLEMENTING
VERIFYING, CLOSED, CANCELLED = Capa.Status.VERIFYING, Capa.Status.CLOSED, Capa.Status.CANCELLED


@dataclass(frozen=True)
class Triage:
    """A quality manager closes the log entry with a disposition, without a CAPA."""

    day: int
    disposition: str
    note: str


@dataclass(frozen=True)
class NonconformityPlan:
    """An entry in the nonconformity log. One that a CAPA plan names is escalated to that CAPA on the CAPA's day."""

    reported: int
    reporter: str
    title: str
    description: str
    source: str
    severity: str
    department: str
    clause: str
    location: str = ""
    containment: str = ""
    customer: str = ""
    customer_reference: str = ""
    reply_in: int | None = None  # a complaint's answer is due this many days after it is reported
    closed: Triage | None = None


@dataclass(frozen=True)
class Analysis:
    """The owner writes (or, after a failed check, rewrites) the root-cause analysis. An analysis in progress has
    its causes but no root cause yet."""

    day: int
    method: str
    causes: Any  # 5 Whys: ((why, because), …); fishbone: {category: (cause, …)}
    root_cause: str = ""
    category: str = ""

    def as_recorded(self) -> Any:
        if self.method == FIVE_WHYS:
            return [{"why": why, "because": because} for why, because in self.causes]
        return {category: list(causes) for category, causes in self.causes.items()}


@dataclass(frozen=True)
class RevisionPlan:
    """The revision that answers a document action's change request: the document's owner writes it from the
    effective text and submits it to `approver`, who signs it effective (or has not signed yet)."""

    summary: str
    changes: tuple[tuple[str, str], ...]  # (old, new) text replacements on the effective revision's file
    approver: str
    signed: bool = True


@dataclass(frozen=True)
class ActionPlan:
    description: str
    owner: str
    planned: int
    due: int
    done: int | None = None  # the owner reports it done with `evidence` (a document action: the revision is written)
    evidence: str = ""
    cancelled: int | None = None
    cancel_reason: str = ""
    document: str = ""  # the title of the controlled document it changes (the demo documents are all dated today)
    revision: RevisionPlan | None = None


@dataclass(frozen=True)
class CheckPlan:
    """One round of verification: the CAPA moves to verifying (planning its check), and a quality manager signs the
    result, or has not yet."""

    verifying: int
    criteria: str
    planned_in: int | None = None  # days from verifying to the planned date; None: 90 days after the last action
    signed: int | None = None
    effective: bool = True
    comment: str = ""


@dataclass(frozen=True)
class CapaPlan:
    """A CAPA from opening to where its story stops. It is opened from one of three places: an audit finding (whose
    statement starts with `finding`), a log entry (whose title is `nonconformity`), or on its own (`title` …)."""

    opened: int
    owner: str
    due: int
    finding: str = ""
    nonconformity: str = ""
    title: str = ""
    source: str = INTERNAL
    kind: str = CORRECTIVE
    severity: str = MEDIUM
    department: str = ""
    clause: str = ""
    problem: str = ""
    containment: str = ""
    investigating: int | None = None
    analyses: tuple[Analysis, ...] = ()
    actions: tuple[ActionPlan, ...] = ()
    implementing: tuple[int, ...] = ()  # a second day after a failed check
    checks: tuple[CheckPlan, ...] = ()
    cancelled: int | None = None
    cancel_reason: str = ""
    ends: str = ""  # the status the story ends in, checked when the demo is built

    @property
    def label(self) -> str:
        return self.title or self.nonconformity or self.finding
