"""Controlled copies: an effective PDF revision as handed to a reader, with a cover page and a stamp on every page.

The cover names the revision, who it was issued to and when, the SHA-256 of the original file and the approvals. Every
original page gets a one-line stamp at its top and bottom edge, so a page that wanders off on its own still says which
revision it belongs to and that a printout is not controlled. The stamp is merged over the original pages, which are
otherwise kept as they are: their text stays searchable and selectable.

The input is plain data, not models, so this module can be used (and tested) without the database.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pypdf import PageObject, PdfReader, PdfWriter

from qms.errors import DomainError
from qms.pdf import render_pdf

logger = logging.getLogger(__name__)

COVER_TEMPLATE = "documents/pdf/controlled_copy_cover.html"
STAMP_TEMPLATE = "documents/pdf/controlled_copy_stamp.html"


class ControlledCopyError(DomainError):
    """The original PDF cannot be turned into a controlled copy (it is encrypted or not a readable PDF)."""


@dataclass(frozen=True)
class ApprovalLine:
    """One electronic approval of the revision, as printed on the signature page."""

    signer_name: str
    meaning: str
    signed_at: datetime
    comment: str
    content_sha256: str


@dataclass(frozen=True)
class ControlledCopyStamp:
    """What the cover page and the page stamps say about the revision and about this copy of it."""

    number: str
    title: str
    revision: int
    status: str
    effective_date: date | None
    approvals: list[ApprovalLine]
    file_sha256: str
    issued_to: str
    issued_at: datetime

    def __post_init__(self) -> None:
        # The copy prints "UTC" next to these times; with a naive datetime that would be a guess.
        for moment in (self.issued_at, *(approval.signed_at for approval in self.approvals)):
            if moment.tzinfo is None:
                raise ValueError("The times on a controlled copy must be timezone-aware.")

    @property
    def pdf_title(self) -> str:
        return f"{self.number} rev {self.revision} (controlled copy)"

    @property
    def stamp_line(self) -> str:
        """The line printed at the top and the bottom of every original page."""
        validity = f"{self.status} from {self.effective_date:%Y-%m-%d}" if self.effective_date else self.status
        return (
            f"{self.number} rev {self.revision} · {validity} · Controlled copy issued to {self.issued_to} "
            f"{self.issued_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC · Uncontrolled when printed"
        )


def build_controlled_copy(original_pdf: bytes, stamp: ControlledCopyStamp) -> bytes:
    """Return the cover and signature page(s) followed by every page of `original_pdf` with the stamp merged over it.

    Raises ControlledCopyError when the original is encrypted or cannot be read as a PDF.
    """
    original = _open_original(original_pdf)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(render_pdf(COVER_TEMPLATE, _cover_context(stamp, len(original.pages))))))
    cover_page_count = len(writer.pages)

    with _unreadable_pdf_refused():
        writer.append(original)
        pages = writer.pages[cover_page_count:]
        for page in pages:
            if page.rotation:
                # Make "top" the top of the page as it is shown, not as it is stored.
                page.transfer_rotation_to_content()
        boxes = [page.cropbox for page in pages]
        sizes = [(round(float(box.width), 2), round(float(box.height), 2)) for box in boxes]

    # One stamp per page size: WeasyPrint takes a fraction of a second per render, and most documents have one size.
    stamps = {size: _render_stamp(stamp, *size) for size in dict.fromkeys(sizes)}
    output = io.BytesIO()
    with _unreadable_pdf_refused():
        for page, box, size in zip(pages, boxes, sizes, strict=True):
            page.merge_translated_page(stamps[size], tx=float(box.left), ty=float(box.bottom))
        writer.add_metadata({"/Title": stamp.pdf_title, "/Subject": stamp.stamp_line})
        writer.write(output)
    return output.getvalue()


def _open_original(original_pdf: bytes) -> PdfReader:
    with _unreadable_pdf_refused():
        reader = PdfReader(io.BytesIO(original_pdf))
        encrypted = reader.is_encrypted
        page_count = 0 if encrypted else len(reader.pages)
    # Even a PDF that opens with an empty password carries its author's restrictions, which stamping would lift.
    if encrypted:
        raise ControlledCopyError(
            "The PDF is encrypted or password-protected, so no controlled copy can be made from it. "
            "Upload a copy without a password or usage restrictions."
        )
    if page_count == 0:
        raise ControlledCopyError("The PDF has no pages, so no controlled copy can be made from it.")
    return reader


@contextmanager
def _unreadable_pdf_refused() -> Iterator[None]:
    """Turn pypdf's failures on a damaged file into an error a person can act on."""
    try:
        yield
    except Exception as error:
        # pypdf reads lazily, and a damaged file can make it raise almost anything (KeyError, ValueError, zlib.error,
        # RecursionError...), at opening, copying, merging or writing; none of these is our bug to report upwards.
        logger.warning("Could not read a PDF for a controlled copy: %r", error)
        raise ControlledCopyError(
            "The file is not a readable PDF, so no controlled copy can be made from it. Upload the PDF again."
        ) from error


def _render_stamp(stamp: ControlledCopyStamp, width: float, height: float) -> PageObject:
    # The size goes in as a ready string: the template's number formatting could localise "595.28" to "595,28".
    pdf = render_pdf(STAMP_TEMPLATE, {"page_size": f"{width:.2f}pt {height:.2f}pt", "stamp_line": stamp.stamp_line})
    return PdfReader(io.BytesIO(pdf)).pages[0]


def _cover_context(stamp: ControlledCopyStamp, original_page_count: int) -> dict[str, object]:
    return {
        "document_title": stamp.pdf_title,
        "document_id": f"{stamp.number} rev {stamp.revision}",
        "stamp": stamp,
        "original_page_count": original_page_count,
    }
