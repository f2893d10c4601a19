"""Restore a backup into a scratch database and folder, and check it: `manage.py restore_drill BACKUP_DIR`.

Exits 0 when everything came back (migrations, every table's rows, every file's SHA-256, every file a record points
at, the audit trail up to the same head), 1 otherwise, naming each problem. The scratch database is
`<database>_restore_drill` (dropped after the drill) unless `--database-url` names another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.backup import BackupError, run_drill


class Command(BaseCommand):
    help = "Restore a backup into a scratch database and folder, and check that everything came back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, metavar="BACKUP_DIR")
        parser.add_argument("--database-url", help="The scratch database to restore into (it is replaced).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = run_drill(options["backup"], scratch_url=options["database_url"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        for line in report.checked:
            self.stdout.write(f"Checked {line}")
        for problem in report.problems:
            self.stdout.write(f"  PROBLEM {problem}")
        if not report.ok:
            raise CommandError(f"The restore drill found {len(report.problems)} problems.", returncode=1)
        self.stdout.write("The backup restores completely.")
