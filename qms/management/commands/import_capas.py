"""Import open CAPAs from an earlier system: `manage.py import_capas CAPAS.csv [ACTIONS.csv] --as USER [--dry-run]`.

The CAPA list has one row per CAPA, the actions list one row per action naming its CAPA by the earlier reference
(columns: see `qms/imports/capas.py`, or its templates). Both are checked first; with `--dry-run` nothing more
happens. Otherwise, if no row is wrong, every CAPA still open there is brought in with its actions in one transaction,
all or nothing, numbered here (each line says which number it got) and in the state the list gives; CAPAs imported
before, or closed there, are skipped. Exits 1 when anything is wrong, naming each line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qms.imports.capas import check_capas, import_capas
from qms.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Import open CAPAs (CSV) and their actions (CSV, optional) from an earlier system; check with --dry-run."
    skipped_are = "already there or not open"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("capas", type=Path, help="The list of CAPAs, CSV (UTF-8 or Windows-1252; , ; or tab).")
        parser.add_argument("actions", type=Path, nargs="?", help="The list of their actions, CSV (optional).")
        parser.add_argument(
            "--as", dest="username", required=True, help="The quality manager recorded as importing them."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.quality_manager(options["username"])
        capas: Path = options["capas"]
        actions: Path | None = options["actions"]
        try:
            data = capas.read_bytes()
            actions_data = actions.read_bytes() if actions is not None else None
        except OSError as error:
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            report = check_capas(data, actions_data, actor=actor)
        else:
            report = import_capas(
                data,
                actions_data,
                actor=actor,
                source=capas.name,
                actions_source=actions.name if actions is not None else "",
                progress=self.progress,
            )
        self.finish(report, dry_run=options["dry_run"])
