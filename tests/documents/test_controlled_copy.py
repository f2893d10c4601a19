"""Controlled copies: a cover and signature page, then every original page with the stamp merged over it."""

import hashlib
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter

from documents.controlled_copy import ApprovalLine, ControlledCopyError, ControlledCopyStamp, build_controlled_copy
from qms.errors import DomainError

STAMP_LINE = (
    "SOP-0007 rev 3 · Effective from 2026-05-01 · Controlled copy issued to Jane Doe 2026-11-23 14:02 UTC · "
    "Uncontrolled when printed"
)


def _pdf(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()


def _three_a4_pages() -> bytes:
    paragraphs = "".join(f"<p>Original page {n} of the purchasing procedure.</p>" for n in (1, 2, 3))
    return _pdf(f"<style>@page {{ size: A4; margin: 20mm }} p + p {{ break-before: page }}</style>{paragraphs}")


def _a4_then_letter() -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_pdf("<style>@page { size: A4 }</style><p>An A4 page</p>"))))
    writer.append(PdfReader(io.BytesIO(_pdf("<style>@page { size: Letter }</style><p>A Letter page</p>"))))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _stamp(original: bytes = b"", **changes) -> ControlledCopyStamp:
    fields = {
        "number": "SOP-0007",
        "title": "Purchasing and supplier evaluation",
        "revision": 3,
        "status": "Effective",
        "effective_date": date(2026, 5, 1),
        "approvals": [
            ApprovalLine(
                signer_name="Ada Approver",
                meaning="Approved",
                signed_at=datetime(2026, 4, 20, 9, 15, tzinfo=UTC),
                comment="Matches clause 8.4",
                content_sha256="ab12cd34ef56" + "0" * 52,
            )
        ],
        "file_sha256": hashlib.sha256(original).hexdigest(),
        "issued_to": "Jane Doe",
        "issued_at": datetime(2026, 11, 23, 14, 2, tzinfo=UTC),
    }
    return ControlledCopyStamp(**{**fields, **changes})


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """Text extraction breaks lines where the layout wrapped them; compare words, not line breaks."""
    return " ".join(text.split())


def test_the_copy_is_a_cover_page_followed_by_every_original_page_stamped():
    original = _three_a4_pages()
    copy = build_controlled_copy(original, _stamp(original))
    pages = _pages_text(copy)
    assert len(pages) == 1 + 3
    assert "UNCONTROLLED WHEN PRINTED" in pages[0]
    for number, text in enumerate(pages[1:], start=1):
        assert f"Original page {number} of the purchasing procedure." in text
        # Once at the top and once at the bottom of the page.
        assert _flat(text).count(STAMP_LINE) == 2


def test_a_long_approval_list_runs_over_several_cover_pages_before_the_original():
    original = _three_a4_pages()
    approval = ApprovalLine("Ada Approver", "Approved", datetime(2026, 4, 20, tzinfo=UTC), "Fine. " * 20, "a" * 64)
    pages = _pages_text(build_controlled_copy(original, _stamp(original, approvals=[approval] * 40)))
    cover_pages = len(pages) - 3
    assert cover_pages > 1
    assert all(STAMP_LINE not in _flat(text) for text in pages[:cover_pages])
    assert all(_flat(text).count(STAMP_LINE) == 2 for text in pages[cover_pages:])
    assert f"Cover page {cover_pages} of {cover_pages}, then 3 stamped pages" in pages[cover_pages - 1]


def test_the_original_pages_keep_their_size():
    original = _three_a4_pages()
    reader = PdfReader(io.BytesIO(build_controlled_copy(original, _stamp(original))))
    for page in reader.pages[1:]:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_pages_of_different_sizes_each_get_a_stamp_of_their_size():
    original = _a4_then_letter()
    reader = PdfReader(io.BytesIO(build_controlled_copy(original, _stamp(original))))
    a4, letter = reader.pages[1:]
    assert (round(float(letter.mediabox.width)), round(float(letter.mediabox.height))) == (612, 792)
    for page, text in ((a4, "An A4 page"), (letter, "A Letter page")):
        assert text in page.extract_text()
        assert _flat(page.extract_text()).count(STAMP_LINE) == 2


