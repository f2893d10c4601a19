"""Check the tamper-evident audit trail: `manage.py verify_audit_trail [--links-only]`.

Exits 0 when the chain is whole and every history row and signature matches its seal, 1 otherwise, naming each
problem. The last line gives the chain's head: kept somewhere else (an evidence pack keeps it), it shows later that
the trail up to it was not rewritten.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.trail.verify import verify_trail


class Command(BaseCommand):
    help = "Check every link of the audit trail's SHA-256 chain and every history row and signature against its seal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--links-only",
            action="store_true",
            help="Check the chain's links without reading the sealed rows (faster on a large trail).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_trail(check_rows=not options["links_only"])
        for problem in report.problems:
            self.stdout.write(f"  {problem}")
        if report.problem_count > len(report.problems):
            self.stdout.write(f"  … and {report.problem_count - len(report.problems)} more")
        checked = f"{report.seals_checked} seals" + ("" if options["links_only"] else f", {report.rows_checked} rows")
        if report.awaiting_seal:
            checked += f"; {report.awaiting_seal} rows written moments ago await their seal"
        self.stdout.write(f"Checked {checked}. Head: seal #{report.head_id or 0}, SHA-256 {report.head_sha256}")
        if not report.ok:
            raise CommandError(f"The audit trail is broken: {report.problem_count} problems.", returncode=1)
        self.stdout.write("The audit trail is intact.")
