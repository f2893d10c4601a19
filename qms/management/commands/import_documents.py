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

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.imports.documents import check_documents, import_documents
from qms.imports.report import Report
from qms.models import User
from qms.roles import Role, has_role


class Command(BaseCommand):
    help = "Import documents in force from a master list (CSV) and a ZIP of their files; check first with --dry-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("master", type=Path, help="The master list, CSV (UTF-8 or Windows-1252; , ; or tab).")
        parser.add_argument("files", type=Path, help="The ZIP holding the files the list names.")
        parser.add_argument(
            "--as", dest="username", required=True, help="The quality manager recorded as importing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None or not has_role(actor, Role.QUALITY_MANAGER):
            raise CommandError(f"{options['username']!r} is not an active quality manager.")
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
                report = import_documents(data, files, actor=actor, source=master.name, progress=self._progress)
        self._print(report)
        if not report.ok:
            raise CommandError(
                f"Nothing was imported: {len(report.file_errors) + report.count('error')} problem(s).", returncode=1
            )
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {report.count('create')} to import, {report.count('skip')} already there.")
        else:
            self.stdout.write(f"Imported {report.count('create')}; {report.count('skip')} were already there.")

    def _progress(self, percent: int, message: str) -> None:
        if percent % 10 == 0:
            self.stderr.write(f"{percent:3d}% {message}")

    def _print(self, report: Report) -> None:
        for message in report.file_errors:
            self.stdout.write(f"  {message}")
        for note in report.notes:
            self.stdout.write(f"  note: {note}")
        for row in report.rows:
            if row.outcome == "error":
                self.stdout.write(f"  line {row.line} ({row.key}): {' '.join(row.messages)}")
