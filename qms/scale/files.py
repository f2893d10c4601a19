"""A pool of small but real files (PDF, Word, text, Markdown) that the seeded revisions point at.

Hundreds of thousands of revisions cannot each get a file of their own in minutes, and benchmarks do not need them
to: they need every file a row names to exist, to open, and to match the row's digest, size and type. The pool is
written once through the default storage (production may use S3, so never a disk path) under names made from the
content's digest, so running the seed again finds the same files and writes nothing.

The PDFs are written by hand rather than by `qms.pdf.render_pdf`: WeasyPrint takes a tenth of a second or more per
file, which would be most of a small seed's time, and a one-page PDF with a text stream is a few lines of syntax.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from qms.scale.vocabulary import Vocabulary
from qms.uploads import DOCX, MARKDOWN, PDF, PLAIN_TEXT

POOL_FOLDER = "revisions/scale-pool"
# Kind, share of the pool, and the name the client is pretended to have sent.
_KINDS = ((PDF, 0.6, "pdf"), (DOCX, 0.2, "docx"), (PLAIN_TEXT, 0.13, "txt"), (MARKDOWN, 0.07, "md"))


@dataclass(frozen=True)
class PoolFile:
    """One stored file and the facts a revision row repeats about it."""

    name: str
    original_filename: str
    sha256: str
    size: int
    content_type: str


def build_pool(size: int, *, seed: int = 0) -> list[PoolFile]:
    """Make (or find again) `size` files in the default storage. The pool depends on `seed` and `size` only, never
    on the data seed, so a second run with another `--seed` reuses the files of the first."""
    rng = random.Random(f"scale-pool-{seed}")  # noqa: S311 - repeatable made-up content, not secrets
    vocabulary = Vocabulary(rng)
    pool: list[PoolFile] = []
    for index in range(size):
        content_type, extension = _kind_for(index / max(size, 1))
        topic = vocabulary.topic()
        title = vocabulary.title(topic)
        lines = [title, "", *vocabulary.text(rng.randint(6, 14), topic).split("\n")]
        content = _render(content_type, lines)
        digest = hashlib.sha256(content).hexdigest()
        name = f"{POOL_FOLDER}/{digest[:32]}.{extension}"
        if not default_storage.exists(name):
            stored = default_storage.save(name, ContentFile(content))
            if stored != name:  # a storage that renames would break the digest-named reuse; say so loudly
                raise RuntimeError(f"The storage saved {name} as {stored}.")
        slug = "-".join(title.lower().split()[:5])
        pool.append(
            PoolFile(
                name=name,
                original_filename=f"{slug}.{extension}",
                sha256=digest,
                size=len(content),
                content_type=content_type,
            )
        )
    return pool


def _kind_for(position: float) -> tuple[str, str]:
    threshold = 0.0
    for content_type, share, extension in _KINDS:
        threshold += share
        if position < threshold:
            return content_type, extension
    return _KINDS[0][0], _KINDS[0][2]


def _render(content_type: str, lines: list[str]) -> bytes:
    if content_type == PDF:
        return minimal_pdf(lines)
    if content_type == DOCX:
        return minimal_docx(lines)
    if content_type == MARKDOWN:
        return ("# " + lines[0] + "\n" + "\n".join(lines[1:]) + "\n").encode()
    return ("\n".join(lines) + "\n").encode()


def minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF showing `lines` in Helvetica, with a correct cross-reference table."""
    text_ops = ["BT", "/F1 11 Tf", "14 TL", "56 790 Td"]
    for line in lines:
        for part in _wrap(line, 90) or [""]:
            escaped = part.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            text_ops.append(f"({escaped}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _wrap(line: str, width: int) -> list[str]:
    words, lines, current = line.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def minimal_docx(lines: list[str]) -> bytes:
    """A valid Word document: the three parts Word needs, one paragraph per line. The ZIP's timestamps are fixed so
    the same text always gives the same bytes (and so the same digest-named file)."""
    paragraphs = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines)
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return out.getvalue()
