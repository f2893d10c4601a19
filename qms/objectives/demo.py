"""Demo quality objectives for `manage.py seed_demo`, set and measured only through `qms.objectives.services`.

Six objectives of a manufacturer, each with about a year of values so the trends look real: customer complaints
(by hand, lower is better, on track), on-time delivery (by hand, drifting off track), scrap on filling line 2 (by
hand, achieved last month and closed), and three computed from the demo's own records: CAPAs closed on time,
audit programme coverage, and ideas reaching Act. (Not acknowledgements, the idea rate or participation: they count
the people whose accounts existed on each day, and the demo's accounts are all made today, so their past months have
no value.)

Each step runs with Django's clock set to its day (`capa/demo/clock.py`): an objective is set on its start date,
each month's value is entered a couple of days after the month ends, so the history reads as it would have happened.
The computed objectives get their month-end values here, from the records as of each month's end, as the backfill
task would give them.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import OutputWrapper
from django.utils import timezone

from capa.demo.clock import clock_at
from documents.models import add_months
from qms.models import Clause, Department, User
from qms.objectives import services
from qms.objectives.models import Measurement, Objective

WORKDAY_START = time(9, 15)
ENTRY_DELAY = timedelta(days=2)  # a month's value is entered this long after the month ends


@dataclass(frozen=True)
class Closing:
    outcome: str
    reason: str


@dataclass(frozen=True)
class Plan:
    title: str
    description: str
    owner: str
    department: str | None
    clauses: tuple[str, ...]
    started: int  # months before this month
    due_in: int  # months after this month (negative: already past)
    target: str
    source: str = Objective.Source.MANUAL
    metric: str = ""
    unit: str = ""
    direction: str = ""
    baseline: str | None = None
    values: tuple[str, ...] = ()  # one per month, oldest first, ending with the last full month
    notes: dict[int, str] = field(default_factory=dict)  # value index → note
    closing: Closing | None = None


PLANS: tuple[Plan, ...] = (
    Plan(
        title="Halve customer complaints",
        description="Complaints cost re-deliveries and the trust of our two largest customers. Actions: the new "
        "outgoing inspection at packing, and the complaint reviews with Brightwater Foods each quarter.",
        owner="sales.lead",
        department="SALES",
        clauses=("6.2", "9.1.2"),
        started=12,
        due_in=4,
        metric="Customer complaints per month",
        unit="complaints",
        direction=Objective.Direction.LOWER,
        baseline="11",
        target="5",
        values=("11", "10", "12", "9", "9", "8", "7", "8", "6", "7", "6", "6"),
        notes={
            0: "From the nonconformity log, source customer complaint.",
            2: "Three of the twelve from one late batch to Brightwater Foods (loose caps).",
            6: "Outgoing inspection at packing started mid-month.",
            10: "From the nonconformity log; no repeat of the loose caps.",
        },
    ),
    Plan(
        title="Deliver on the promised day",
        description="Customers plan their filling lines on our dates; two asked for a delivery performance report "
        "at the last business review.",
        owner="log.lead",
        department="LOG",
        clauses=("6.2", "8.5.1", "9.1.2"),
        started=12,
        due_in=1,
        metric="Orders delivered on the promised day",
        unit="%",
        direction=Objective.Direction.HIGHER,
        baseline="91",
        target="97",
        values=("91.2", "92.0", "90.5", "93.1", "92.4", "91.8", "90.9", "92.2", "91.5", "90.1", "89.7", "90.4"),
        notes={
            0: "ERP delivery report, all orders shipped in the month.",
            3: "Best month so far: the second shift in the warehouse.",
            9: "Carrier change in the north region: eleven orders a day late.",
            10: "Still the carrier; raised as a supplier nonconformity.",
        },
    ),
    Plan(
        title="Cut scrap on filling line 2 below 2 %",
        description="Line 2 scrapped more than the others since the new bottle format. The nozzle cleaning routine "
        "suggested by the line was tried first.",
        owner="prod.lead",
        department="PROD",
        clauses=("6.2", "8.5.1"),
        started=12,
        due_in=-1,
        metric="Scrap rate, filling line 2",
        unit="%",
        direction=Objective.Direction.LOWER,
        baseline="3.4",
        target="2",
        values=("3.4", "3.1", "3.2", "2.8", "2.6", "2.5", "2.3", "2.2", "2.1", "2.0", "1.9", "1.8"),
        notes={0: "Scrap weighed per shift, from the line log.", 3: "Nozzle cleaning every four hours from the 10th."},
        closing=Closing(
            Objective.Status.ACHIEVED,
            "1.8 % in the last month, under 2 % for three months running: the nozzle cleaning routine holds and is in "
            "the line 2 work instruction. Next year's objective aims at 1.5 % on every line.",
        ),
    ),
    Plan(
        title="Close CAPAs by their due date",
        description="Late CAPAs were the most frequent remark of the last certification audit.",
        owner="qa.engineer",
        department="QA",
        clauses=("6.2", "10.2"),
        started=9,
        due_in=3,
        source=Objective.Source.CAPAS_CLOSED_ON_TIME,
        target="80",
    ),
    Plan(
        title="Audit the whole standard within the programme",
        description="The last programme left clauses 4, 5 and 7 unaudited; the new programme covers every clause "
        "over two years.",
        owner="auditor",
        department="QA",
        clauses=("6.2", "9.2"),
        started=12,
        due_in=12,
        source=Objective.Source.PROGRAMME_COVERAGE,
        baseline="0",
        target="70",
    ),
    Plan(
        title="Carry more improvement ideas through to Act",
        description="Many ideas are accepted and then stall in Plan or Do; at least half of the ideas decided should "
        "reach Act, where they change how we work.",
        owner="qm",
        department=None,
        clauses=("6.2", "10.3"),
        started=10,
        due_in=2,
        source=Objective.Source.IDEAS_REACHING_ACT,
        target="50",
    ),
)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class _Builder:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.users = {user.username: user for user in User.objects.filter(username__in=self._usernames())}
        self.departments = {department.code: department for department in Department.objects.all()}
        self.clauses = {clause.number: clause for clause in Clause.objects.all()}
        self.skipped: list[str] = []

    @staticmethod
    def _usernames() -> set[str]:
        return {"qm"} | {plan.owner for plan in PLANS}

    def _clock(self, day: date) -> AbstractContextManager[None]:
        """Today's steps on the real clock; earlier ones on their day, in the morning."""
        if day >= self.today:
            return nullcontext()
        return clock_at(timezone.make_aware(datetime.combine(day, WORKDAY_START)))

    def build(self, plan: Plan) -> None:
        owner = self.users.get(plan.owner)
        quality_manager = self.users.get("qm")
        if owner is None or quality_manager is None:
            self.skipped.append(f"{plan.title} (no {plan.owner} or qm account)")
            return
        start = add_months(self.today.replace(day=1), -plan.started)
        due = _month_end(add_months(self.today.replace(day=1), plan.due_in))
        with self._clock(start):
            objective = services.objective_create(
                actor=quality_manager,
                title=plan.title,
                description=plan.description,
                owner=owner,
                department=self.departments.get(plan.department) if plan.department else None,
                clauses=[self.clauses[number] for number in plan.clauses if number in self.clauses],
                source=plan.source,
                metric=plan.metric,
                unit=plan.unit,
                direction=plan.direction,
                target=Decimal(plan.target),
                baseline=Decimal(plan.baseline) if plan.baseline is not None else None,
                start_date=start,
                due_date=due,
            )
        if objective.is_computed:
            services.measurements_backfill(objective=objective)
            return
        entered = start
        for index, (month_end, value) in enumerate(zip(self._month_ends(plan), plan.values, strict=True)):
            entered = min(_next_working_day(month_end + ENTRY_DELAY), self.today)
            with self._clock(entered):
                services.measurement_record(
                    actor=owner,
                    objective=objective,
                    measured_on=month_end,
                    value=Decimal(value),
                    note=plan.notes.get(index, ""),
                )
        if plan.closing is not None:
            with self._clock(min(entered + timedelta(days=3), self.today)):
                services.objective_close(
                    actor=quality_manager, objective=objective, outcome=plan.closing.outcome, reason=plan.closing.reason
                )

    def _month_ends(self, plan: Plan) -> Iterator[date]:
        """The ends of the months whose values the plan gives: the last ones before this month."""
        first = add_months(self.today.replace(day=1), -len(plan.values))
        for back in range(len(plan.values)):
            yield _month_end(add_months(first, back))


def _next_working_day(day: date) -> date:
    """Values are entered on working days: a Saturday or Sunday moves to the Monday."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def seed(stdout: OutputWrapper, password: str) -> None:
    """Set the demo objectives with a year of values, unless there are objectives already."""
    if Objective.objects.exists():
        stdout.write("Demo objectives: objectives are already there, none added.")
        return
    builder = _Builder()
    for plan in PLANS:
        builder.build(plan)
    statuses = Counter(Objective.objects.values_list("status", flat=True))
    values = Counter(Measurement.objects.values_list("source", flat=True))
    summary = (
        f"Demo objectives: {sum(statuses.values())} objectives ({', '.join(f'{n} {s}' for s, n in statuses.items())}), "
        f"{values['manual']} values entered by hand and {values['computed']} computed from the records."
    )
    if builder.skipped:
        summary += f" Skipped: {'; '.join(builder.skipped)}."
    stdout.write(summary)
