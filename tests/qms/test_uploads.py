"""Uploaded files: judged by content, stored under generated names, cleaned up when the save fails, served safely.

Every file here is built by the test (a real PDF, real OOXML and ODF archives, real images); no binary fixture is
committed. The builders are reused by the text extraction tests.
"""

import base64
import hashlib
import io
import random
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import transaction
from PIL import Image
from pypdf import PdfWriter

from qms.errors import DomainError
from qms.text_extraction import read_at_most
from qms.uploads import (
    ALLOWED_TYPES,
    MAX_ZIP_ENTRIES,
    CheckedUpload,
    RefusedUpload,
    UploadError,
    content_disposition,
    digest_header,
    inspect_upload,
    safe_display_name,
    store_upload,
    stored_upload,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3"'
)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            # ODF wants its `mimetype` first and uncompressed; the order of a dict is kept.
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compression)
    return buffer.getvalue()


def docx_bytes(body: str = "<w:p><w:r><w:t>Hello</w:t></w:r></w:p>") -> bytes:
    """A minimal Word document: the three parts Word itself needs to open one."""
    return zip_bytes(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/officeDocument"/></Relationships>'
            ),
            "word/document.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W_NS}"><w:body>{body}</w:body>'
                "</w:document>"
            ),
        }
    )


def xlsx_bytes() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return zip_bytes(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
            ),
            "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
            "xl/workbook.xml": f'<workbook xmlns="{main}"><sheets/></workbook>',
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData/></worksheet>',
        }
    )


def odf_bytes(mimetype: str, body: str) -> bytes:
    return zip_bytes(
        {
            "mimetype": mimetype,
            "content.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
                f"<office:body>{body}</office:body></office:document-content>"
            ),
            "META-INF/manifest.xml": (
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/></manifest:manifest>'
            ),
        }
    )


def odt_bytes(text_body: str = "<text:p>Hello</text:p>") -> bytes:
    return odf_bytes(ODT, f"<office:text>{text_body}</office:text>")


def ods_bytes() -> bytes:
    return odf_bytes(ODS, '<office:spreadsheet><table:table table:name="Sheet1"/></office:spreadsheet>')


def image_bytes(image_format: str) -> bytes:
    # Pillow comes with WeasyPrint; it writes real images of every kind we accept.
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, image_format)
    return buffer.getvalue()


# A DOS header, the offset of a PE header and the header itself: what Windows looks for in an .exe.
EXE = b"MZ\x90\x00" + b"\x00" * 56 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "build", "content_type", "extension"),
    [
        ("procedure.pdf", pdf_bytes, "application/pdf", ".pdf"),
        ("procedure.docx", docx_bytes, DOCX, ".docx"),
        ("register.xlsx", xlsx_bytes, XLSX, ".xlsx"),
        ("procedure.odt", odt_bytes, ODT, ".odt"),
        ("register.ods", ods_bytes, ODS, ".ods"),
        ("photo.png", lambda: image_bytes("PNG"), "image/png", ".png"),
        ("photo.jpeg", lambda: image_bytes("JPEG"), "image/jpeg", ".jpg"),
        ("photo.gif", lambda: image_bytes("GIF"), "image/gif", ".gif"),
        ("photo.webp", lambda: image_bytes("WEBP"), "image/webp", ".webp"),
        ("notes.md", lambda: b"# Notes\n\n- one\n", "text/markdown", ".md"),
        ("notes.markdown", lambda: b"# Notes\n", "text/markdown", ".md"),
        ("notes.txt", lambda: "Grüße aus Köln\n".encode(), "text/plain", ".txt"),
        ("readme.txt", lambda: b"no extension at all\n", "text/plain", ".txt"),
        ("register.csv", lambda: b"id,title\n1,Calibration\n", "text/csv", ".csv"),
    ],
)
def test_each_accepted_kind_is_recognised_by_content(name, build, content_type, extension):
    content = build()
    checked = inspect_upload(upload(name, content))
    assert checked == CheckedUpload(
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type=content_type,
        extension=extension,
        original_name=name,
    )
    assert content_type in ALLOWED_TYPES


