"""What every kind of import reads the same way, so a list filled in for one import is filled in alike for the next:
cells that hold several values, and how an import reports how far it has got."""

from __future__ import annotations

import re
from collections.abc import Callable

# A percentage and a line saying what the import is doing (the job's progress, or the command's output).
Progress = Callable[[int, str], None]

# Spreadsheets and people separate a cell's values every which way: "7.5.3; 8.5.1", "auditor, employee", "A | B".
_LIST_SEPARATORS = re.compile(r"[;,|\s]+")


def split_list(cell: str) -> list[str]:
    """The values of a cell that holds several, separated by semicolons, commas, bars or spaces."""
    return [value for value in _LIST_SEPARATORS.split(cell) if value]
