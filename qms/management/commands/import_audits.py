"""Import the audit programme from an earlier system: `manage.py import_audits PROGRAMME.csv --as USER [--dry-run]`.

The list has one row per planned audit (columns: see `qms/imports/audits.py`, or its template). The whole list is
checked first; with `--dry-run` nothing more happens. Otherwise, if no row is wrong, every new audit is planned in one
transaction, all or nothing, numbered in its year's programme, its earlier reference kept; audits an earlier run
brought in are skipped, never changed. Exits 1 when anything is wrong, naming each line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qms.imports.audits import check_audits, import_audits
from qms.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Plan the audits of a programme (CSV) as they were planned in an earlier system; check with --dry-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "programme", type=Path, help="The audit programme, CSV (UTF-8 or Windows-1252; , ; or tab)."
        )
        parser.add_argument(
            "--as", dest="username", required=True, help="The quality manager recorded as importing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.quality_manager(options["username"])
        programme: Path = options["programme"]
        try:
            data = programme.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            report = check_audits(data, actor=actor)
        else:
            report = import_audits(data, actor=actor, source=programme.name, progress=self.progress)
        self.finish(report, dry_run=options["dry_run"])
