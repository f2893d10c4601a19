"""Fixtures for document control: real files, and documents taken through the real services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Document, DocumentType, Revision
from tests.conftest import PASSWORD
from tests.qms.factories import UserFactory

CLEANING_SOP = "# Cleaning procedure\n\n1. Stop the line.\n2. Clean the nozzle.\n"


def text_file(text: str = CLEANING_SOP, name: str = "sop.md") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sop_type(db: None) -> DocumentType:
    return DocumentType.objects.get(code="SOP")


@pytest.fixture
def approver(db: None) -> Any:
    return UserFactory(
        username="approver.one", password=PASSWORD, roles=["employee"], first_name="Ann", last_name="Approver"
    )


@pytest.fixture
def second_approver(db: None) -> Any:
    return UserFactory(
        username="approver.two", password=PASSWORD, roles=["quality_manager"], first_name="Bo", last_name="Second"
    )


@pytest.fixture
def document(quality_manager: Any, employee: Any, sop_type: DocumentType) -> Document:
    """A registered SOP owned by the employee, read by the employee's department; no revision yet."""
    return services.document_create(
        actor=quality_manager,
        document_type=sop_type,
        title="Cleaning the filling line",
        owner=employee,
        department=employee.department,
        distribution_departments=[employee.department],
    )


@pytest.fixture
def draft(document: Document, employee: Any) -> Revision:
    return services.revision_create(actor=employee, document=document, file=text_file(), change_summary="First issue")


def make_effective(revision: Revision, approver: Any) -> Revision:
    services.revision_submit(actor=revision.author, revision=revision, approvers=[approver])
    return services.revision_approve(actor=approver, revision=revision, password=PASSWORD, comment="Fine")


@pytest.fixture
def effective(draft: Revision, approver: Any) -> Revision:
    return make_effective(draft, approver)
