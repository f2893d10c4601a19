"""Export the records of one kind for moving out: `manage.py export_records KIND MASTER.csv [SECOND.csv] --as USER`.

KIND is users, audits, capas or ideas; the lists are in the import's own format (`manage.py import_KIND` reads them
back). CAPAs come with a second list, their actions. Documents, with their files, are `manage.py export_documents`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qms.imports.command import ImportCommand
from qms.imports.services import KINDS, Export


class Command(ImportCommand):
    help = "Write the people, audits still planned, open CAPAs (and their actions) or open ideas as their import reads."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = [kind for kind, spec in KINDS.items() if spec.export is not None]
        parser.add_argument("kind", choices=kinds, help="What to export.")
        parser.add_argument("master", type=Path, help="Where to write the list (CSV).")
        parser.add_argument("second", type=Path, nargs="?", help="CAPAs: where to write their actions (CSV).")
        parser.add_argument("--as", dest="username", required=True, help="A quality manager (the export is theirs).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.quality_manager(options["username"])
        kind = KINDS[options["kind"]]
        if kind.export is None:  # not offered as a choice
            raise CommandError(f"{options['kind']} are exported with their own command.")
        lists: list[tuple[Export, Path]] = [(kind.export, options["master"])]
        if kind.second_export is not None:
            if options["second"] is None:
                raise CommandError(f"Name a second file for the {options['kind']}' actions.")
            lists.append((kind.second_export, options["second"]))
        elif options["second"] is not None:
            raise CommandError(f"The {options['kind']} export writes one list.")
        for rows, path in lists:
            try:
                with path.open("w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out)
                    written = -1  # the header is no record
                    for row in rows(actor):
                        writer.writerow(row)
                        written += 1
            except OSError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Exported {written} rows to {path}.")
