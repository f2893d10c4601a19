"""Plain text from stored files, for search and for side-by-side comparison of revisions.

Extraction is best effort: a file it cannot read gives "" and a logged warning, never an exception, so a damaged
or hostile upload cannot fail the task that indexes it.

The XML inside DOCX and ODT is parsed with the standard library's ElementTree (defusedxml is not installed).
ElementTree never fetches external entities, and the bundled expat (2.4 or later) limits entity expansion; on top
of that we refuse any document type declaration, which Office and OpenDocument members never have, so no entity
can be declared at all.
"""

from __future__ import annotations

import codecs
import io
import logging
import zipfile
from typing import IO
from xml.etree import ElementTree

from pypdf import PdfReader

from qms.uploads import CSV, DOCX, MARKDOWN, ODT, PDF, PLAIN_TEXT

logger = logging.getLogger(__name__)

# Larger members are refused unread: a few kilobytes of ZIP can declare gigabytes of XML. Members are also read in
# chunks and counted, so no more than this is ever held, whatever the archive declares.
MAX_MEMBER_SIZE = 50 * 1024 * 1024
_READ_CHUNK = 1024 * 1024
# A UTF-8 character takes at most four bytes, and a byte order mark three more.
_UTF8_MAX_CHAR_BYTES = 4

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def extract_text(data: bytes | IO[bytes], content_type: str, *, max_chars: int = 2_000_000) -> str:
    """The file's text, at most `max_chars` characters; "" for kinds we do not read (spreadsheets, images)."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == PDF:
            text = _pdf_text(stream, max_chars)
        elif kind == DOCX:
            text = _docx_text(_zip_member(stream, "word/document.xml"))
        elif kind == ODT:
            text = _odt_text(_zip_member(stream, "content.xml"))
        elif kind in {MARKDOWN, PLAIN_TEXT, CSV}:
            raw = stream.read(max_chars * _UTF8_MAX_CHAR_BYTES + len(codecs.BOM_UTF8))
            text = raw.decode("utf-8-sig", errors="replace")
        else:
            text = ""
    # Parsers of untrusted files raise whatever their input provokes (pypdf alone raises PdfReadError, ValueError,
    # KeyError, TypeError, RecursionError...); none of it may escape, and the traceback is logged for a developer.
    except Exception:
        logger.warning("Could not extract text from a %s file", kind, exc_info=True)
        return ""
    return text[:max_chars]


def _pdf_text(stream: IO[bytes], max_chars: int) -> str:
    pages: list[str] = []
    length = 0
    for page in PdfReader(stream).pages:
        pages.append(page.extract_text())
        length += len(pages[-1])
        if length >= max_chars:
            break
    return "\n\n".join(pages)


def _zip_member(stream: IO[bytes], name: str) -> bytes:
    with zipfile.ZipFile(stream) as archive:
        info = archive.getinfo(name)
        if info.file_size > MAX_MEMBER_SIZE:
            raise ValueError(f"{name} declares {info.file_size} bytes, more than {MAX_MEMBER_SIZE}")
        # zipfile stops at the declared size today; counting does not depend on it, or on the archive being honest.
        with archive.open(info) as member:
            return read_at_most(member, MAX_MEMBER_SIZE)


def read_at_most(member: IO[bytes], limit: int) -> bytes:
    """All of `member` in chunks; ValueError as soon as it holds more than `limit` bytes."""
    chunks = []
    size = 0
    while chunk := member.read(min(_READ_CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            raise ValueError(f"more than {limit} bytes unpacked")
        chunks.append(chunk)
    return b"".join(chunks)


class _RefuseDoctype(ElementTree.TreeBuilder):
    """Builds the tree as usual, but stops at a document type declaration, where entities would be declared."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise ValueError("XML with a document type declaration is refused")


def _parse(xml: bytes) -> ElementTree.Element:
    # Safe for these members without defusedxml: see the module docstring.
    parser = ElementTree.XMLParser(target=_RefuseDoctype())  # noqa: S314
    parser.feed(xml)
    return parser.close()


def _docx_text(xml: bytes) -> str:
    """One line per paragraph (`w:p`); text is in `w:t`, tabs and line breaks are elements of their own."""
    lines = []
    for paragraph in _parse(xml).iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in {f"{_W}br", f"{_W}cr"}:
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def _odt_text(xml: bytes) -> str:
    """One line per paragraph or heading (`text:p`, `text:h`); their text is mixed content, spans included."""
    return "\n".join(_odf_inline_text(node) for node in _parse(xml).iter() if node.tag in {f"{_TEXT}p", f"{_TEXT}h"})


def _odf_inline_text(element: ElementTree.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":
            # A run of spaces becomes one: enough for search and comparison, and a hostile count cannot inflate it.
            parts.append(" ")
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(_odf_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
