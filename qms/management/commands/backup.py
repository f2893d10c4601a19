"""Back up the database and the stored files into one folder: `manage.py backup [--output DIR]` (`make backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from qms.backup import BackupError, take_backup


class Command(BaseCommand):
    help = "Back up the database and every stored file, with a manifest of row counts, file hashes and the trail head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The folder to create (default: backups/qms-<date and time> in the project folder).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["output"] or Path(settings.BASE_DIR) / "backups" / f"qms-{timezone.now():%Y%m%d-%H%M%S}"
        if target.exists():
            raise CommandError(f"{target} exists already; a backup goes into a new folder.")
        try:
            manifest = take_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Backed up {rows} rows in {len(manifest['rows'])} tables and {len(manifest['files'])} files to {target}"
        )
        self.stdout.write(f"Check it with: python manage.py restore_drill {target}")
