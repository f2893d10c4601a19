"""What the import commands (`manage.py import_documents`, `import_users`) share, so they read and answer alike: who
may run them, how they show progress, and how they end (each wrong line named, exit status 1 when anything is wrong)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qms.imports.report import Report
from qms.models import User
from qms.roles import Role, has_role


class ImportCommand(BaseCommand):
    """A management command that imports a list: its handle() reads the files, checks or imports, then finish()."""

    # What the closing count calls the rows it skipped; an import that also leaves out rows it does not take says so.
    skipped_are = "already there"

    def quality_manager(self, username: str) -> User:
        """The account the import is recorded under: an import writes records only a quality manager may write."""
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None or not has_role(actor, Role.QUALITY_MANAGER):
            raise CommandError(f"{username!r} is not an active quality manager.")
        return actor

    def progress(self, percent: int, message: str) -> None:
        if percent % 10 == 0:
            self.stderr.write(f"{percent:3d}% {message}")

    def finish(self, report: Report, *, dry_run: bool) -> None:
        """Print what is wrong, line by line, and fail; or say what was (or would be) imported."""
        for message in report.file_errors:
            self.stdout.write(f"  {message}")
        for note in report.notes:
            self.stdout.write(f"  note: {note}")
        for row in report.rows:
            if row.outcome == "error":
                self.stdout.write(f"  line {row.line} ({row.key}): {' '.join(row.messages)}")
        if not report.ok:
            raise CommandError(
                f"Nothing was imported: {len(report.file_errors) + report.count('error')} problem(s).", returncode=1
            )
        for row in report.rows:
            if row.outcome == "create" and row.messages:  # what else it does (a department the users list creates)
                self.stdout.write(f"  line {row.line} ({row.key}): {' '.join(row.messages)}")
        if dry_run:
            self.stdout.write(
                f"Dry run: {report.count('create')} to import, {report.count('skip')} {self.skipped_are}."
            )
        else:
            self.stdout.write(f"Imported {report.count('create')}; {report.count('skip')} were {self.skipped_are}.")
