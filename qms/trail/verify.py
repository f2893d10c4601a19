"""Checking the audit trail: every link, every sealed row, and every row that should carry a seal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from qms.trail.chain import GENESIS, link_sha256, row_sha256, row_values, trail_models, unsealed_count
from qms.trail.models import PendingSeal, TrailSeal

_CHUNK = 5000
# Enough to act on; the count says how many more there are.
PROBLEMS_LISTED = 100


@dataclass
class TrailReport:
    """What the check found. `problems` names the first ones; `problem_count` counts them all."""

    seals_checked: int = 0
    rows_checked: int = 0
    head_id: int | None = None
    head_sha256: str = GENESIS
    awaiting_seal: int = 0
    problem_count: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_LISTED:
            self.problems.append(text)


def verify_trail(*, up_to: int | None = None, check_rows: bool = True) -> TrailReport:
    """Walk the chain from its first link (to seal `up_to`, or to the end): each link must follow the one before it
    and hash to what it holds; with `check_rows`, each sealed row must still be there with the values it was sealed
    with, and (for the whole chain) every history row and signature must carry a seal or be queued for one."""
    report = TrailReport()
    previous = GENESIS
    seals = TrailSeal.objects.order_by("id")
    if up_to is not None:
        seals = seals.filter(id__lte=up_to)
    last_id = 0
    while True:
        chunk = list(seals.filter(id__gt=last_id)[:_CHUNK])
        if not chunk:
            break
        for seal in chunk:
            if seal.previous_sha256 != previous:
                report.problem(
                    f"Seal #{seal.pk}: does not follow the seal before it (a seal was removed, inserted or changed)"
                )
            expected = link_sha256(
                previous=seal.previous_sha256,
                record_model=seal.record_model,
                record_id=seal.record_id,
                record_sha256=seal.record_sha256,
                sealed_at=seal.sealed_at,
            )
            if expected != seal.sha256:
                report.problem(f"Seal #{seal.pk}: its hash does not match what it holds (the seal was changed)")
            previous = seal.sha256
        report.seals_checked += len(chunk)
        if check_rows:
            _check_rows(chunk, report)
        last_id = chunk[-1].pk
        report.head_id, report.head_sha256 = chunk[-1].pk, chunk[-1].sha256
    if up_to is not None and report.head_id != up_to:
        report.problem(f"Seal #{up_to}: missing from the chain")
    if check_rows and up_to is None:
        for record_model, model in trail_models().items():
            unsealed = unsealed_count(model, record_model)
            if unsealed:
                report.problem(f"{record_model}: {unsealed} rows carry no seal (written around the application)")
        report.awaiting_seal = PendingSeal.objects.count()
    return report


def _check_rows(chunk: list[TrailSeal], report: TrailReport) -> None:
    by_model: dict[str, list[TrailSeal]] = defaultdict(list)
    for seal in chunk:
        by_model[seal.record_model].append(seal)
    models = trail_models()
    for record_model, model_seals in by_model.items():
        model = models.get(record_model)
        if model is None:
            report.problem(f"Seals of {record_model}: no such table in this installation")
            continue
        values = row_values(model, [seal.record_id for seal in model_seals])
        for seal in model_seals:
            row = values.get(seal.record_id)
            if row is None:
                report.problem(f"{record_model} {seal.record_id}: sealed by #{seal.pk}, and deleted since")
            elif row_sha256(row) != seal.record_sha256:
                report.problem(f"{record_model} {seal.record_id}: changed since it was sealed by #{seal.pk}")
        report.rows_checked += len(model_seals)
