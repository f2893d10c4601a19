"""Import controlled documents from an earlier system: `manage.py import_documents MASTER.csv FILES.zip --as USER
[--dry-run]`.

The master list has one row per document (columns: see `qms/imports/documents.py`, or the template on the import
page); the ZIP holds the files the rows name. The whole list is checked first; with `--dry-run` nothing more happens.
Otherwise, if no row is wrong, every new row is written in one transaction (all or nothing); rows an earlier run
imported with the same file are skipped. Exits 1 when anything is wrong, naming each line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qms.imports.command import ImportCommand
from qms.imports.documents import check_documents, import_documents


class Command(ImportCommand):
    help = "Import documents in force from a master list (CSV) and a ZIP of their files; check first with --dry-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("master", type=Path, help="The master list, CSV (UTF-8 or Windows-1252; , ; or tab).")
        parser.add_argument("files", type=Path, help="The ZIP holding the files the list names.")
        parser.add_argument(
            "--as", dest="username", required=True, help="The quality manager recorded as importing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.quality_manager(options["username"])
        master: Path = options["master"]
        try:
            data = master.read_bytes()
            files = options["files"].open("rb")
        except OSError as error:
            raise CommandError(str(error)) from error
        with files:
            if options["dry_run"]:
                report = check_documents(data, files, actor=actor)
            else:
                report = import_documents(data, files, actor=actor, source=master.name, progress=self.progress)
        self.finish(report, dry_run=options["dry_run"])