def test_the_client_content_type_is_ignored():
    checked = inspect_upload(upload("scan.png", pdf_bytes(), content_type="image/png"))
    assert checked.content_type == "application/pdf"


def test_a_pdf_renamed_docx_is_detected_as_pdf():
    checked = inspect_upload(upload("procedure.docx", pdf_bytes(), content_type=DOCX))
    assert (checked.content_type, checked.extension) == ("application/pdf", ".pdf")


@pytest.mark.parametrize(
    ("content", "detected"),
    [(EXE, "application/x-msdownload"), (ELF, "application/x-executable"), (MACH_O, "unrecognised binary data")],
)
@pytest.mark.parametrize("name", ["report.pdf", "procedure.docx", "notes.txt", "photo.png", "notes.md"])
def test_executables_are_refused_whatever_their_name(name, content, detected):
    with pytest.raises(UploadError) as refused:
        inspect_upload(upload(name, content, content_type="application/pdf"))
    assert detected in refused.value.message
    assert "Accepted kinds: PDF, Word (.docx)" in refused.value.message


@pytest.mark.parametrize(
    "members",
    [
        {"readme.txt": "just a zip"},
        # Word's folder without the package's content types is not a Word document.
        {"word/document.xml": "<w:document/>"},
        # A PowerPoint file is an Office package too, but not one we accept.
        {"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p:presentation/>"},
        # Claims both Word and Excel: not a document any Office program writes.
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>", "xl/workbook.xml": "<x/>"},
        # An ODF package whose mimetype names a kind we do not accept (a presentation).
        {"mimetype": "application/vnd.oasis.opendocument.presentation", "content.xml": "<c/>"},
    ],
)
def test_a_zip_that_is_not_an_accepted_office_document_is_refused(members):
    with pytest.raises(UploadError, match="ZIP archive that is not a Word, Excel or OpenDocument file"):
        inspect_upload(upload("procedure.docx", zip_bytes(members), content_type=DOCX))


def test_a_truncated_docx_is_refused():
    with pytest.raises(UploadError, match="ZIP archive"):
        inspect_upload(upload("procedure.docx", docx_bytes()[:100]))


MB = 1024 * 1024


