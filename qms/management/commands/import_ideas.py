"""Import the idea backlog from an earlier system: `manage.py import_ideas IDEAS.csv --as USER [--dry-run]`.

The list has one row per open idea (columns: see `qms/imports/ideas.py`, or its template). The whole list is checked
first; with `--dry-run` nothing more happens. Otherwise, if no row is wrong, every new idea is brought in at its stage
in one transaction, all or nothing, numbered here, its earlier reference kept; ideas an earlier run brought in are
skipped, never changed. Exits 1 when anything is wrong, naming each line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qms.imports.command import ImportCommand
from qms.imports.ideas import check_ideas, import_ideas


class Command(ImportCommand):
    help = "Bring in the open ideas of an earlier system's backlog (CSV) at their stages; check with --dry-run."
    skipped_are = "already there, standardized or rejected"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ideas", type=Path, help="The idea backlog, CSV (UTF-8 or Windows-1252; , ; or tab).")
        parser.add_argument(
            "--as", dest="username", required=True, help="The quality manager recorded as importing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.quality_manager(options["username"])
        ideas: Path = options["ideas"]
        try:
            data = ideas.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            report = check_ideas(data, actor=actor)
        else:
            report = import_ideas(data, actor=actor, source=ideas.name, progress=self.progress)
        self.finish(report, dry_run=options["dry_run"])
