"""The restore drill's checks, run by `restore_drill` in a process whose database and files are the restored ones.
Not meant to be run by hand: `manage.py restore_check MANIFEST` prints one `checked:` or `problem:` line each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.backup import check_restored, read_manifest


class Command(BaseCommand):
    help = "(Used by restore_drill.) Check the restored database and files against a backup's manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("manifest", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        report = check_restored(read_manifest(options["manifest"].parent))
        for line in report.checked:
            self.stdout.write(f"checked: {line}")
        for problem in report.problems:
            self.stdout.write(f"problem: {problem}")
        if not report.ok:
            raise CommandError("The restored data differs from the backup.", returncode=1)
