"""The upload limit, enforced while the body arrives (qms/upload_limits.py).

Every request here goes through the real test client to a real view, with a real multipart body. The body is
generated as the server reads it, so even the 64 MB ones are never built in memory, by the test or by the server.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from documents import services as document_services
from documents.models import Document, DocumentType, Revision
from improvement.models import Idea
from qms.models import User
from qms.upload_limits import FORM_FIELDS_ALLOWANCE
from qms.uploads import RefusedUpload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "qms-test-boundary-7MA4YWxkTrZu0gW"


class StreamedMultipart:
    """A multipart/form-data body produced as it is read: the fields in the order given, and each file as `size`
    bytes of "x" (valid text, so a file under the limit is accepted by content)."""

    def __init__(self, *parts: tuple[str, str] | tuple[str, str, int]) -> None:
        self._pieces: list[bytes | int] = []
        for part in parts:
            if len(part) == 2:
                name, value = part
                header = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                self._pieces.append(header.encode() + value.encode() + b"\r\n")
            else:
                name, filename, size = part
                header = (
                    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: text/plain\r\n\r\n"
                )
                self._pieces += [header.encode(), size, b"\r\n"]
        self._pieces.append(f"--{BOUNDARY}--\r\n".encode())
        self.length = sum(piece if isinstance(piece, int) else len(piece) for piece in self._pieces)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        wanted = self.length - self.bytes_read if size < 0 else size
        out = bytearray()
        while len(out) < wanted and self._pieces:
            piece, missing = self._pieces[0], wanted - len(out)
            if isinstance(piece, int):
                taken = min(piece, missing)
                out += b"x" * taken
                rest: bytes | int = piece - taken
            else:
                out += piece[:missing]
                rest = piece[missing:]
            if rest:
                self._pieces[0] = rest
            else:
                self._pieces.pop(0)
        self.bytes_read += len(out)
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        # WSGI input must have it; the multipart parser never calls it, so byte by byte is fast enough.
        line = b""
        while not line.endswith(b"\n") and (size < 0 or len(line) < size) and (byte := self.read(1)):
            line += byte
        return line


def post_streamed(client: Client, path: str, body: StreamedMultipart) -> Any:
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )


@pytest.fixture(autouse=True)
def _small_limit(settings: Any, tmp_path: Path) -> None:
    """A 1 MB limit, so a file just over it is quick to send; media and Django's temporary files in tmp_path."""
    settings.MAX_UPLOAD_SIZE = 1 * MB
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploading")
    (tmp_path / "uploading").mkdir()


@pytest.fixture
def document(quality_manager: Any, employee: Any) -> Document:
    return document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Cleaning the filling line",
        owner=employee,
        department=employee.department,
        distribution_departments=[employee.department],
    )