def _stamp_baselines(page) -> list[float]:
    """The heights (from the bottom edge, in points) at which the stamp text is drawn on `page`."""
    baselines: list[float] = []

    def visit(text, cm, tm, font_dict, font_size):
        if "Uncontrolled when printed" in text:
            baselines.append(tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return baselines


def test_the_stamp_sits_in_the_top_and_bottom_8_mm_of_each_page():
    original = _a4_then_letter()
    reader = PdfReader(io.BytesIO(build_controlled_copy(original, _stamp(original))))
    eight_mm = 8 / 25.4 * 72
    for page in reader.pages[1:]:
        baselines = _stamp_baselines(page)
        height = float(page.mediabox.height)
        assert len(baselines) == 2, baselines
        assert any(height - eight_mm < y < height for y in baselines), baselines
        assert any(0 < y < eight_mm for y in baselines), baselines


def test_the_cover_shows_the_revision_the_issue_the_digest_and_the_approvals():
    original = _three_a4_pages()
    stamp = _stamp(original)
    cover = _flat(_pages_text(build_controlled_copy(original, stamp))[0])
    assert "SOP-0007" in cover and "Purchasing and supplier evaluation" in cover
    assert "Effective" in cover and "2026-05-01" in cover
    assert "Jane Doe" in cover and "2026-11-23 14:02 UTC" in cover
    # The digest is printed in full, though it may wrap inside its cell.
    assert stamp.file_sha256 in cover.replace(" ", "")
    assert "Ada Approver" in cover and "Approved" in cover and "2026-04-20 09:15" in cover
    assert "Matches clause 8.4" in cover and "ab12cd34ef56" in cover
    assert "UNCONTROLLED WHEN PRINTED — check the current revision in the QMS before use" in cover


def test_times_are_printed_in_utc():
    original = _three_a4_pages()
    in_paris = datetime(2026, 11, 23, 15, 2, tzinfo=timezone(timedelta(hours=1)))
    copy = build_controlled_copy(original, _stamp(original, issued_at=in_paris))
    assert "2026-11-23 14:02 UTC" in _flat(_pages_text(copy)[0])
    assert STAMP_LINE in _flat(_pages_text(copy)[1])


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        _stamp(issued_at=datetime(2026, 11, 23, 14, 2))


def test_a_revision_without_approvals_says_so():
    original = _three_a4_pages()
    cover = _pages_text(build_controlled_copy(original, _stamp(original, approvals=[])))[0]
    assert "No electronic approvals recorded" in cover


def test_the_copy_is_titled_as_a_controlled_copy():
    original = _three_a4_pages()
    reader = PdfReader(io.BytesIO(build_controlled_copy(original, _stamp(original))))
    assert reader.metadata.title == "SOP-0007 rev 3 (controlled copy)"


def test_hostile_text_is_printed_as_text_not_interpreted_as_markup():
    original = _three_a4_pages()
    hostile = "<script>alert(\"x\")</script> 'quoted' <b>bold</b>"
    stamp = _stamp(
        original,
        title=hostile,
        issued_to='Mallory "<i>"',
        approvals=[
            ApprovalLine("Eve <img src=x>", "Approved", datetime(2026, 4, 20, tzinfo=UTC), hostile, "f" * 64),
        ],
    )
    pages = [_flat(text) for text in _pages_text(build_controlled_copy(original, stamp))]
    # Had the markup been parsed, the tags would be gone from the text and the script would not show at all.
    assert pages[0].count('<script>alert("x")</script>') >= 2  # the title and the comment
    assert "Eve <img src=x>" in pages[0]
    assert "<b>bold</b>" in pages[0]
    assert 'Mallory "<i>"' in pages[1]


def test_an_encrypted_pdf_is_refused_with_a_clear_message():
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_three_a4_pages())))
    writer.encrypt("pw")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(ControlledCopyError, match="encrypted or password-protected"):
        build_controlled_copy(encrypted.getvalue(), _stamp())


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a pdf at all", b"%PDF-1.7\n" + b"\x00garbage" * 100, b"%PDF-1.4\n%%EOF\n"],
)
def test_a_broken_pdf_is_refused_with_a_clear_message(garbage):
    with pytest.raises(ControlledCopyError, match="not a readable PDF") as raised:
        build_controlled_copy(garbage, _stamp())
    assert isinstance(raised.value, DomainError)


def test_a_truncated_pdf_is_refused_with_a_clear_message():
    original = _three_a4_pages()
    with pytest.raises(ControlledCopyError):
        build_controlled_copy(original[: len(original) // 2], _stamp())
