"""Checking and storing uploaded files: document revisions, audit evidence, CAPA evidence.

A file is judged by its content, never by its name or the content type the browser sent, and it is stored under a
name we generate, never the client's. Intended use, in a view or service:

    checked = inspect_upload(request.FILES["file"])
    with stored_upload(request.FILES["file"], checked, folder="revisions") as name, transaction.atomic():
        ...create the row that points at `name`...

A file that `qms.upload_limits` stopped while it arrived reaches the view as a `RefusedUpload`, and `inspect_upload`
raises its reason like any other refusal, so every form and endpoint that takes files shows it the same way.

If the block raises, the transaction rolls back first and then `stored_upload` deletes the file, so a failed save
leaves no orphan on disk. (Django has no on-rollback hook; leaving the context manager by an exception is the
moment we know.) The block must hold the whole transaction: if an outer `atomic()` rolls back after the block has
finished, the file stays behind.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import io
import logging
import os
import re
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from qms.errors import DomainError

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
MARKDOWN = "text/markdown"
PLAIN_TEXT = "text/plain"
CSV = "text/csv"


@dataclass(frozen=True)
class AllowedType:
    """A kind of file we accept. The first extension is the one we store it under; the others are spellings that
    clients also use (for a file picker's `accept` list, and to tell text kinds apart)."""

    content_type: str
    label: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        return self.extensions[0]


ALLOWED_TYPES: dict[str, AllowedType] = {
    allowed.content_type: allowed
    for allowed in (
        AllowedType(PDF, "PDF", (".pdf",)),
        AllowedType(DOCX, "Word (.docx)", (".docx",)),
        AllowedType(XLSX, "Excel (.xlsx)", (".xlsx",)),
        AllowedType(ODT, "OpenDocument text (.odt)", (".odt",)),
        AllowedType(ODS, "OpenDocument spreadsheet (.ods)", (".ods",)),
        AllowedType(PNG, "PNG", (".png",)),
        AllowedType(JPEG, "JPEG", (".jpg", ".jpeg")),
        AllowedType(GIF, "GIF", (".gif",)),
        AllowedType(WEBP, "WebP", (".webp",)),
        AllowedType(MARKDOWN, "Markdown", (".md", ".markdown")),
        AllowedType(PLAIN_TEXT, "plain text", (".txt", ".text")),
        AllowedType(CSV, "CSV", (".csv",)),
    )
}

# Kinds with a signature that `filetype` recognises on its own; the ZIP-based kinds are told apart by their members.
_SIGNATURE_TYPES = {PDF, PNG, JPEG, GIF, WEBP}
_TEXT_TYPES = (MARKDOWN, CSV, PLAIN_TEXT)
_ZIP_SIGNATURE = b"PK\x03\x04"
# `filetype` looks at no more than this much of the head of a file.
_HEAD_SIZE = 8192
# What zipfile raises on archives that are damaged, encrypted or use a compression method it lacks.
_BROKEN_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, zlib.error)
_MEGABYTE = 1024 * 1024
MAX_DISPLAY_NAME_LENGTH = 200
# A longer "extension" is part of the name (say "minutes.of the meeting on the 3rd of March"), not a file type.
_MAX_EXTENSION_LENGTH = 16

# Limits on the ZIP inside Office and OpenDocument files, checked on the archive's directory before any member is
# unpacked: a few kilobytes of ZIP can unpack to gigabytes (a "ZIP bomb"). Real documents stay far below them: a
# thousand-page Word file has a few hundred members and unpacks to tens of megabytes.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNPACKED_SIZE = 200 * _MEGABYTE
# Unpacked size over packed size, as Apache POI's ZipSecureFile allows (1%). Only members, and archives, that unpack
# to more than `_ZIP_RATIO_FROM_SIZE` are held to it: small repetitive XML (styles, settings) packs far better and is
# harmless.
MAX_ZIP_RATIO = 100
_ZIP_RATIO_FROM_SIZE = _MEGABYTE

# Text that starts as a markup document is refused whatever its name: opened by a browser or a viewer that ignores our
# headers, HTML and SVG run their scripts and XML fetches what its entities name. Markdown may carry inline HTML
# further on, so only the start counts, after the blanks and comments that browsers also skip when they sniff.
_MARKUP_STARTS = ("<!doctype", "<?xml", "<html", "<head", "<body", "<script", "<svg")
_LEADING_BLANKS_AND_COMMENTS = re.compile(r"(?:\s|<!--.*?-->)*", re.DOTALL)


