"""Side-by-side comparison of two revisions' text, line by line, with the changed words of a changed line marked.

The rows are plain data: the template escapes every piece of text itself and only wraps changed words in <del>/<ins>,
so nothing from a document is ever marked safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import zip_longest
from typing import Literal

Kind = Literal["same", "changed", "added", "removed", "skipped"]
# A piece of a changed line and whether it differs from the other side.
Part = tuple[str, bool]

# Words, runs of spaces and runs of punctuation: joined back together they give the line exactly as it was.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]+")


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side table; a side a line does not exist on has no number and an empty line.

    `old_parts`/`new_parts` are filled for "changed" rows only; `skipped` counts the unchanged lines a "skipped" row
    stands for.
    """

    kind: Kind
    old_number: int | None
    old_line: str
    new_number: int | None
    new_line: str
    old_parts: tuple[Part, ...] = ()
    new_parts: tuple[Part, ...] = ()
    skipped: int = 0


def side_by_side(old_text: str, new_text: str, *, context: int | None = None) -> list[DiffRow]:
    """Compare two texts line by line; with `context`, keep only that many unchanged lines around each change."""
    if context is not None and context < 0:
        raise ValueError("context must be zero or more lines.")
    old_lines = old_text.splitlines()
    new_lines = new_text.splitlines()
    # autojunk would treat frequent lines (blank ones, in a long document) as noise and produce odd matches.
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows: list[DiffRow] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_numbered = list(enumerate(old_lines[old_start:old_end], start=old_start + 1))
        new_numbered = list(enumerate(new_lines[new_start:new_end], start=new_start + 1))
        if tag == "equal":
            for (old_number, line), (new_number, _) in zip(old_numbered, new_numbered, strict=True):
                rows.append(DiffRow("same", old_number, line, new_number, line))
            continue
        # A replaced block pairs its lines in order; lines left over on the longer side were removed or added.
        for old, new in zip_longest(old_numbered, new_numbered):
            if old and new:
                old_parts, new_parts = _word_parts(old[1], new[1])
                rows.append(DiffRow("changed", old[0], old[1], new[0], new[1], old_parts, new_parts))
            elif old:
                rows.append(DiffRow("removed", old[0], old[1], None, ""))
            elif new:
                rows.append(DiffRow("added", None, "", new[0], new[1]))
    return rows if context is None else _collapse_unchanged(rows, context)


def summary(rows: Iterable[DiffRow]) -> dict[str, int]:
    """Count the added, removed, changed and unchanged lines (including those a "skipped" row stands for)."""
    counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        if row.kind == "skipped":
            counts["unchanged"] += row.skipped
        elif row.kind == "same":
            counts["unchanged"] += 1
        else:
            counts[row.kind] += 1
    return counts


def _word_parts(old_line: str, new_line: str) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
    old_tokens = _TOKENS.findall(old_line)
    new_tokens = _TOKENS.findall(new_line)
    old_parts: list[Part] = []
    new_parts: list[Part] = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        changed = tag != "equal"
        _append_part(old_parts, "".join(old_tokens[old_start:old_end]), changed)
        _append_part(new_parts, "".join(new_tokens[new_start:new_end]), changed)
    return tuple(old_parts), tuple(new_parts)


def _append_part(parts: list[Part], text: str, changed: bool) -> None:
    """Add a piece, joining it to the previous one when both are changed or both unchanged (fewer <del> tags)."""
    if not text:
        return
    if parts and parts[-1][1] == changed:
        parts[-1] = (parts[-1][0] + text, changed)
    else:
        parts.append((text, changed))


def _collapse_unchanged(rows: Sequence[DiffRow], context: int) -> list[DiffRow]:
    """Replace the middle of each run of unchanged rows by one "skipped" row, keeping `context` rows next to changes."""
    collapsed: list[DiffRow] = []
    start = 0
    while start < len(rows):
        if rows[start].kind != "same":
            collapsed.append(rows[start])
            start += 1
            continue
        end = start
        while end < len(rows) and rows[end].kind == "same":
            end += 1
        # No context is needed before the first change or after the last one: nothing there to give context to.
        keep_before = context if start > 0 else 0
        keep_after = context if end < len(rows) else 0
        hidden = end - start - keep_before - keep_after
        if hidden > 1:
            collapsed += rows[start : start + keep_before]
            collapsed.append(DiffRow("skipped", None, "", None, "", skipped=hidden))
            collapsed += rows[end - keep_after : end]
        else:
            # Hiding a single line behind a "1 unchanged line" row would save nothing.
            collapsed += rows[start:end]
        start = end
    return collapsed
