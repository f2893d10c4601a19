"""Sealing history rows and signatures into the chain, and the hashes both the sealing and the checking use."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.utils import timezone
from simple_history.models import HistoricalChanges
from simple_history.signals import post_create_historical_m2m_records

from qms.trail.models import PendingSeal, TrailSeal

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
_BATCH = 2000
# Any fixed number: the advisory lock that lets one sealer at a time append to the chain (PostgreSQL).
_CHAIN_LOCK = 0x51_4D_53_01


@cache
def trail_models() -> dict[str, type[models.Model]]:
    """Every model whose rows the chain seals, by label: each history table (with the many-to-many history tables)
    and the signatures."""
    sealed = {model._meta.label_lower: model for model in apps.get_models() if issubclass(model, HistoricalChanges)}
    signature = apps.get_model("qms", "Signature")
    sealed[signature._meta.label_lower] = signature
    return sealed


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"{type(value).__name__} has no place in a sealed row")


def row_sha256(values: dict[str, Any]) -> str:
    """The SHA-256 of a row's values as the database gives them back (so writing and checking agree)."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def link_sha256(*, previous: str, record_model: str, record_id: int, record_sha256: str, sealed_at: datetime) -> str:
    """The hash of one link: it covers the link before it, so changing any seal breaks every one after it."""
    text = "|".join([previous, record_model, str(record_id), record_sha256, sealed_at.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()


def _fields(model: type[models.Model]) -> list[str]:
    """The columns a row hash is taken over: every stored field of the row."""
    return [field.attname for field in model._meta.concrete_fields]


def _pk(model: type[models.Model]) -> str:
    return model._meta.pk.attname


def row_values(model: type[models.Model], ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The stored values of the given rows of a sealed model, by id."""
    pk = _pk(model)
    return {row[pk]: row for row in model._base_manager.filter(pk__in=list(ids)).values(*_fields(model))}


# --- Queueing, in the writing transaction --------------------------------------------------------------------------


def _queue(record_model: str, ids: list[int]) -> None:
    if not ids:
        return
    PendingSeal.objects.bulk_create([PendingSeal(record_model=record_model, record_id=pk) for pk in ids])
    # Once per transaction: the callbacks of a rolled-back savepoint are dropped by Django, so this stays exact.
    if not any(entry[1] is seal_pending_quietly for entry in connection.run_on_commit):
        transaction.on_commit(seal_pending_quietly, robust=True)


def _row_saved(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if created:
        _queue(sender._meta.label_lower, [instance.pk])


def _many_to_many_history_written(sender: type[models.Model], created_rows: list[models.Model], **kwargs: Any) -> None:
    _queue(sender._meta.label_lower, [row.pk for row in created_rows])


def connect() -> None:
    """Queue every new history row and signature (called once, from the app's `ready`)."""
    for label, model in trail_models().items():
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"trail-{label}")
    post_create_historical_m2m_records.connect(_many_to_many_history_written, dispatch_uid="trail-m2m")


# --- Sealing, after the commit ---------------------------------------------------------------------------------------


def _lock_chain() -> None:
    """One sealer at a time appends (SQLite writes one transaction at a time anyway). The unique `previous_sha256`
    would refuse a fork even without the lock; the lock makes sealers wait instead of failing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _append(rows: list[tuple[str, int, str]]) -> int:
    """Seal the given (model, id, row hash) in order after the chain's last link. Call under `_lock_chain`."""
    previous = TrailSeal.objects.order_by("-id").values_list("sha256", flat=True).first() or GENESIS
    sealed_at = timezone.now()
    seals = []
    for record_model, record_id, record_sha256 in rows:
        sha256 = link_sha256(
            previous=previous,
            record_model=record_model,
            record_id=record_id,
            record_sha256=record_sha256,
            sealed_at=sealed_at,
        )
        seals.append(
            TrailSeal(
                sealed_at=sealed_at,
                record_model=record_model,
                record_id=record_id,
                record_sha256=record_sha256,
                previous_sha256=previous,
                sha256=sha256,
            )
        )
        previous = sha256
    # In batches inserted in order, so the ids follow the chain (the check walks it by id).
    TrailSeal.objects.bulk_create(seals, batch_size=500)
    return len(seals)


def _hashed(keys: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    by_model: dict[str, list[int]] = defaultdict(list)
    for record_model, record_id in keys:
        by_model[record_model].append(record_id)
    digests: dict[tuple[str, int], str] = {}
    for record_model, ids in by_model.items():
        model = trail_models().get(record_model)
        if model is None:
            logger.error("audit trail: %s is not a sealed model; %s rows left unsealed", record_model, len(ids))
            continue
        for record_id, values in row_values(model, ids).items():
            digests[(record_model, record_id)] = row_sha256(values)
    missing = [key for key in keys if key not in digests]
    if missing:
        logger.error("audit trail: queued rows no longer there, not sealed: %s", missing[:20])
    return [(*key, digests[key]) for key in keys if key in digests]


def seal_pending() -> int:
    """Seal every queued row, oldest first; returns how many. Safe to run at any time and in parallel."""
    sealed = 0
    while True:
        with transaction.atomic():
            _lock_chain()
            pending = list(PendingSeal.objects.order_by("id").values_list("id", "record_model", "record_id")[:_BATCH])
            sealed += _append(_hashed([(record_model, record_id) for _, record_model, record_id in pending]))
            PendingSeal.objects.filter(id__in=[pk for pk, _, _ in pending]).delete()
        if len(pending) < _BATCH:
            return sealed


def seal_pending_quietly() -> None:
    """`seal_pending` after a commit: a failure is logged and left to the periodic task, never raised into the
    request whose work has already committed."""
    try:
        seal_pending()
    except Exception:
        logger.exception("audit trail: sealing after commit failed; the periodic task will seal the queue")


def _unsealed(model: type[models.Model], record_model: str) -> models.QuerySet[Any]:
    sealed = TrailSeal.objects.filter(record_model=record_model, record_id=OuterRef("pk"))
    queued = PendingSeal.objects.filter(record_model=record_model, record_id=OuterRef("pk"))
    return model._base_manager.filter(~Exists(sealed), ~Exists(queued))


def seal_unsealed(*, chunk: int = 5000, progress: Callable[[str, int], None] | None = None) -> int:
    """Seal rows that were written in bulk around the signals (`seed_scale`'s COPY), in id order per model.

    Not for production data: a row written around the application is exactly what the check should report, and this
    would hide it. Kept for data the application generated itself in bulk."""
    total = 0
    for record_model, model in trail_models().items():
        last = 0
        while True:
            with transaction.atomic():
                _lock_chain()
                unsealed = _unsealed(model, record_model).filter(pk__gt=last).order_by("pk")
                rows = list(unsealed.values(*_fields(model))[:chunk])
                if not rows:
                    break
                pk = _pk(model)
                total += _append([(record_model, row[pk], row_sha256(row)) for row in rows])
                last = rows[-1][pk]
        if progress is not None:
            progress(record_model, total)
    return total


def unsealed_count(model: type[models.Model], record_model: str) -> int:
    return _unsealed(model, record_model).count()


def head() -> TrailSeal | None:
    """The chain's last link, or None before anything was sealed."""
    return TrailSeal.objects.order_by("-id").first()
