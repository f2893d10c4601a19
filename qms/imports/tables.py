"""Reading a master list as a spreadsheet writes it: UTF-8 with or without a byte-order mark, or Windows-1252; commas,
semicolons (Excel in much of Europe) or tabs; header names in any case, with spaces or underscores. And writing a row
of an export so that it reads back the same."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from qms.web import csv_safe

# A list this long is a migration of a large company; beyond it, split the list (the report says so).
MAX_ROWS = 50_000
_DELIMITERS = ",;\t"
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class TableError(Exception):
    """The file cannot be read as a master list at all (not a single row can be judged)."""


@dataclass
class Row:
    line: int  # the line of the file the row starts on, as a spreadsheet numbers it (the header is line 1)
    values: dict[str, str]
    problem: str = ""  # why the row cannot be trusted as read (its cells do not line up with the columns)


@dataclass
class Table:
    rows: list[Row]
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes, *, required: list[str], optional: list[str]) -> Table:
    """The rows of a CSV file as dictionaries keyed by column (lowercase, underscores), each cell stripped."""
    text, encoding = _decode(data)
    if not text.strip():
        raise TableError("The file is empty.")
    first_line = text.splitlines()[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_column(name) or f"column_{index + 1}" for index, name in enumerate(next(reader))]
    except csv.Error as error:
        raise TableError(f"The header line cannot be read: {error}.") from error
    missing = [name for name in required if name not in header]
    if missing:
        raise TableError(
            f"Columns missing: {', '.join(missing)}. The first line must name the columns (found: {', '.join(header)})."
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise TableError(f"Columns named twice: {', '.join(duplicated)}.")
    known = set(required) | set(optional)
    notes = [f"Column {name!r} is not one this import reads; it is ignored." for name in header if name not in known]
    rows: list[Row] = []
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(rows) == MAX_ROWS:
                raise TableError(f"The file has more than {MAX_ROWS:,} rows; split it into several files.")
            problem = ""
            if any(cell.strip() for cell in cells[len(header) :]):
                # Most often a cell holding the delimiter without quotes: every value after it sits one column off.
                problem = f"The row has more cells than there are columns; is a {_NAMES[delimiter]} inside a cell?"
            values = {name: _value(cells[index] if index < len(cells) else "") for index, name in enumerate(header)}
            rows.append(Row(line=start, values=values, problem=problem))
    except csv.Error as error:
        raise TableError(f"Line {line + 1} cannot be read: {error}.") from error
    if encoding == "cp1252":
        notes.insert(0, "The file is not UTF-8; it was read as Windows-1252 (Western European).")
    return Table(rows=rows, encoding=encoding, delimiter=delimiter, notes=notes)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise TableError("This is not a text file; save the list as CSV.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel's "CSV" on Western European Windows; every byte decodes, so this never refuses a file.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(header_line: str) -> str:
    # The header names the columns: the delimiter is the one that splits it most (a header holds no quoted commas).
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def export_row(values: Iterable[object]) -> list[str]:
    """A row of an export, each cell as `read_table` reads it back: a date in ISO, nothing as an empty cell, and a cell
    a spreadsheet would run as a formula kept text by a leading apostrophe (which `read_table` drops again)."""
    cells = []
    for value in values:
        if value is None:
            cells.append("")
        elif isinstance(value, date):
            cells.append(value.isoformat())
        else:
            cells.append(csv_safe(str(value)))
    return cells


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _value(cell: str) -> str:
    """The cell's text; an apostrophe that keeps a spreadsheet from reading =, +, - or @ as a formula is dropped, as
    the spreadsheet itself would (our exports write it: `qms.web.csv_safe`)."""
    text = cell.strip()
    if text[:1] == "'" and text[1:2] in {"=", "+", "-", "@"}:
        return text[1:]
    return text
