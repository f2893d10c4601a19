"""Two ways to put the generated rows in the database: COPY on PostgreSQL, `bulk_create` elsewhere (SQLite).

The generators do not know which one runs: both take the same `Rows`. Columns a generator leaves out get the
model field's default, so a generator names only what it means.

Neither goes through `Model.save()`, on purpose: the seed writes its own history rows (see `qms.scale.rows`), and the
signals of the services (notifications, search text) are either not wanted for history or already done by hand.
"""

from __future__ import annotations

import io
import json
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.core.management.color import no_style
from django.db import connection, models, transaction

from qms.scale.rows import ModelType, Row, Rows


@dataclass(frozen=True)
class Table:
    """What a writer needs to know about one model's table: columns in order and the default of each."""

    model: ModelType
    name: str
    attnames: tuple[str, ...]
    columns: tuple[str, ...]
    defaults: tuple[Any, ...]

    @classmethod
    def of(cls, model: ModelType) -> Table:
        fields = model._meta.concrete_fields
        return cls(
            model=model,
            name=model._meta.db_table,
            attnames=tuple(field.attname for field in fields),
            columns=tuple(field.column for field in fields),
            defaults=tuple(_default(field) for field in fields),
        )

    def values(self, row: Row) -> list[Any]:
        return [row.get(attname, default) for attname, default in zip(self.attnames, self.defaults, strict=True)]


def _default(field: models.Field[Any, Any]) -> Any:
    # A field with no default and no null (a required foreign key, say) must be given by the generator; None here
    # makes the database refuse a forgotten one instead of quietly writing something.
    if field.primary_key or (not field.has_default() and field.null):
        return None
    if not field.has_default() and not field.empty_strings_allowed:
        return None
    return field.get_default()


class Writer(Protocol):
    def write(self, rows: Rows, *, then: Callable[[], None]) -> int:
        """Write every row of the chunk and, in the same transaction, run `then` (it saves the numbers handed out);
        returns how many rows. A writer may still be busy with them when it returns; `close` waits."""
        ...

    def close(self) -> None:
        """Wait until everything given to `write` is committed; raise what went wrong if anything did."""
        ...

    def finish(self, models: Iterable[ModelType]) -> None:
        """After the last chunk: make the tables' id sequences continue after our ids, refresh statistics."""
        ...


class _Tables:
    def __init__(self) -> None:
        self._tables: dict[ModelType, Table] = {}

    def __call__(self, model: ModelType) -> Table:
        table = self._tables.get(model)
        if table is None:
            table = self._tables[model] = Table.of(model)
        return table


# --- PostgreSQL ---------------------------------------------------------------------------------------------------

# COPY's text format: a backslash, a tab, a newline or a carriage return inside a value must be escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


_FORMATS: dict[type, Callable[[Any], str]] = {
    str: _copy_text,
    int: str,
    bool: lambda value: "t" if value else "f",
    datetime: datetime.isoformat,
    date: date.isoformat,
    Decimal: str,
    float: repr,
    dict: lambda value: _copy_text(json.dumps(value)),
    list: lambda value: _copy_text(json.dumps(value)),
    type(None): lambda value: "\\N",
}


def _format(value: Any) -> str:
    formatter = _FORMATS.get(type(value))
    if formatter is None:
        formatter = _FORMATS[type(value)] = _formatter_for_subclass(value)
    return formatter(value)


def _formatter_for_subclass(value: Any) -> Callable[[Any], str]:
    """Choices members (`Revision.Status.DRAFT`) are str subclasses; format them as their plain base type."""
    for base, formatter in list(_FORMATS.items()):
        if base is not type(None) and isinstance(value, base):
            plain = base
            return lambda member: formatter(plain(member))
    raise TypeError(f"seed_scale cannot COPY a {type(value).__name__}.")


