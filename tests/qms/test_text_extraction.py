"""Plain text from stored files: real PDF, DOCX and ODT files built here, and broken or hostile ones that give ""."""

import io
import logging

import pytest
import weasyprint

from qms import text_extraction
from qms.text_extraction import extract_text
from tests.qms.test_uploads import DOCX, ODS, ODT, XLSX, docx_bytes, image_bytes, odt_bytes, xlsx_bytes, zip_bytes


@pytest.fixture(scope="module")
def two_page_pdf() -> bytes:
    html = "<h1>Calibration procedure</h1><p>Check the gauge.</p><p style='break-before: page'>Record the result.</p>"
    return weasyprint.HTML(string=html).write_pdf()


def test_pdf_pages_are_joined_with_blank_lines(two_page_pdf):
    text = extract_text(two_page_pdf, "application/pdf")
    first, second = text.split("\n\n")
    assert "Calibration procedure" in first and "Check the gauge." in first
    assert second.strip() == "Record the result."


def test_a_file_object_is_read_like_bytes(two_page_pdf):
    assert extract_text(io.BytesIO(two_page_pdf), "application/pdf") == extract_text(two_page_pdf, "application/pdf")


@pytest.mark.parametrize("content", [b"%PDF-1.7\nnot really a pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20, b""])
def test_a_broken_pdf_gives_no_text_and_a_warning(content, caplog):
    with caplog.at_level(logging.WARNING, logger="qms.text_extraction"):
        assert extract_text(content, "application/pdf") == ""
    assert "Could not extract text from a application/pdf file" in caplog.text


def test_a_truncated_pdf_gives_no_text(two_page_pdf):
    assert extract_text(two_page_pdf[: len(two_page_pdf) // 3], "application/pdf") == ""


def test_docx_paragraphs_become_lines_with_their_tabs_and_breaks():
    body = (
        "<w:p><w:r><w:t>Purpose</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Step</w:t></w:r><w:r><w:tab/><w:t xml:space='preserve'>one </w:t></w:r>"
        "<w:r><w:t>and more</w:t><w:br/><w:t>after a break</w:t></w:r></w:p>"
        "<w:p/>"
        "<w:p><w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del><w:r><w:t>Kept</w:t></w:r></w:p>"
    )
    assert extract_text(docx_bytes(body), DOCX) == "Purpose\nStep\tone and more\nafter a break\n\nKept"


def test_odt_paragraphs_and_headings_become_lines_with_their_spans():
    body = (
        "<text:h text:outline-level='1'>Scope</text:h>"
        "<text:p>Applies to <text:span>all</text:span> sites.<text:tab/>Rev<text:s text:c='3'/>2</text:p>"
        "<text:list><text:list-item><text:p>First<text:line-break/>item</text:p></text:list-item></text:list>"
    )
    assert extract_text(odt_bytes(body), ODT) == "Scope\nApplies to all sites.\tRev 2\nFirst\nitem"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (xlsx_bytes(), XLSX),
        (zip_bytes({"mimetype": ODS, "content.xml": "<x/>"}), ODS),
        (image_bytes("PNG"), "image/png"),
    ],
)
def test_spreadsheets_and_images_give_no_text(content, content_type):
    assert extract_text(content, content_type) == ""


@pytest.mark.parametrize("content_type", ["text/markdown", "text/plain", "text/csv", "text/plain; charset=utf-8"])
def test_text_files_are_decoded_without_their_byte_order_mark(content_type):
    assert extract_text(b"\xef\xbb\xbf# Gr\xc3\xbc\xc3\x9fe\n", content_type) == "# Grüße\n"


def test_text_is_cut_to_max_chars():
    assert extract_text("ü".encode() * 100, "text/plain", max_chars=10) == "ü" * 10
    assert len(extract_text(docx_bytes("<w:p><w:r><w:t>" + "x" * 500 + "</w:t></w:r></w:p>"), DOCX, max_chars=50)) == 50


def test_a_docx_without_its_document_gives_no_text():
    assert extract_text(zip_bytes({"[Content_Types].xml": "<Types/>"}), DOCX) == ""


def test_an_oversized_zip_member_is_not_read(monkeypatch, caplog):
    # A megabyte of one letter compresses to about a kilobyte; its declared size is what gives it away.
    bomb = docx_bytes("<w:p><w:r><w:t>" + "a" * 1024 * 1024 + "</w:t></w:r></w:p>")
    assert len(bomb) < 10_000
    monkeypatch.setattr(text_extraction, "MAX_MEMBER_SIZE", 512 * 1024)

    assert extract_text(bomb, DOCX) == ""
    assert "word/document.xml declares" in caplog.text


def test_xml_that_declares_entities_is_refused(caplog):
    laughs = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 9))
    xml = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY lol0 "lol">{laughs}]><w:document>&lol8;</w:document>'
    archive = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": xml})

    assert extract_text(archive, DOCX) == ""
    assert "document type declaration is refused" in caplog.text


def test_unknown_kinds_give_no_text():
    assert extract_text(b"\x00\x01", "application/octet-stream") == ""
