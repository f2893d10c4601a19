"""Seeding at scale: the guard, the chunks, the numbers and the progress report (`manage.py seed_scale`).

The work goes chunk by chunk (a few thousand documents and, in proportion, audits, CAPAs, nonconformities and ideas);
each chunk is generated in memory, written in one transaction together with the number sequences and the seed's
marker, and dropped, so memory stays flat and an interrupted seed leaves a consistent database that a second run
extends. The marker (the `Sequence` row `seed-scale:documents`) counts the documents the seed made: it is how a run
knows how many to add, and how it tells a seeded database from a real QMS it must not touch.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from documents.models import Document
from qms.models import Sequence
from qms.scale.audits import add_audits
from qms.scale.capa import add_quality_events
from qms.scale.documents import add_documents
from qms.scale.files import build_pool
from qms.scale.ideas import add_ideas
from qms.scale.rows import Ids, ModelType, Rows
from qms.scale.world import World, ensure_reference_data, load_world
from qms.scale.writers import writer_for_connection
from qms.trail.chain import seal_unsealed

MARKER_KEY = "seed-scale:documents"
# Records per 100,000 documents, from the sizes of the organisations the benchmark stands for.
PER_100K = {"audits": 2000, "capas": 1500, "nonconformities": 3000, "ideas": 5000}


class Output(Protocol):
    """Where progress goes: a command's stdout, or any text stream."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> None: ...


class SeedRefused(Exception):
    """The database holds records the seed did not make; the message says what to do."""


@dataclass
class SeedResult:
    """What a run did: documents added, rows written per table, and how long it took."""

    documents_added: int = 0
    documents_total: int = 0
    seconds: float = 0.0
    rows: Counter[str] = field(default_factory=Counter)


def people_for(documents: int) -> int:
    """A few hundred people for a large seed, a few dozen for a small one."""
    return min(400, max(40, documents // 300))


def seed_scale(
    *,
    documents: int,
    seed: int = 0,
    password: str,
    force: bool = False,
    chunk_size: int = 5000,
    pool_size: int = 300,
    seal: bool = True,
    out: Output,
) -> SeedResult:
    """Make the database hold `documents` seeded documents (and the rest in proportion), adding only what is missing."""
    started = time.monotonic()
    marker = Sequence.objects.filter(key=MARKER_KEY).first()
    seeded = marker.last_value if marker else 0
    foreign = Document.objects.count() - seeded
    if foreign > 0 and not force:
        raise SeedRefused(
            f"The database holds {foreign} documents that seed_scale did not make. Seeding would mix made-up records "
            "into them; use an empty database, or pass --force if this one is a scratch copy."
        )
    result = SeedResult(documents_total=seeded)
    missing = documents - seeded
    if missing <= 0:
        out.write(f"The database already holds {seeded} seeded documents; nothing to add.\n")
        return result
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        ensure_reference_data(password=password, users=people_for(documents), now=now)
    pool = build_pool(pool_size)
    out.write(f"Reference data and {len(pool)} pool files ready in {time.monotonic() - started:.1f}s.\n")

    ids = Ids()
    # Seeded by the run's starting point too, so an extension does not repeat the draws of the first run.
    rng = random.Random(f"{seed}-{seeded}")  # noqa: S311 - repeatable made-up data, not secrets
    world = load_world(rng=rng, ids=ids, pool=pool, now=now)
    writer = writer_for_connection()
    quotas = _Quotas()
    touched: set[ModelType] = set()
    done = 0
    while done < missing:
        count = min(chunk_size, missing - done)
        chunk_started = time.monotonic()
        rows = _generate(world, ids, quotas, count)
        generated = time.monotonic()
        written = writer.write(rows, then=_saver(world, marker=seeded + done + count))
        done += count
        touched.update(rows.by_model)
        result.rows.update({model._meta.label: len(model_rows) for model, model_rows in rows.by_model.items()})
        elapsed = time.monotonic() - chunk_started
        out.write(
            f"{seeded + done:>9} documents: {written} rows in {elapsed:.1f}s "
            f"(generate {generated - chunk_started:.1f}s, "
            f"format and hand over {elapsed - (generated - chunk_started):.1f}s, "
            f"{written / max(elapsed, 1e-9):,.0f} rows/s)\n"
        )
        out.flush()
    writer.close()
    finishing = time.monotonic()
    writer.finish(sorted(touched, key=lambda model: model._meta.label))
    out.write(f"Sequences reset and statistics refreshed in {time.monotonic() - finishing:.1f}s.\n")
    if seal:
        sealing = time.monotonic()
        # The rows went in by COPY, around the signals that seal what the application writes: seal them now, as the
        # application would have, so the trail of a seeded database checks out like a real one.
        sealed = seal_unsealed()
        out.write(
            f"{sealed} history rows and signatures sealed into the audit trail in {time.monotonic() - sealing:.1f}s.\n"
        )
    result.documents_added = missing
    result.documents_total = documents
    result.seconds = time.monotonic() - started
    return result


class _Quotas:
    """How many audits, CAPAs … a chunk gets for its documents, carrying the fractions over to the next chunk."""

    def __init__(self) -> None:
        self.carried: dict[str, float] = dict.fromkeys(PER_100K, 0.0)

    def take(self, name: str, documents: int) -> int:
        wanted = self.carried[name] + PER_100K[name] * documents / 100_000
        whole = int(wanted)
        self.carried[name] = wanted - whole
        return whole


def _generate(world: World, ids: Ids, quotas: _Quotas, count: int) -> Rows:
    rows = Rows(ids)
    documents = add_documents(world, rows, count)
    findings = add_audits(world, rows, quotas.take("audits", count), documents)
    capas = add_quality_events(
        world,
        rows,
        nonconformities=quotas.take("nonconformities", count),
        capas=quotas.take("capas", count),
        findings=findings,
    )
    add_ideas(world, rows, quotas.take("ideas", count), findings, capas)
    return rows


def _saver(world: World, *, marker: int) -> Callable[[], None]:
    """What the writer runs in the chunk's transaction: save the numbers the chunk handed out, so the services
    continue after them (SOP-0042 is followed by SOP-0043), and the count of seeded documents. The values are taken
    now, since the generator runs on while a writer thread commits."""
    values = {key: world.sequences[key] for key in world.take_changed_sequences()}
    values[MARKER_KEY] = marker

    def save() -> None:
        stored = {sequence.key: sequence for sequence in Sequence.objects.filter(key__in=list(values))}
        for key, sequence in stored.items():
            sequence.last_value = values[key]
        # The counters have no history (qms.models.Sequence), so bulk writes lose nothing.
        Sequence.objects.bulk_update(list(stored.values()), ["last_value"], batch_size=500)
        new = [Sequence(key=key, last_value=value) for key, value in values.items() if key not in stored]
        Sequence.objects.bulk_create(new, batch_size=500)

    return save