class UploadError(DomainError):
    """An uploaded file was refused; the message says why, for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class RefusedUpload(UploadedFile):
    """Stands in request.FILES for a file that `qms.upload_limits` stopped while it arrived: the name the client sent,
    the bytes that arrived, no content, and the reason. `inspect_upload` raises the reason; so does reading it, so code
    that forgot to inspect a file cannot store an empty one in its place."""

    def __init__(self, *, name: str, content_type: str, size: int, reason: str) -> None:
        super().__init__(_Unreadable(reason), name=name, content_type=content_type, size=size)
        self.reason = reason


class _Unreadable(io.BytesIO):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self._reason = reason

    def read(self, size: int | None = -1, /) -> bytes:
        raise UploadError(self._reason)


def file_too_large(limit: int) -> str:
    return f"The file is larger than the {_megabytes(limit)} limit."


def upload_too_large(limit: int) -> str:
    return f"The upload is larger than the {_megabytes(limit)} limit, counting all its files together."


@dataclass(frozen=True)
class CheckedUpload:
    """What `inspect_upload` learnt about a file: its digest and size, its kind by content, and a name fit to show."""

    sha256: str
    size: int
    content_type: str
    extension: str
    original_name: str


def inspect_upload(uploaded: UploadedFile, *, max_size: int | None = None) -> CheckedUpload:
    """Read the file once, in chunks, and judge it by its content; raise UploadError when it is refused."""
    if isinstance(uploaded, RefusedUpload):
        raise UploadError(uploaded.reason)
    limit = settings.MAX_UPLOAD_SIZE if max_size is None else max_size
    digest = hashlib.sha256()
    size = 0
    head = b""
    text_decoder = codecs.getincrementaldecoder("utf-8")()
    is_text = True
    for chunk in uploaded.chunks():
        size += len(chunk)
        if size > limit:
            raise UploadError(file_too_large(limit))
        digest.update(chunk)
        if len(head) < _HEAD_SIZE:
            head += chunk[: _HEAD_SIZE - len(head)]
        if is_text:
            is_text = _still_text(text_decoder, chunk, final=False)
    if size == 0:
        raise UploadError("The file is empty.")
    is_text = is_text and _still_text(text_decoder, b"", final=True)
    allowed = _detect_type(uploaded, head, is_text=is_text)
    uploaded.seek(0)
    return CheckedUpload(
        sha256=digest.hexdigest(),
        size=size,
        content_type=allowed.content_type,
        extension=allowed.extension,
        original_name=_offered_name(uploaded.name or "", allowed),
    )


def _still_text(decoder: codecs.IncrementalDecoder, chunk: bytes, *, final: bool) -> bool:
    """Whether the bytes so far are UTF-8 without NULs (a UTF-8 byte order mark decodes fine)."""
    if b"\x00" in chunk:
        return False
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _detect_type(uploaded: UploadedFile, head: bytes, *, is_text: bool) -> AllowedType:
    if head.startswith(_ZIP_SIGNATURE):
        zipped = _zipped_document_type(uploaded)
        if zipped is None:
            raise UploadError(_refusal("a ZIP archive that is not a Word, Excel or OpenDocument file"))
        return ALLOWED_TYPES[zipped]
    guessed = filetype.guess(head)
    if guessed is not None and guessed.mime in _SIGNATURE_TYPES:
        return ALLOWED_TYPES[guessed.mime]
    # Text wins over an unaccepted signature: some signatures are two printable letters ("BM" is a bitmap), so a
    # CSV whose first cell is "BMW" would otherwise be refused. Executables and media are, in practice, never
    # NUL-free UTF-8.
    if is_text:
        if _starts_as_markup(head):
            raise UploadError(_refusal("HTML, SVG or XML markup"))
        return _text_type(uploaded.name or "")
    detected = f"{guessed.extension} ({guessed.mime})" if guessed is not None else "unrecognised binary data"
    raise UploadError(_refusal(detected))


def _zipped_document_type(uploaded: UploadedFile) -> str | None:
    """Tell OOXML and ODF documents apart by the members they must have; any other ZIP is None.

    This reads only the archive's directory and the few bytes of ODF's `mimetype` member, never the documents.
    """
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            _refuse_zip_bomb(archive.infolist())
            names = set(archive.namelist())
            if "mimetype" in names and "content.xml" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", errors="replace").strip()
                return declared if declared in {ODT, ODS} else None
            if "[Content_Types].xml" not in names:
                return None
            is_word = "word/document.xml" in names
            is_excel = "xl/workbook.xml" in names
            if is_word == is_excel:
                return None
            return DOCX if is_word else XLSX
    except _BROKEN_ZIP_ERRORS:
        logger.info("Refused an upload that starts like a ZIP but cannot be read as one", exc_info=True)
        return None


def _refuse_zip_bomb(members: list[zipfile.ZipInfo]) -> None:
    """Judge the sizes the archive declares; zipfile never unpacks more than a member declares (a member that holds
    more fails its CRC check), so the declarations bound what reading it can cost."""
    if len(members) > MAX_ZIP_ENTRIES:
        _zip_bomb(f"it has {len(members):,} entries, more than {MAX_ZIP_ENTRIES:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_ZIP_UNPACKED_SIZE:
        _zip_bomb(f"it unpacks to {_megabytes(unpacked)}, more than {_megabytes(MAX_ZIP_UNPACKED_SIZE)}")
    for member in members:
        if member.file_size > _ZIP_RATIO_FROM_SIZE and member.file_size > MAX_ZIP_RATIO * member.compress_size:
            ratio = member.file_size // max(member.compress_size, 1)
            _zip_bomb(f"one of its parts unpacks to {ratio:,} times its packed size, more than {MAX_ZIP_RATIO}")
    packed = sum(member.compress_size for member in members)
    if unpacked > _ZIP_RATIO_FROM_SIZE and unpacked > MAX_ZIP_RATIO * packed:
        _zip_bomb(f"it unpacks to {unpacked // max(packed, 1):,} times its packed size, more than {MAX_ZIP_RATIO}")


def _zip_bomb(reason: str) -> NoReturn:
    raise UploadError(f"This file looks like a ZIP bomb: {reason}. Save it again from its program, or send it as PDF.")


def _starts_as_markup(head: bytes) -> bool:
    # The head may end in the middle of a character; what is cut off does not matter here.
    text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    return _LEADING_BLANKS_AND_COMMENTS.sub("", text, count=1).lower().startswith(_MARKUP_STARTS)


def _text_type(client_name: str) -> AllowedType:
    """Text has no signature; the client's extension only chooses which text kind it is."""
    extension = os.path.splitext(client_name)[1].lower()
    for content_type in _TEXT_TYPES:
        if extension in ALLOWED_TYPES[content_type].extensions:
            return ALLOWED_TYPES[content_type]
    return ALLOWED_TYPES[PLAIN_TEXT]