def browser_with_csrf(user: Any, form_path: str) -> tuple[Client, str]:
    """A signed-in browser that CSRF checks apply to, and the token its form page gave it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(pk=user.pk))
    assert client.get(form_path).status_code == 200
    return client, client.cookies["csrftoken"].value


def test_a_form_upload_whose_request_is_over_the_limit_is_never_stored_and_the_form_says_why(
    document, employee, settings, tmp_path
):
    # Django's temporary files would go to a folder that does not exist: storing any byte would raise, not pass.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "no such folder")
    path = f"/documents/{document.pk}/upload/"
    client, token = browser_with_csrf(employee, path)
    body = StreamedMultipart(
        ("csrfmiddlewaretoken", token), ("change_summary", "First issue"), ("file", "huge.txt", 64 * MB)
    )

    tracemalloc.start()
    try:
        response = post_streamed(client, path, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 400
    assert "The upload is larger than the 1 MB limit, counting all its files together." in response.text
    assert "First issue" in response.text  # the other fields, the CSRF token among them, still arrived
    assert peak < 8 * MB
    assert body.bytes_read == body.length  # read to the end and dropped: the connection is left clean
    assert not Revision.objects.exists()


def test_a_file_that_passes_the_limit_as_it_arrives_stops_being_stored_and_its_partial_copy_is_deleted(
    document, employee, settings, tmp_path
):
    # Within the request allowance, so only the count of the file's own bytes can stop it; on disk from the start.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    size = 1 * MB + FORM_FIELDS_ALLOWANCE // 2
    path = f"/documents/{document.pk}/upload/"
    client, token = browser_with_csrf(employee, path)
    body = StreamedMultipart(
        ("csrfmiddlewaretoken", token), ("change_summary", "First issue"), ("file", "big.txt", size)
    )

    response = post_streamed(client, path, body)

    assert response.status_code == 400
    assert "The file is larger than the 1 MB limit." in response.text
    refused = response.wsgi_request.FILES["file"]
    assert isinstance(refused, RefusedUpload)
    assert (refused.name, refused.size) == ("big.txt", size)
    # The request is still referenced (by the response), and with it Django's handler that wrote the first megabyte:
    # the folder is empty because that copy was deleted when the limit was passed, not because it was collected.
    assert list((tmp_path / "uploading").iterdir()) == []
    assert not Revision.objects.exists()


def test_a_file_within_the_limit_is_stored_whole(document, employee, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    path = f"/documents/{document.pk}/upload/"
    client, token = browser_with_csrf(employee, path)
    body = StreamedMultipart(("csrfmiddlewaretoken", token), ("change_summary", "First issue"), ("file", "sop.txt", MB))

    response = post_streamed(client, path, body)

    assert response.status_code == 302
    revision = Revision.objects.get()
    assert (revision.file.size, revision.original_filename) == (MB, "sop.txt")


def test_the_api_answers_400_naming_the_file_field(document, employee):
    client = APIClient()
    client.force_authenticate(employee)
    body = StreamedMultipart(("change_summary", "First issue"), ("file", "huge.txt", 64 * MB))

    response = post_streamed(client, f"/api/v1/documents/{document.pk}/revisions/", body)

    assert response.status_code == 400
    assert response.json() == {"file": ["The upload is larger than the 1 MB limit, counting all its files together."]}
    assert body.bytes_read == body.length
    assert not Revision.objects.exists()


def test_the_api_names_the_files_field_of_an_idea(employee):
    client = APIClient()
    client.force_authenticate(employee)
    body = StreamedMultipart(
        ("title", "Red hold labels"),
        ("problem", "Rejected pallets look like released ones."),
        ("proposal", "Print hold labels on red paper."),
        ("category", "quality"),
        ("files", "photo.txt", 1 * MB + 1),
    )

    response = post_streamed(client, "/api/v1/ideas/", body)

    assert response.status_code == 400
    assert response.json() == {"files": ["The file is larger than the 1 MB limit."]}
    assert not Idea.objects.exists()


def test_an_optional_file_over_the_limit_is_refused_not_silently_left_out(employee):
    # The idea form's files are optional: were the refused file just missing, the idea would be saved without it.
    client, token = browser_with_csrf(employee, "/improvement/ideas/new/")
    body = StreamedMultipart(
        ("csrfmiddlewaretoken", token),
        ("title", "Red hold labels"),
        ("problem", "Rejected pallets look like released ones."),
        ("proposal", "Print hold labels on red paper."),
        ("category", "quality"),
        ("file", "notes.txt", 100),
        ("file", "photo.txt", 1 * MB + 1),
    )

    response = post_streamed(client, "/improvement/ideas/new/", body)

    assert response.status_code == 400
    assert "The file is larger than the 1 MB limit." in response.text
    assert not Idea.objects.exists()


def test_the_evidence_pack_check_takes_files_past_the_general_limit(quality_manager):
    client, token = browser_with_csrf(quality_manager, "/evidence-packs/verify/")
    body = StreamedMultipart(("csrfmiddlewaretoken", token), ("pack", "pack.zip", 2 * MB))

    response = post_streamed(client, "/evidence-packs/verify/", body)

    # It reached the check, which found it is no ZIP; the upload limit did not stop it.
    assert "limit" not in response.text
    assert not isinstance(response.wsgi_request.FILES["pack"], RefusedUpload)
    assert response.wsgi_request.FILES["pack"].size == 2 * MB
