"""What an import would do, or did, line by line: the dry run's answer and the real run's record."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from qms.web import csv_safe

Outcome = Literal["create", "skip", "error"]


@dataclass
class RowReport:
    line: int
    key: str  # what the row is about, as the list names it (a document number, a username)
    outcome: Outcome
    messages: list[str] = field(default_factory=list)


@dataclass
class Report:
    rows: list[RowReport] = field(default_factory=list)
    # About the file as a whole: how it was read, ignored columns, ZIP members refused or not named by any row.
    notes: list[str] = field(default_factory=list)
    # A problem that stops the whole file (no header, not a ZIP); the rows are then not judged.
    file_errors: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def ok(self) -> bool:
        """Whether the real run may go ahead: nothing wrong with the file or any row."""
        return not self.file_errors and self.count("error") == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.count("create"),
            "skipped": self.count("skip"),
            "errors": self.count("error"),
            "problems": self.count("error") + len(self.file_errors),  # read by the list of imports, without the rows
            "file_errors": self.file_errors,
            "notes": self.notes,
            "rows": [asdict(row) for row in self.rows],
        }

    def as_csv(self) -> str:
        """The report as a spreadsheet: one line per row of the master list (values made safe from formulas)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["line", "key", "outcome", "messages"])
        for message in self.file_errors:
            writer.writerow(["", "", "error", csv_safe(message)])
        for row in self.rows:
            writer.writerow([row.line, csv_safe(row.key), row.outcome, csv_safe(" | ".join(row.messages))])
        return out.getvalue()
