"""Import people from an earlier system: `manage.py import_users USERS.csv --as USER [--dry-run]`.

The list has one row per person (columns: see `qms/imports/users.py`, or its template). The whole list is checked
first; with `--dry-run` nothing more happens. Otherwise, if no row is wrong, every new person (and every department the
list names that is not here yet) is created in one transaction, all or nothing, and invited by email to choose a
password; people who already have an account are skipped, never changed. Exits 1 when anything is wrong, naming each
line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qms.imports.command import ImportCommand
from qms.imports.users import check_users, import_users


class Command(ImportCommand):
    help = "Create accounts (and departments) from a list of people (CSV), each invited by email; check with --dry-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("users", type=Path, help="The list of people, CSV (UTF-8 or Windows-1252; , ; or tab).")
        parser.add_argument(
            "--as", dest="username", required=True, help="The quality manager recorded as creating them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.quality_manager(options["username"])
        users: Path = options["users"]
        try:
            data = users.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            report = check_users(data, actor=actor)
        else:
            report = import_users(data, actor=actor, source=users.name, progress=self.progress)
        self.finish(report, dry_run=options["dry_run"])