def zip_streamed(members: dict[str, int | str]) -> bytes:
    """A ZIP whose members are either text or that many zero bytes, written in chunks so the test holds no more
    than the packed archive (a few hundred kilobytes) however much it unpacks to."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, str):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for start in range(0, content, MB):
                    member.write(bytes(min(MB, content - start)))
    return buffer.getvalue()


_WORD_PARTS = {
    "[Content_Types].xml": "<Types/>",
    "word/document.xml": f'<w:document xmlns:w="{_W_NS}"><w:body/></w:document>',
}


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        (
            {**_WORD_PARTS, **{f"word/media/image{number}.png": "x" for number in range(MAX_ZIP_ENTRIES)}},
            "it has 2,002 entries, more than 2,000",
        ),
        ({**_WORD_PARTS, "word/media/huge.bin": 201 * MB}, "it unpacks to 201 MB, more than 200 MB"),
        ({**_WORD_PARTS, "word/media/zeros.bin": 2 * MB}, r"one of its parts unpacks to [\d,]+ times its packed size"),
        # No single part is over a megabyte, so only the archive as a whole gives it away.
        (
            {**_WORD_PARTS, **{f"word/media/zeros{number}.bin": MB // 2 for number in range(30)}},
            r"it unpacks to [\d,]+ times its packed size, more than 100",
        ),
    ],
    ids=["too many entries", "too large unpacked", "one part packed too tightly", "all parts packed too tightly"],
)
def test_an_office_file_that_looks_like_a_zip_bomb_is_refused_before_it_is_unpacked(members, reason):
    with pytest.raises(UploadError) as refused:
        inspect_upload(upload("procedure.docx", zip_streamed(members)))
    assert re.match(f"This file looks like a ZIP bomb: {reason}", refused.value.message)


def test_a_large_real_document_is_not_taken_for_a_zip_bomb():
    # Some megabytes of prose in Word's XML pack about four to one; over a megabyte, so the ratio limits apply.
    words = random.Random(9001).choices([f"word{number}" for number in range(5000)], k=400_000)  # noqa: S311 - test text, not a secret
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{' '.join(words[n : n + 40])}</w:t></w:r></w:p>" for n in range(0, len(words), 40)
    )
    content = docx_bytes(paragraphs)
    assert zipfile.ZipFile(io.BytesIO(content)).getinfo("word/document.xml").file_size > 3 * MB
    assert inspect_upload(upload("manual.docx", content)).content_type == DOCX


def test_text_extraction_never_reads_a_member_past_its_cap():
    assert read_at_most(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(ValueError, match="more than 10 bytes"):
        read_at_most(io.BytesIO(b"x" * 11), 10)

    class Endless(io.RawIOBase):
        def readinto(self, buffer):
            buffer[:] = b"y" * len(buffer)
            return len(buffer)

    with pytest.raises(ValueError, match=f"more than {MB} bytes"):
        read_at_most(Endless(), MB)


def test_an_empty_file_is_refused():
    with pytest.raises(UploadError, match="The file is empty"):
        inspect_upload(upload("empty.pdf", b""))


def test_a_file_over_the_given_limit_is_refused():
    with pytest.raises(UploadError, match=r"^The file is larger than the 0 MB limit\.$"):
        inspect_upload(upload("notes.txt", b"x" * 11), max_size=10)
    assert inspect_upload(upload("notes.txt", b"x" * 10), max_size=10).size == 10


def test_the_default_limit_comes_from_settings_and_is_stated_in_megabytes(settings):
    settings.MAX_UPLOAD_SIZE = 2 * 1024 * 1024
    with pytest.raises(UploadError, match=r"larger than the 2 MB limit\."):
        inspect_upload(upload("notes.txt", b"x" * (2 * 1024 * 1024 + 1)))


def test_a_file_refused_while_it_arrived_is_refused_with_its_reason_and_cannot_be_read():
    refused = RefusedUpload(
        name="big.pdf", content_type="application/pdf", size=3 * MB, reason="The file is larger than the 1 MB limit."
    )

    with pytest.raises(UploadError, match=r"^The file is larger than the 1 MB limit\.$") as raised:
        inspect_upload(refused)
    assert raised.value.field == "file"
    with pytest.raises(UploadError, match="1 MB limit"):
        b"".join(refused.chunks())


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 4,
        b"plain words\x00and a NUL",
        "Latin-1, not UTF-8: caf\xe9".encode("latin-1"),
        # Cut in the middle of a two-byte character: the decoder must be told that the file ended.
        "café".encode()[:-1],
    ],
)
def test_text_that_is_not_clean_utf8_is_refused(content):
    with pytest.raises(UploadError, match="unrecognised binary data"):
        inspect_upload(upload("notes.txt", content, content_type="text/plain"))


def test_utf8_text_with_a_byte_order_mark_is_accepted():
    checked = inspect_upload(upload("register.csv", b"\xef\xbb\xbfid,title\n1,Gr\xc3\xbc\xc3\x9fe\n"))
    assert checked.content_type == "text/csv"


def test_text_that_starts_like_a_signature_is_still_text():
    # "BM" is the signature of a bitmap; a CSV of car makes starts with it.
    checked = inspect_upload(upload("cars.csv", b"BMW,Audi\n1,2\n"))
    assert checked.content_type == "text/csv"


@pytest.mark.parametrize(
    "content",
    [
        "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
        "\n\n   <html><head><title>Invoice</title></head></html>",
        "<script>fetch('/api/v1/users/')</script>",
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>',
        '<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>',
        '\ufeff<!-- Generator: Adobe Illustrator --><SVG xmlns="http://www.w3.org/2000/svg"/>',
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    ],
)
@pytest.mark.parametrize("name", ["notes.md", "notes.txt", "register.csv", "photo.png", "scan.pdf"])
def test_html_svg_and_xml_are_refused_whatever_their_name(name, content):
    with pytest.raises(UploadError) as refused:
        inspect_upload(upload(name, content.encode(), content_type="text/plain"))
    assert "content is HTML, SVG or XML markup, which is not accepted" in refused.value.message


@pytest.mark.parametrize(
    "content",
    [
        '# Cleaning\n\n<div align="center">Stop the line first.</div>\n\n<script>is shown as text</script>\n',
        "<!-- reviewed 2024 -->\n# Cleaning\n",
        "id,title\n1,<html> in a cell\n",
    ],
)
def test_text_with_markup_further_on_is_still_text(content):
    assert inspect_upload(upload("notes.md", content.encode())).content_type == "text/markdown"


def test_text_spanning_many_chunks_is_checked_across_chunk_boundaries():
    # 64 KiB chunks: put a two-byte character across the first boundary.
    content = b"a" * (64 * 1024 - 1) + "é".encode() + b"b" * 10
    assert inspect_upload(upload("long.txt", content)).size == len(content)


def test_the_file_is_rewound_after_inspection():
    uploaded = upload("procedure.docx", docx_bytes())
    inspect_upload(uploaded)
    assert uploaded.read() == docx_bytes()


def test_refusals_are_domain_errors_about_the_file_field():
    with pytest.raises(DomainError) as refused:
        inspect_upload(upload("empty.pdf", b""))
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\evil\\x.pdf", "x.pdf"),
        ("folder/sub\\mixed/report.pdf", "report.pdf"),
        ("re\x00po\rrt\n.pdf\x7f", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("...hidden.pdf", "hidden.pdf"),
        (". . .bashrc", "bashrc"),
        ("  spaced name.pdf  ", "spaced name.pdf"),
        ("Qualitätshandbuch, Ausgabe 3.pdf", "Qualitätshandbuch, Ausgabe 3.pdf"),
        ("", "file"),
        ("../..", "file"),
        ("dir/", "file"),
        ("\x00\x01", "file"),
    ],
)
def test_display_names_are_sanitised(name, expected):
    assert safe_display_name(name) == expected


def test_long_display_names_are_cut_to_200_characters_keeping_the_extension():
    name = safe_display_name("a" * 500 + ".pdf")
    assert name == "a" * 196 + ".pdf"
    assert safe_display_name("b" * 500) == "b" * 200
    # A "extension" that is really part of a long name is not kept apart.
    assert safe_display_name("minutes." + "c" * 400) == ("minutes." + "c" * 400)[:200]


def test_inspection_sanitises_the_original_name():
    assert inspect_upload(upload("../../etc/passwd.txt", b"root:x:0:0\n")).original_name == "passwd.txt"


@pytest.mark.parametrize(
    ("name", "content", "offered"),
    [
        ("run.bat", b"format c:\n", "run.txt"),
        ("setup.js", b"WScript.Echo(1)\n", "setup.txt"),
        ("readme", b"no extension\n", "readme.txt"),
        ("minutes.of the meeting on the 3rd", b"text\n", "minutes.of the meeting on the 3rd.txt"),
        ("procedure.docx", pdf_bytes(), "procedure.pdf"),
        ("photo.JPEG", image_bytes("JPEG"), "photo.JPEG"),
        ("a" * 300 + ".exe", b"text\n", "a" * 196 + ".txt"),
    ],
)
def test_the_name_offered_back_ends_in_an_extension_of_what_the_file_is(name, content, offered):
    # The name is offered again on download: a text file named "run.bat" must not come back as a script.
    assert inspect_upload(upload(name, content)).original_name == offered


def _stored_path(settings, name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_stored_files_get_a_generated_name_under_the_folder_and_keep_their_content(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = pdf_bytes()
    uploaded = upload("../../My Procedure.docx", content)
    checked = inspect_upload(uploaded)
    uploaded.read()  # a caller may have read it; storing rewinds it.

    name = store_upload(uploaded, checked, folder="revisions")

    assert re.fullmatch(r"revisions/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", name)
    assert _stored_path(settings, name).read_bytes() == content
    assert "Procedure" not in name


def test_a_large_upload_on_disk_is_inspected_and_stored(settings, tmp_path):
    # Django keeps uploads over FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary file, which the storage moves into place.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    content = docx_bytes()
    uploaded = TemporaryUploadedFile("procedure.docx", DOCX, len(content), None)
    uploaded.write(content)
    uploaded.flush()

    checked = inspect_upload(uploaded)
    name = store_upload(uploaded, checked, folder="evidence")
    uploaded.close()  # as Django does after the request; the temporary file is already gone

    assert checked.content_type == DOCX
    assert _stored_path(settings, name).read_bytes() == content


def test_the_stored_file_is_deleted_when_the_block_raises(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    uploaded = upload("evidence.png", image_bytes("PNG"))
    checked = inspect_upload(uploaded)

    with (
        pytest.raises(RuntimeError, match="the row could not be saved"),
        stored_upload(uploaded, checked, folder="evidence") as name,
    ):
        assert default_storage.exists(name)
        raise RuntimeError("the row could not be saved")

    assert not default_storage.exists(name)
    assert not _stored_path(settings, name).exists()


def test_the_stored_file_is_kept_when_the_block_succeeds(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    uploaded = upload("evidence.png", image_bytes("PNG"))
    checked = inspect_upload(uploaded)

    with stored_upload(uploaded, checked, folder="evidence") as name:
        pass

    assert _stored_path(settings, name).read_bytes() == image_bytes("PNG")


@pytest.mark.django_db
def test_a_rolled_back_transaction_inside_the_block_leaves_no_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    uploaded = upload("procedure.pdf", pdf_bytes())
    checked = inspect_upload(uploaded)

    with (
        pytest.raises(ValueError, match="constraint failed"),
        stored_upload(uploaded, checked, folder="revisions") as name,
        transaction.atomic(),
    ):
        raise ValueError("constraint failed")

    assert not _stored_path(settings, name).exists()


def test_a_failed_clean_up_does_not_hide_the_original_error(settings, tmp_path, monkeypatch, caplog):
    settings.MEDIA_ROOT = tmp_path
    uploaded = upload("procedure.pdf", pdf_bytes())
    checked = inspect_upload(uploaded)

    def storage_down(name):
        raise OSError("storage unavailable")

    monkeypatch.setattr(default_storage, "delete", storage_down)
    with pytest.raises(ValueError, match="the real error"), stored_upload(uploaded, checked, folder="revisions"):
        raise ValueError("the real error")
    assert "left as an orphan" in caplog.text


def test_content_disposition_for_a_hostile_name_is_one_safe_header_line():
    hostile = 'say "hi"\r\nSet-Cookie: a=b; Grüße 日本.pdf'

    header = content_disposition(hostile)

    assert header.isascii()
    assert not any(char in header for char in "\r\n\x00")
    fallback = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~-]+)', header)
    assert fallback is not None
    assert unquote(fallback.group(2), errors="strict") == safe_display_name(hostile)
    assert fallback.group(1) == "say _hi_Set-Cookie: a=b; Gru_e __.pdf"


def test_content_disposition_keeps_a_plain_name_and_transliterates_accents():
    assert content_disposition("SOP-0007 rev 3.pdf", inline=True) == (
        "inline; filename=\"SOP-0007 rev 3.pdf\"; filename*=UTF-8''SOP-0007%20rev%203.pdf"
    )
    assert content_disposition("Qualitätshandbuch.pdf").startswith('attachment; filename="Qualitatshandbuch.pdf"')


def test_digest_header_is_the_base64_of_the_raw_sha256():
    content = pdf_bytes()
    checked = inspect_upload(upload("procedure.pdf", content))
    assert digest_header(checked.sha256) == "sha-256=" + base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert digest_header(hashlib.sha256(b"").hexdigest()) == "sha-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


# --- Every view that serves an uploaded file ------------------------------------------------------------------------

_HOSTILE_NAME = 'evil "name"\r\nX-Injected: 1 <script>.txt'


@pytest.fixture
def served_uploads(settings, tmp_path, quality_manager, auditor, employee):
    """One uploaded file of each kind of record, through the real services, under a hostile name; and the browser and
    API addresses that serve each."""
    from datetime import timedelta

    from django.utils import timezone

    from audits import services as audits
    from capa import services as capa_services
    from capa.models import Capa
    from documents import services as documents
    from documents.models import DocumentType
    from improvement import services as improvement
    from qms.models import Clause
    from tests.capa.conftest import analyse, in_days, plan_action

    settings.MEDIA_ROOT = tmp_path

    def text():
        return upload(_HOSTILE_NAME, b"Line 1 was cleaned.\n", content_type="text/html")

    document = documents.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Cleaning",
        owner=employee,
        department=employee.department,
        distribution_departments=[employee.department],
    )
    revision = documents.revision_create(actor=employee, document=document, file=text(), change_summary="First")

    start = timezone.localdate() + timedelta(days=1)
    audit = audits.audit_create(
        actor=quality_manager,
        title="Production control",
        scope="Line 1",
        clauses=Clause.objects.filter(number__in=["8.5.1"]),
        lead_auditor=auditor,
        auditees=[employee],
        department=employee.department,
        planned_start=start,
        planned_end=start + timedelta(days=1),
    )
    audit = audits.audit_start(actor=auditor, audit=audit)
    evidence = audits.evidence_add(actor=auditor, item=audit.checklist_items.first(), file=text())

    capa = capa_services.capa_create(
        actor=quality_manager,
        title="Rejected bottles",
        source=Capa.Source.INTERNAL,
        problem="Pallet 14 stood in the released area.",
        owner=employee,
        due_date=in_days(60),
        department=employee.department,
    )
    capa = analyse(capa, employee)
    action = plan_action(capa, employee, employee)
    capa_services.capa_advance(actor=employee, capa=capa, to=Capa.Status.IMPLEMENTING)
    action = capa_services.action_complete(actor=employee, action=action, evidence="Done", files=[text()])
    action_file = action.evidence_files.get()

    idea = improvement.idea_submit(
        actor=employee,
        title="Red labels",
        problem="Mix-ups.",
        proposal="Red paper.",
        category="quality",
        files=[text()],
    )
    attachment = idea.attachments.get()

    return {
        "revision": f"/documents/{document.pk}/revisions/{revision.revision}/file/",
        "revision (API)": f"/api/v1/revisions/{revision.pk}/file/",
        "audit evidence": f"/audits/{audit.pk}/evidence/{evidence.pk}/",
        "audit evidence (API)": f"/api/v1/audit-evidence/{evidence.pk}/download/",
        "CAPA evidence": f"/capa/{capa.pk}/evidence/{action_file.pk}/",
        "CAPA evidence (API)": f"/api/v1/capa-actions/{action.pk}/files/{action_file.pk}/",
        "idea attachment": f"/improvement/ideas/{idea.pk}/attachments/{attachment.pk}/",
        "idea attachment (API)": f"/api/v1/ideas/{idea.pk}/attachments/{attachment.pk}/",
    }


@pytest.mark.django_db
def test_every_view_that_serves_an_upload_sends_it_as_an_attachment_that_is_never_sniffed(
    client, served_uploads, quality_manager
):
    from qms.models import User

    client.force_login(User.objects.get(pk=quality_manager.pk))
    for kind, path in served_uploads.items():
        response = client.get(path)
        assert response.status_code == 200, kind
        assert b"".join(response.streaming_content) == b"Line 1 was cleaned.\n", kind
        # Judged by content, so never the text/html the client claimed.
        assert response["Content-Type"].startswith("text/plain"), kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        disposition = response["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="[ -~]*"; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+', disposition), kind
        assert "\r" not in disposition and "\n" not in disposition, kind


@pytest.mark.django_db
def test_no_view_serves_an_upload_to_someone_without_a_role_or_signed_out(client, served_uploads, outsider):
    from qms.models import User

    for kind, path in served_uploads.items():
        assert client.get(path).status_code in {302, 401, 403}, kind
    client.force_login(User.objects.get(pk=outsider.pk))
    for kind, path in served_uploads.items():
        assert client.get(path).status_code in {403, 404}, kind
