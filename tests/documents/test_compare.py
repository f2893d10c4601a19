"""Side-by-side comparison of two revisions' text: rows, word-level marks, collapsed context and the table partial."""

import pytest
from django.template.loader import render_to_string

from documents.compare import DiffRow, side_by_side, summary

OLD = "Purpose\nScope\nThe quick brown fox jumps.\nObsolete step\nRecords"
NEW = "Purpose\nNew first line\nScope\nThe quick red fox jumps.\nRecords"


def test_identical_texts_are_all_same_rows_numbered_on_both_sides():
    rows = side_by_side("a\nb\nc", "a\nb\nc")
    assert [row.kind for row in rows] == ["same"] * 3
    assert [(row.old_number, row.new_number) for row in rows] == [(1, 1), (2, 2), (3, 3)]
    assert summary(rows) == {"added": 0, "removed": 0, "changed": 0, "unchanged": 3}


def test_added_removed_and_changed_lines_are_detected_with_their_line_numbers():
    rows = side_by_side(OLD, NEW)
    assert rows == [
        DiffRow("same", 1, "Purpose", 1, "Purpose"),
        DiffRow("added", None, "", 2, "New first line"),
        DiffRow("same", 2, "Scope", 3, "Scope"),
        DiffRow(
            "changed",
            3,
            "The quick brown fox jumps.",
            4,
            "The quick red fox jumps.",
            old_parts=(("The quick ", False), ("brown", True), (" fox jumps.", False)),
            new_parts=(("The quick ", False), ("red", True), (" fox jumps.", False)),
        ),
        DiffRow("removed", 4, "Obsolete step", None, ""),
        DiffRow("same", 5, "Records", 5, "Records"),
    ]
    assert summary(rows) == {"added": 1, "removed": 1, "changed": 1, "unchanged": 3}


def test_a_block_replaced_by_more_lines_pairs_them_in_order_and_adds_the_rest():
    rows = side_by_side("keep\nold one\nkeep too", "keep\nnew one\nnew two\nkeep too")
    assert [(row.kind, row.old_number, row.new_number) for row in rows] == [
        ("same", 1, 1),
        ("changed", 2, 2),
        ("added", None, 3),
        ("same", 3, 4),
    ]


def test_word_parts_join_back_to_the_lines_and_mark_only_the_changed_words():
    (row,) = side_by_side(
        "Calibrate gauges every 12 months, or after a drop.", "Calibrate gauges every 6 months, or after any drop."
    )
    assert row.kind == "changed"
    assert "".join(text for text, _ in row.old_parts) == row.old_line
    assert "".join(text for text, _ in row.new_parts) == row.new_line
    assert [text for text, changed in row.old_parts if changed] == ["12", "a"]
    assert [text for text, changed in row.new_parts if changed] == ["6", "any"]


def test_unchanged_runs_longer_than_the_context_collapse_into_one_skipped_row():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten")
    rows = side_by_side(old, new, context=2)
    kinds = [row.kind for row in rows]
    # Nothing before line 8 needs context; lines 8-9 and 11-12 frame the change; 13-20 are after the last change.
    assert kinds == ["skipped", "same", "same", "changed", "same", "same", "skipped"]
    assert [row.skipped for row in rows if row.kind == "skipped"] == [7, 8]
    assert [row.old_number for row in rows if row.kind == "same"] == [8, 9, 11, 12]
    assert summary(rows) == {"added": 0, "removed": 0, "changed": 1, "unchanged": 19}


def test_a_run_between_two_changes_keeps_context_on_both_sides_and_is_only_collapsed_when_it_saves_lines():
    old = "\n".join(f"line {n}" for n in range(1, 10))
    new = old.replace("line 1\n", "line one\n").replace("line 9", "line nine")
    rows = side_by_side(old, new, context=3)
    # Lines 2-8 are seven unchanged lines = 2 x 3 + 1: hiding one line would save nothing, so all stay.
    assert [row.kind for row in rows] == ["changed"] + ["same"] * 7 + ["changed"]
    rows = side_by_side(old, new, context=2)
    assert [row.kind for row in rows] == ["changed", "same", "same", "skipped", "same", "same", "changed"]
    assert rows[3].skipped == 3


def test_identical_texts_with_context_collapse_to_a_single_skipped_row():
    assert side_by_side("a\nb\nc", "a\nb\nc", context=1) == [DiffRow("skipped", None, "", None, "", skipped=3)]


def test_a_negative_context_is_refused():
    with pytest.raises(ValueError):
        side_by_side("a", "b", context=-1)


def test_the_partial_renders_an_accessible_table_and_escapes_document_text():
    rows = side_by_side(
        "Keep <b>bold</b>\nsame\nsame\nsame\nsame\nend",
        'Keep <b>bolder</b> "quoted"\nsame\nsame\nsame\nsame\nend',
        context=0,
    )
    html = render_to_string("documents/partials/compare_table.html", {"rows": rows, "old_label": 2, "new_label": 3})
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "&quot;quoted&quot;" in html
    assert '<th scope="col">Old revision 2</th>' in html
    assert '<th scope="col">New revision 3</th>' in html
    assert "<caption>" in html
    assert "<del>bold</del>" in html and "<ins>bolder</ins>" in html
    assert "5 unchanged lines" in html
    assert "style=" not in html


def test_the_partial_wraps_whole_added_and_removed_lines():
    html = render_to_string("documents/partials/compare_table.html", {"rows": side_by_side("gone\nstay", "stay\nnew")})
    assert "<del>gone</del>" in html
    assert "<ins>new</ins>" in html
    assert '<th scope="col">Old revision</th>' in html
