"""Backups and the restore drill (`manage.py backup`, `manage.py restore_drill`; `make backup`, `make restore-drill`).

A backup is a folder: the database (`pg_dump` custom format, or SQLite's online backup), every stored file under
`files/` (read through the storage API, so local disk and S3 alike), and `manifest.json`: the migrations applied, the
row count of every table, every file's size and SHA-256, and the audit trail's head. On PostgreSQL the counts, the
trail head and the dump come from one snapshot (`pg_export_snapshot`), so they agree even while people work.

The drill restores a backup into a scratch database and a scratch folder (both removed afterwards), then checks in a
fresh process what an auditor would ask: every migration is there and none is missing, every table has the rows it
had, every file is back with its SHA-256, every file a record points at exists, and the audit trail is intact up to
the same head.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from simple_history.models import HistoricalChanges

from qms.trail.chain import head
from qms.trail.verify import verify_trail

MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the drill could not run (a tool missing, a folder not a backup)."""


# --- Taking a backup -------------------------------------------------------------------------------------------------


def _row_counts() -> dict[str, int]:
    return {model._meta.db_table: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


def _migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _stored_files(folder: str = "") -> Iterator[str]:
    folders, files = default_storage.listdir(folder)
    for name in sorted(files):
        yield str(PurePosixPath(folder, name)) if folder else name
    for sub in sorted(folders):
        yield from _stored_files(str(PurePosixPath(folder, sub)) if folder else sub)


def _copy_file(source: Any, target: Path) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _pg_environment() -> dict[str, str]:
    database = connection.settings_dict
    environment = {**os.environ, "PGDATABASE": database["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def _run(command: list[str], environment: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools are needed).")
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip() or finished.stdout.strip()}")


def take_backup(target: Path) -> dict[str, Any]:
    """Write a backup into the new folder `target`; returns its manifest."""
    if connection.in_atomic_block:
        raise BackupError("A backup takes its own snapshot: run it outside a transaction.")
    target.mkdir(parents=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            # The dump reads the very snapshot the counts below read, while this transaction holds it open.
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target / POSTGRES_DUMP}"],
                _pg_environment(),
            )
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(target / SQLITE_COPY) as copy:
                connection.connection.backup(copy)
        else:
            raise BackupError(f"No backup for a {connection.vendor} database.")
        counts, migrations, trail_head = _row_counts(), _migrations(), head()
    files = {}
    for name in _stored_files():
        with default_storage.open(name, "rb") as source:
            files[name] = _copy_file(source, target / FILES / name)
    manifest = {
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "migrations": migrations,
        "rows": counts,
        "files": files,
        "audit_trail": {"seal": trail_head.pk, "sha256": trail_head.sha256} if trail_head else None,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


# --- The drill -------------------------------------------------------------------------------------------------------


@dataclass
class DrillReport:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(backup: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((backup / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{backup} is not a backup: {MANIFEST} cannot be read ({error}).") from error
    return manifest


def restore_files(backup: Path, media_root: Path, manifest: dict[str, Any], report: DrillReport) -> None:
    """Copy the backed-up files into `media_root`, checking each against its size and SHA-256."""
    for name, expected in sorted(manifest["files"].items()):
        source = backup / FILES / name
        if not source.is_file():
            report.problems.append(f"file {name}: missing from the backup")
            continue
        with source.open("rb") as handle:
            copied = _copy_file(handle, media_root / name)
        if copied != expected:
            report.problems.append(f"file {name}: SHA-256 {copied['sha256']} differs from the manifest's")
    report.checked.append(f"{len(manifest['files'])} files restored and checked against their SHA-256")


def _server_and_name(database_url: str) -> tuple[str, str]:
    """`postgres://user@host:port/name?…` as the maintenance database's URL on that server, and `name`."""
    server, name = database_url.rsplit("/", 1)
    return f"{server}/postgres", name.split("?")[0]


def restore_database(backup: Path, manifest: dict[str, Any], scratch_url: str) -> None:
    if manifest["database"] == "postgresql":
        _drop_scratch_database(manifest, scratch_url)
        maintenance, name = _server_and_name(scratch_url)
        _run(["createdb", f"--maintenance-db={maintenance}", name])
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={scratch_url}", str(backup / POSTGRES_DUMP)])
    else:
        shutil.copyfile(backup / SQLITE_COPY, scratch_url.removeprefix("sqlite:///"))


def run_drill(backup: Path, *, scratch_url: str | None = None) -> DrillReport:
    """Restore `backup` into a scratch database and folder and check it in a fresh process (`restore_check`)."""
    manifest = read_manifest(backup)
    report = DrillReport()
    with tempfile.TemporaryDirectory(prefix="qms-restore-drill-") as scratch:
        media_root = Path(scratch) / "media"
        restore_files(backup, media_root, manifest, report)
        if scratch_url is None:
            scratch_url = _scratch_database_url(manifest, Path(scratch))
        restore_database(backup, manifest, scratch_url)
        environment = {**os.environ, "DATABASE_URL": scratch_url, "MEDIA_ROOT": str(media_root)}
        environment.pop("S3_BUCKET", None)  # the restored files are in the scratch folder
        check = subprocess.run(  # noqa: S603 - our own manage.py, with our own arguments
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "restore_check", str(backup / MANIFEST)],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in check.stdout.splitlines() if line.strip()]
        report.checked.extend(line.removeprefix("checked: ") for line in lines if line.startswith("checked: "))
        report.problems.extend(line.removeprefix("problem: ") for line in lines if line.startswith("problem: "))
        if check.returncode not in (0, 1):
            report.problems.append(f"the check could not run: {check.stderr.strip()[-2000:]}")
        _drop_scratch_database(manifest, scratch_url)
    return report


def _drop_scratch_database(manifest: dict[str, Any], scratch_url: str) -> None:
    if manifest["database"] == "postgresql":
        maintenance, name = _server_and_name(scratch_url)
        _run(["dropdb", "--if-exists", f"--maintenance-db={maintenance}", name])


def _scratch_database_url(manifest: dict[str, Any], scratch: Path) -> str:
    if manifest["database"] == "sqlite":
        return f"sqlite:///{scratch / 'restored.sqlite3'}"
    database = connection.settings_dict
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    host = f"{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}"
    return f"postgres://{credentials}@{host}/{database['NAME']}_restore_drill"


def check_restored(manifest: dict[str, Any]) -> DrillReport:
    """Run in the process whose database and storage are the restored ones."""
    report = DrillReport()
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        report.problems.append(f"{len(unapplied)} migrations of this code are not in the backup (it is older)")
    missing = sorted(set(manifest["migrations"]) - set(_migrations()))
    if missing:
        report.problems.append(f"migrations recorded in the manifest but not restored: {', '.join(missing[:10])}")
    report.checked.append(f"{len(manifest['migrations'])} migrations")
    counts = _row_counts()
    for table, expected in sorted(manifest["rows"].items()):
        if counts.get(table) != expected:
            report.problems.append(f"table {table}: {counts.get(table)} rows restored, {expected} backed up")
    report.checked.append(f"{len(manifest['rows'])} tables, {sum(manifest['rows'].values())} rows")
    referenced = 0
    for model, file_field in _file_fields():
        for name in model._base_manager.exclude(**{file_field: ""}).values_list(file_field, flat=True).iterator():
            referenced += 1
            if not default_storage.exists(name):
                report.problems.append(f"{model._meta.label} points at {name}, which was not restored")
    report.checked.append(f"{referenced} files that records point at")
    trail = verify_trail()
    report.problems.extend(f"audit trail: {problem}" for problem in trail.problems)
    recorded = manifest.get("audit_trail")
    if recorded and (trail.head_id, trail.head_sha256) != (recorded["seal"], recorded["sha256"]):
        report.problems.append(f"audit trail: ends at seal #{trail.head_id}, the backup's ended at #{recorded['seal']}")
    report.checked.append(f"audit trail: {trail.seals_checked} seals and {trail.rows_checked} rows")
    return report


def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    """The file fields of the records (not of their history rows, which keep the names of files since replaced)."""
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges):
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model, model_field.name
