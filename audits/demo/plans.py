"""The shape of a demo audit's story: when it is planned, who audits whom, what the checklist shows, how far it goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from audits.models import Audit, ChecklistItem, Finding

CLOSED, REPORTING, IN_PROGRESS = Audit.Status.CLOSED, Audit.Status.REPORTING, Audit.Status.IN_PROGRESS
PLANNED, CANCELLED = Audit.Status.PLANNED, Audit.Status.CANCELLED
CONFORMING, NONCONFORMING = ChecklistItem.Result.CONFORMING, ChecklistItem.Result.NONCONFORMING
OBSERVATION, NOT_APPLICABLE = ChecklistItem.Result.OBSERVATION, ChecklistItem.Result.NOT_APPLICABLE
NOT_CHECKED = ChecklistItem.Result.NOT_CHECKED
MAJOR_NC, MINOR_NC, OBS, OFI = Finding.Type.MAJOR_NC, Finding.Type.MINOR_NC, Finding.Type.OBSERVATION, Finding.Type.OFI


@dataclass(frozen=True)
class When:
    """When an audit is planned, relative to the day the demo is seeded, so that a demo made any day looks current.

    Exactly one of `elapsed` (this fraction of the way from 1 January to three weeks ago), `days` (this many days
    from today, kept within this year) or `next_year` ((month, day) of next year) is given.
    """

    elapsed: float | None = None
    days: int | None = None
    next_year: tuple[int, int] | None = None
    length: int = 1  # planned days of fieldwork

    def dates(self, today: date) -> tuple[date, date]:
        first, last = date(today.year, 1, 1), date(today.year, 12, 31)
        if self.next_year is not None:
            start = _weekday(date(today.year + 1, *self.next_year))
            return start, start + timedelta(days=self.length - 1)
        if self.elapsed is not None:
            past = max(today - timedelta(days=21), first)
            start = first + (past - first) * self.elapsed
        else:
            start = today + timedelta(days=self.days or 0)
        start = min(max(_weekday(start), first), last)
        return start, min(start + timedelta(days=self.length - 1), last)


def _weekday(day: date) -> date:
    """Audits happen on working days: a Saturday or Sunday moves to the Monday after."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


@dataclass(frozen=True)
class FindingPlan:
    type: str
    statement: str
    requirement: str = ""  # raised from a checklist answer: its question when empty
    evidence: str = ""  # raised from a checklist answer: its notes when empty
    clause: str = ""  # only for a finding raised outside the checklist


@dataclass(frozen=True)
class Answer:
    """What the auditor recorded against one checklist question; `NOT_CHECKED` with notes is work in progress."""

    result: str
    notes: str
    finding: FindingPlan | None = None


@dataclass(frozen=True)
class AuditPlan:
    title: str
    scope: str
    department: str | None
    clauses: tuple[str, ...]
    lead: str
    team: tuple[str, ...]
    auditees: tuple[str, ...]
    when: When
    outcome: str  # the state the audit's story ends in
    # Per clause, the answers to that clause's template questions (see checklists.py), in their order.
    answers: dict[str, tuple[Answer, ...]] = field(default_factory=dict)
    findings: tuple[FindingPlan, ...] = ()  # raised outside the checklist
    conclusion: str = ""
    close_comment: str = ""
    cancel_reason: str = ""