# psycopg2 reads the data 8 KB at a time by default, each read a Python call holding the GIL that the generator needs.
_COPY_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class _Copy:
    """One table's rows of a chunk, formatted for COPY."""

    statement: str
    data: str


class PostgresCopyWriter:
    """COPY FROM STDIN per table and chunk, from text formatted in memory (a chunk is some tens of megabytes).

    When the caller is not inside a transaction, the COPY runs in a thread of its own (with its own connection) while
    the caller generates the next chunk: Python generating rows and PostgreSQL storing them then use both cores,
    which nearly halves the time on a two-core machine. Inside a transaction (a test, say) it copies in place, since
    another connection would not see the caller's uncommitted rows.
    """

    def __init__(self) -> None:
        self.tables = _Tables()
        self.pipelined = not connection.in_atomic_block
        self._queue: queue.Queue[tuple[list[_Copy], Callable[[], None]] | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None

    def write(self, rows: Rows, *, then: Callable[[], None]) -> int:
        copies = [self._format(model, model_rows) for model, model_rows in rows.by_model.items() if model_rows]
        if not self.pipelined:
            self._commit(copies, then)
            return len(rows)
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="seed-scale-copy", daemon=True)
            self._thread.start()
        while True:  # wait for room in the queue, but never for a thread that has died
            self._raise_failure()
            try:
                self._queue.put((copies, then), timeout=1)
                break
            except queue.Full:
                continue
        return len(rows)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise RuntimeError("Writing a chunk failed; nothing of that chunk was committed.") from self._failure

    def _work(self) -> None:
        try:
            while (item := self._queue.get()) is not None:
                if self._failure is None:
                    self._commit(*item)
        except BaseException as error:  # noqa: BLE001 - carried over to the caller's thread, which raises it
            self._failure = error
            while self._queue.get() is not None:  # let the caller's put and close go through
                pass
        finally:
            connection.close()  # this thread's own connection

    def _format(self, model: ModelType, model_rows: list[Row]) -> _Copy:
        table = self.tables(model)
        lines = ["\t".join([_format(value) for value in table.values(row)]) for row in model_rows]
        columns = ", ".join(connection.ops.quote_name(column) for column in table.columns)
        statement = f"COPY {connection.ops.quote_name(table.name)} ({columns}) FROM STDIN"
        return _Copy(statement=statement, data="\n".join(lines) + "\n")

    def _commit(self, copies: list[_Copy], then: Callable[[], None]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            # Only this transaction's commit waits less; a crash loses at most this chunk, which the seed's marker
            # (written by `then`, in the same transaction) does not count, so the next run writes it again.
            cursor.execute("SET LOCAL synchronous_commit = off")
            for copy in copies:
                cursor.copy_expert(copy.statement, io.StringIO(copy.data), _COPY_READ_SIZE)
            then()

    def finish(self, models: Iterable[ModelType]) -> None:
        models = list(models)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# --- Any other database (SQLite) ------------------------------------------------------------------------------------


class BulkCreateWriter:
    """`bulk_create` of model instances, historical ones included; meant for the small seeds of tests and laptops."""

    BATCH_SIZE = 500

    def __init__(self) -> None:
        self.tables = _Tables()

    def write(self, rows: Rows, *, then: Callable[[], None]) -> int:
        with transaction.atomic():
            for model, model_rows in rows.by_model.items():
                table = self.tables(model)
                instances = [model(**dict(zip(table.attnames, table.values(row), strict=True))) for row in model_rows]
                model._base_manager.bulk_create(instances, batch_size=self.BATCH_SIZE)
            then()
        return len(rows)

    def close(self) -> None:
        """Every write was committed before it returned."""

    def finish(self, models: Iterable[ModelType]) -> None:
        # SQLite's AUTOINCREMENT follows the largest id written, so there is no sequence to move.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)


def writer_for_connection() -> Writer:
    return PostgresCopyWriter() if connection.vendor == "postgresql" else BulkCreateWriter()