def _offered_name(client_name: str, allowed: AllowedType) -> str:
    """The client's name, made safe, with an extension of the kind its content is, as the API's downloads name files.
    The name is offered again on download: "run.bat" that holds text comes back as "run.txt", which opens in an
    editor, not a shell."""
    name = safe_display_name(client_name)
    stem, extension = os.path.splitext(name)
    if extension.lower() in allowed.extensions:
        return name
    if len(extension) > _MAX_EXTENSION_LENGTH:
        stem = name
    return safe_display_name(stem + allowed.extension)


def _refusal(detected: str) -> str:
    accepted = ", ".join(allowed.label for allowed in ALLOWED_TYPES.values())
    return f"This file's content is {detected}, which is not accepted. Accepted kinds: {accepted}."


def _megabytes(size: int) -> str:
    return f"{size / _MEGABYTE:.1f}".removesuffix(".0") + " MB"


def safe_display_name(name: str) -> str:
    """The client's file name made fit to show and to offer on download: no folders, no control characters, no
    leading dots, at most 200 characters (keeping the extension); "file" when nothing is left."""
    # Format characters include the right-to-left override, which makes "invoice\u202efdp.exe" read as a PDF.
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf"})
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(". ")
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        if len(extension) > _MAX_EXTENSION_LENGTH:
            stem, extension = name, ""
        name = stem[: MAX_DISPLAY_NAME_LENGTH - len(extension)] + extension
    return name or "file"


def store_upload(uploaded: UploadedFile, checked: CheckedUpload, *, folder: str) -> str:
    """Save the file in the default storage under a generated name, and return that name.

    With the file system storage, a large upload's temporary file is moved, not copied: read it back from the
    storage afterwards, not from `uploaded`.
    """
    now = timezone.now()
    name = f"{folder.strip('/')}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{checked.extension}"
    uploaded.seek(0)
    return default_storage.save(name, uploaded)


@contextmanager
def stored_upload(uploaded: UploadedFile, checked: CheckedUpload, *, folder: str) -> Iterator[str]:
    """Store the file and yield its name; delete it again if an exception leaves the block (see the module doc)."""
    name = store_upload(uploaded, checked, folder=folder)
    try:
        yield name
    except BaseException:
        delete_quietly(name)
        raise


def delete_quietly(name: str) -> None:
    # A failed clean-up (a storage outage) must not hide the error that caused it; an orphan file is the lesser harm.
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("Could not delete %s after a failed save; it is left as an orphan", name)


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value that is safe for any name: an ASCII `filename` for old clients, and the exact
    name as RFC 5987 `filename*`.

    Django's `content_disposition_header` sends either one or the other, never both, so it is not used here.
    """
    name = safe_display_name(filename)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii_fallback(name: str) -> str:
    # Decomposing first keeps the letter of an accented one ("é" becomes "e" and a combining accent, dropped).
    decomposed = (char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    return "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in decomposed)


def digest_header(sha256_hex: str) -> str:
    """The RFC 3230 `Digest` header value for a SHA-256 given in hex, as the API contract asks."""
    return "sha-256=" + base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
