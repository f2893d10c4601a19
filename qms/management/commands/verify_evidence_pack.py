"""Check evidence pack ZIPs against their manifests: `manage.py verify_evidence_pack PACK.zip …`.

Exits 0 when every pack is intact, 1 when any differs, printing each difference with the file it concerns. Run where
the packs were made, it also checks this installation's audit trail up to the head each pack recorded (every link and
every row sealed by then), so a trail rewritten after the pack was handed over is found; `--files-only` skips that.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.evidence.verify import verify_pack


class Command(BaseCommand):
    help = "Check every file of one or more evidence packs against the pack's manifest.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("packs", nargs="+", metavar="PACK.zip")
        parser.add_argument(
            "--manifest-sha256",
            help="The manifest SHA-256 printed on the cover or recorded in the QMS; the manifest must match it.",
        )
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="Check the files against the manifest only, not this installation's audit trail.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for path in options["packs"]:
            report = verify_pack(
                path, expected_manifest_sha256=options["manifest_sha256"], against_trail=not options["files_only"]
            )
            if report.trail_outcome:
                self.stdout.write(f"{path}: {report.trail_outcome}")
            if report.ok:
                self.stdout.write(
                    f"{path}: OK, {report.files_checked} files match the manifest (SHA-256 {report.manifest_sha256})"
                )
                continue
            failed = True
            self.stdout.write(f"{path}: DIFFERS")
            for difference in report.differences:
                self.stdout.write(f"  {difference}")
        if failed:
            raise CommandError("At least one evidence pack differs from its manifest.", returncode=1)
