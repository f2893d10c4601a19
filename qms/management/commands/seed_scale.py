"""`manage.py seed_scale`: a large, realistic QMS for benchmarks, in minutes (see `qms.scale`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qms.scale import SeedRefused, seed_scale

DEFAULT_PASSWORD = "scale-password"  # noqa: S105 - benchmark accounts on a scratch database only


class Command(BaseCommand):
    help = (
        "Fill the database with a large, realistic QMS for benchmarks: departments and a few hundred people, "
        "--documents controlled documents with their revisions, approvals, signatures, acknowledgements and history, "
        "and in proportion (per 100,000 documents) about 2,000 audits, 1,500 CAPAs, 3,000 nonconformities and 5,000 "
        "improvement ideas, over the last ten years. Revisions point at a pool of small real files in the default "
        "storage. Run again with a larger --documents to add only the missing documents. "
        "It refuses a database that holds documents it did not make (a real QMS must never get made-up records); "
        "--force overrides that for scratch copies. Sign in as scale-qm (quality manager) or scale-employee with "
        "--password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--documents", type=int, default=100_000, help="Seeded documents wanted in all.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of the seeded accounts (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Seed even though the database holds documents the seed did not make."
        )
        parser.add_argument("--chunk-size", type=int, default=5000, help="Documents written per transaction.")
        parser.add_argument("--pool-size", type=int, default=300, help="Small real files the revisions share.")
        parser.add_argument(
            "--unsealed",
            action="store_true",
            help="Leave the copied history out of the audit trail (about 10,000 rows a second to seal): for a "
            "database only searched, such as the benchmark's million documents. verify_audit_trail reports them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["documents"] < 1 or options["chunk_size"] < 1 or options["pool_size"] < 1:
            raise CommandError("--documents, --chunk-size and --pool-size must be positive.")
        try:
            result = seed_scale(
                documents=options["documents"],
                seed=options["seed"],
                password=options["password"],
                force=options["force"],
                chunk_size=options["chunk_size"],
                pool_size=options["pool_size"],
                seal=not options["unsealed"],
                out=self.stdout,
            )
        except SeedRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        if result.documents_added:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {result.documents_added} documents ({sum(result.rows.values())} rows) in "
                    f"{result.seconds:.1f}s; the database holds {result.documents_total} seeded documents."
                )
            )
            for label, count in sorted(result.rows.items()):
                self.stdout.write(f"  {label}: {count}")
