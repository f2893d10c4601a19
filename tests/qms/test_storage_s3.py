"""Uploaded and generated files on S3-compatible storage, as a deployment with several web and worker hosts keeps them.

moto's S3 server runs in a thread on a local port (the edge of the world: a real HTTP S3 API, no AWS account), and
the storage configuration is the one `qms/settings.py` builds from the S3_* variables. Files go in and out through
the product's own paths: the documents service and its permission-checked download, an evidence pack job and its
download; the local media folder stays empty throughout.
"""

from __future__ import annotations

import hashlib
import logging
import runpy
import socket
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from documents import services as document_services
from documents.models import DocumentType, Revision
from qms.evidence import services as evidence_services
from qms.evidence.models import EvidencePack
from qms.evidence.verify import verify_pack
from qms.models import Job
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@dataclass
class Bucket:
    client: Any  # a boto3 S3 client, speaking to the bucket with the app's own credentials
    name: str
    endpoint: str

    def objects(self) -> set[str]:
        return {item["Key"] for item in self.client.list_objects_v2(Bucket=self.name).get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def public_grants(self, key: str) -> list[dict[str, Any]]:
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return [grant for grant in grants if grant["Grantee"].get("URI") == ALL_USERS]

    def anonymous_status(self, url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local http URL built here
                return int(response.status)
        except urllib.error.HTTPError as refused:
            return refused.code


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    access_log = logging.getLogger("werkzeug")  # one line per request otherwise
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        access_log.setLevel(level)


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Bucket:
    """A fresh bucket, and the app's default storage on it as `qms/settings.py` configures it from the environment.
    Setting STORAGES through pytest-django sends `setting_changed`, which makes Django drop its cached storages."""
    name = f"qms-{uuid.uuid4().hex[:12]}"
    variables = {
        "S3_BUCKET": name,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "qms-test-key",
        "S3_SECRET_ACCESS_KEY": "qms-test-secret",  # moto accepts any key
    }
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    production = runpy.run_path(str(Path(django_settings.BASE_DIR) / "qms" / "settings.py"))["STORAGES"]["default"]
    assert production["BACKEND"] == "storages.backends.s3.S3Storage"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=variables["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=variables["S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": production}
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty: nothing is written to local disk
    return Bucket(client=client, name=name, endpoint=s3_endpoint)


def _nothing_on_local_disk() -> bool:
    media = Path(django_settings.MEDIA_ROOT)
    return not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def _downloaded(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)  # the test client closes the response (and the S3 file) at the end


def _document_in_force(quality_manager: Any, employee: Any) -> Revision:
    approver = UserFactory(username="approver.s3", password=PASSWORD, roles=["employee"])
    document = document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Line clearance",
        owner=employee,
    )
    revision = document_services.revision_create(
        actor=employee, document=document, file=text_file("# Clearance\n"), change_summary="First issue"
    )
    return make_effective(revision, approver)


def _pack(actor: Any, capture_on_commit_callbacks: Any) -> tuple[EvidencePack, Job]:
    today = timezone.localdate()
    with capture_on_commit_callbacks(execute=True):  # the job's task runs in-process, after the commit
        pack, job = evidence_services.evidence_pack_request(
            actor=actor, period_start=today - timedelta(days=7), period_end=today
        )
    job.refresh_from_db()
    pack.refresh_from_db()
    return pack, job


def test_the_default_storage_is_the_bucket_with_private_objects_and_signed_urls(bucket: Bucket) -> None:
    assert isinstance(default_storage, S3Storage)
    assert (default_storage.bucket_name, default_storage.default_acl) == (bucket.name, "private")
    assert default_storage.querystring_auth is True
    assert default_storage.file_overwrite is False  # generated names; an existing object is never replaced


def test_a_revision_uploaded_through_the_service_is_a_private_object_and_downloads_intact(
    bucket: Bucket, quality_manager: Any, employee: Any, client: Any
) -> None:
    content = "# Cleaning procedure\n\n1. Stop the line.\n2. Clean the nozzle.\n" * 200
    document = document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Cleaning the filling line",
        owner=employee,
    )
    revision = document_services.revision_create(
        actor=employee, document=document, file=text_file(content), change_summary="First issue"
    )

    key = revision.file.name
    assert key in bucket.objects()
    assert bucket.read(key) == content.encode()
    assert bucket.public_grants(key) == []
    assert bucket.anonymous_status(f"{bucket.endpoint}/{bucket.name}/{key}") == 403
    signed = revision.file.url
    assert "Signature=" in signed
    assert bucket.anonymous_status(signed) == 200  # the presigned URL is the only way in without credentials

    client.force_login(employee)
    body = _downloaded(client.get(reverse("documents:download", args=[document.pk, revision.revision])))
    assert body == content.encode()
    assert hashlib.sha256(body).hexdigest() == revision.sha256
    assert _nothing_on_local_disk()


def test_an_evidence_pack_is_built_from_s3_into_s3_and_verifies_when_downloaded(
    bucket: Bucket,
    quality_manager: Any,
    employee: Any,
    client: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    document = _document_in_force(quality_manager, employee).document
    pack, job = _pack(quality_manager, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.error
    assert {pack.file.name, job.result_file.name} <= bucket.objects()
    assert bucket.public_grants(pack.file.name) == []

    client.force_login(quality_manager)
    zipped = _downloaded(client.get(reverse("evidence:download", args=[pack.pk])))
    assert hashlib.sha256(zipped).hexdigest() == pack.sha256
    copy = tmp_path / "pack.zip"
    copy.write_bytes(zipped)
    report = verify_pack(copy, expected_manifest_sha256=pack.manifest_sha256)
    assert report.ok, report.differences
    with zipfile.ZipFile(copy) as archive:  # the revision was read back from the bucket into the pack
        assert archive.read(f"documents/0001-{document.number}-rev1.md") == b"# Clearance\n"
    manifest = _downloaded(client.get(reverse("job-download", args=[job.pk])))
    assert hashlib.sha256(manifest).hexdigest() == job.result_sha256
    assert _nothing_on_local_disk()

    with django_capture_on_commit_callbacks(execute=True):
        evidence_services.evidence_packs_delete_expired(now=pack.expires_at + timedelta(seconds=1))
    assert pack.file.name not in bucket.objects()


def test_a_revision_missing_from_the_bucket_fails_the_pack_and_names_it(
    bucket: Bucket, quality_manager: Any, employee: Any, django_capture_on_commit_callbacks: Any
) -> None:
    revision = _document_in_force(quality_manager, employee)
    bucket.client.delete_object(Bucket=bucket.name, Key=revision.file.name)

    pack, job = _pack(quality_manager, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.FAILED
    assert job.error == (
        f"The file of {revision.document.number} rev 1 is missing from storage, so the pack would be incomplete."
    )
    assert not pack.file
    assert bucket.objects() == set()  # nothing half-written is left behind
