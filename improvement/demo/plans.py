"""The shape of a demo idea's story: who submits it and when, who decides, each PDCA cycle's notes, how it ends, and
who votes and comments along the way.

Days count back from the day the demo is seeded (-30 is thirty days ago, 0 is today), so a demo made any day looks
current and the twelve months before it have a trend.
"""

from __future__ import annotations

from dataclasses import dataclass

from improvement.models import Idea

QUALITY, COST, TIME = Idea.Category.QUALITY, Idea.Category.COST, Idea.Category.TIME
SAFETY, CUSTOMER, ENVIRONMENT = Idea.Category.SAFETY, Idea.Category.CUSTOMER, Idea.Category.ENVIRONMENT
EMPLOYEE, FROM_CUSTOMER = Idea.Source.EMPLOYEE, Idea.Source.CUSTOMER
HOURS, DEFECTS, MONEY = Idea.BenefitUnit.HOURS_SAVED, Idea.BenefitUnit.DEFECTS_AVOIDED, Idea.BenefitUnit.MONEY
SUBMITTED, ACCEPTED, PLAN, DO = Idea.Stage.SUBMITTED, Idea.Stage.ACCEPTED, Idea.Stage.PLAN, Idea.Stage.DO
CHECK, ACT, STANDARDIZED = Idea.Stage.CHECK, Idea.Stage.ACT, Idea.Stage.STANDARDIZED
REJECTED, PARKED = Idea.Stage.REJECTED, Idea.Stage.PARKED


@dataclass(frozen=True)
class Decision:
    """A quality manager accepts the idea (or takes up a parked one) and names its champion."""

    day: int
    champion: str
    note: str = ""
    by: str = "qm"


@dataclass(frozen=True)
class Cycle:
    """One turn of Plan-Do-Check-Act, as far as it has gone. The champion moves the idea into each stage on its day
    and writes that stage's notes. A second cycle starts from Act with `note` saying why."""

    plan: int
    metric: str
    baseline: str
    target: str
    plan_notes: str = ""
    note: str = ""
    do: int | None = None
    do_notes: str = ""
    check: int | None = None
    measured: str = ""
    check_notes: str = ""
    act: int | None = None
    act_notes: str = ""


@dataclass(frozen=True)
class DocumentChange:
    """In Act the champion requests a change to a demo document (the demo documents are dated today, so this happens
    today). Its owner accepts the request and writes the revision from the effective text, and `approver` signs it
    effective; or, with `effective` False, the request still waits for the owner."""

    document: str  # the document's title
    summary: str
    changes: tuple[tuple[str, str], ...]  # (old, new) text replacements on the effective revision's file
    approver: str
    effective: bool = True


@dataclass(frozen=True)
class Standardized:
    """The champion records the measured benefit and standardises: through the idea's document change (once it is
    effective), or with the reason why no document changes."""

    day: int
    unit: str
    amount: str
    benefit_notes: str
    no_change_reason: str = ""


@dataclass(frozen=True)
class Stopped:
    """A quality manager rejects or parks the idea, with the reason the submitter reads."""

    day: int
    stage: str
    reason: str


@dataclass(frozen=True)
class Remark:
    """A comment, in Markdown; @username mentions notify the person named."""

    day: int
    author: str
    body: str


@dataclass(frozen=True)
class IdeaPlan:
    """An idea from its submission to where its story stops (`stage`, checked when the demo is built).

    It comes from one of three places: an employee's form (`title`, `problem`, `proposal` …, by name or
    `anonymous`), an audit finding whose statement starts with `finding`, or the CAPA titled `capa`, whose owner
    `by` spawns it as a preventive idea with `title` and `proposal`."""

    day: int
    by: str
    title: str
    stage: str
    problem: str = ""
    proposal: str = ""
    category: str = QUALITY
    benefit: str = ""
    department: str = ""  # the department code, when not the submitter's own
    anonymous: bool = False
    source: str = EMPLOYEE
    attachment: tuple[str, str] | None = None  # (file name, CSV text) attached when submitted
    finding: str = ""
    capa: str = ""
    accepted: Decision | None = None
    stopped: Stopped | None = None
    resumed: Decision | None = None  # a parked idea taken up again
    cycles: tuple[Cycle, ...] = ()
    change: DocumentChange | None = None
    standardized: Standardized | None = None
    votes: int = 0
    comments: tuple[Remark, ...] = ()

    @property
    def decided(self) -> int | None:
        """The day the idea stopped taking votes: standardized, rejected or parked (and not taken up again)."""
        if self.standardized is not None:
            return 0 if self.change is not None else self.standardized.day
        if self.stopped is not None and self.resumed is None:
            return self.stopped.day
        return None
