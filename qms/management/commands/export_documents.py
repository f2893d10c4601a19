"""Export the documents in force for moving out: `manage.py export_documents MASTER.csv FILES.zip --as USER`.

The master list and the ZIP are in the import's own format (`manage.py import_documents` reads them back), with each
document's file under its number in the ZIP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.imports.documents import export_documents
from qms.models import User
from qms.roles import Role, has_role


class Command(BaseCommand):
    help = "Write the documents in force as a master list (CSV) and a ZIP of their files, as import_documents reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("master", type=Path, help="Where to write the master list (CSV).")
        parser.add_argument("files", type=Path, help="Where to write the ZIP of files.")
        parser.add_argument("--as", dest="username", required=True, help="A quality manager (the export is theirs).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None or not has_role(actor, Role.QUALITY_MANAGER):
            raise CommandError(f"{options['username']!r} is not an active quality manager.")
        try:
            with (
                options["master"].open("w", newline="", encoding="utf-8") as master,
                options["files"].open("wb") as files,
            ):
                written = export_documents(master, files, actor=actor)
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Exported {written} documents in force to {options['master']} and {options['files']}.")
