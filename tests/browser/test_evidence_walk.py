"""Browser: an external auditor asks for an evidence pack, downloads the ZIP and checks it on the verify page.

The pack is built by the in-process worker while the request that asked for it commits, so the list shows it ready
at once; the download is the ZIP itself (its manifest lists the SOP in force), recorded in the pack's history, and
the verify page says the downloaded copy is intact. Screenshots go to test-results/.
"""

import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from documents import services as document_services
from documents.models import DocumentType
from qms.evidence.models import EvidencePack
from qms.models import Clause
from tests.browser.test_login_dashboard import SCREENSHOTS, _sign_in
from tests.conftest import PASSWORD
from tests.documents.conftest import make_effective, text_file
from tests.qms.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sop(quality_manager, employee):
    approver = UserFactory(username="approver.walk", password=PASSWORD, roles=["employee"])
    document = document_services.document_create(
        actor=quality_manager,
        document_type=DocumentType.objects.get(code="SOP"),
        title="Control of monitoring equipment",
        owner=employee,
        clauses=[Clause.objects.get(number="7.1.5")],
    )
    revision = document_services.revision_create(
        actor=employee, document=document, file=text_file("# Calibration\n"), change_summary="First issue"
    )
    make_effective(revision, approver)
    return document


def test_an_external_auditor_exports_downloads_and_verifies_a_pack(
    page: Page, live_server, external_auditor, sop, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    _sign_in(page, live_server, external_auditor.username)
    page.goto(f"{live_server.url}/evidence-packs/")
    expect(page.get_by_role("heading", name="Evidence packs", level=1)).to_be_visible()
    expect(page.get_by_text("No evidence packs yet.")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "evidence-empty.png", full_page=True)

    page.get_by_role("button", name="Build the pack").click()
    row = page.locator("tr", has_text="#")
    expect(row.get_by_role("status")).to_have_text("Ready", timeout=30_000)
    page.screenshot(path=SCREENSHOTS / "evidence-ready.png", full_page=True)

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.startswith("evidence-pack-") and download.suggested_filename.endswith(".zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert any(entry["source"] == f"{sop.number} rev 1" for entry in manifest["files"])
    pack = EvidencePack.objects.get()
    assert pack.downloads == 1 and pack.created_by == external_auditor

    page.get_by_role("link", name="Check a pack you were given").click()
    page.get_by_label("Evidence pack (ZIP)").set_input_files(saved)
    page.get_by_label("Expected manifest SHA-256").fill(pack.manifest_sha256)
    page.get_by_role("button", name="Check the pack").click()
    expect(page.get_by_role("status")).to_contain_text("Intact")
    page.screenshot(path=SCREENSHOTS / "evidence-verified.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/evidence-packs/")
    page.screenshot(path=SCREENSHOTS / "evidence-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, "the page scrolls sideways on a phone"
