"""Evidence packs hold the quality objectives (6.2) and the management reviews (9.3) of the period: registers, the
signed review as its report, and both in the clause index."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from qms.evidence import services
from qms.evidence.builder import build_pack
from qms.evidence.models import EvidencePack
from qms.jobs import run_job
from qms.models import Job
from qms.reviews import services as review_services
from tests.conftest import PASSWORD
from tests.objectives.conftest import record, set_objective
from tests.qms.factories import UserFactory
from tests.reviews.conftest import decide, hold, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(db: None) -> Any:
    return UserFactory(username="md", password=PASSWORD, roles=["employee"], job_title="Managing Director")


@pytest.fixture
def member(db: None) -> Any:
    return UserFactory(username="production.manager", roles=["employee"])


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _pack(actor: Any, **extra: Any) -> EvidencePack:
    today = timezone.localdate()
    pack, job = services.evidence_pack_request(
        actor=actor, period_start=today - timedelta(days=90), period_end=today, **extra
    )
    run_job(job.pk, build_pack)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    pack.refresh_from_db()
    return pack


def _register(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"registers/{name}.csv").decode())))


def test_objectives_and_a_signed_review_are_in_the_pack(
    quality_manager: Any, employee: Any, chair: Any, member: Any, external_auditor: Any
) -> None:
    objective = set_objective(quality_manager, employee)
    record(objective, employee, 40, "8", "From the log")
    record(objective, employee, 10, "3", "From the log")
    review = start(quality_manager, chair, member)
    review = hold(review, quality_manager, member)
    decide(review, quality_manager, member)
    review = review_services.review_sign(actor=chair, review=review, password=PASSWORD)

    pack = _pack(external_auditor)
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        [row] = _register(archive, "quality-objectives")
        assert (row["reference"], row["last_value_in_period"], row["target_met"]) == (objective.reference, "3", "yes")
        assert [value["value"] for value in _register(archive, "objective-values")] == ["8", "3"]
        [signed] = _register(archive, "management-reviews")
        assert (signed["reference"], signed["status_now"]) == (review.reference, "signed")
        assert signed["signed_sha256"] == review.signature.content_sha256
        [action] = _register(archive, "review-actions")
        assert action["review"] == review.reference and action["action"] == "A1"
        report = f"management-reviews/0001-{review.reference}-signed.pdf"
        assert archive.read(report)[:5] == b"%PDF-"
        index = archive.read("index.html").decode()
    assert f"Objective {objective.reference}" in index and f"Management review {review.reference}" in index


def test_a_review_still_in_preparation_is_listed_but_not_rendered_nor_shown_to_external_auditors(
    quality_manager: Any, chair: Any, member: Any, external_auditor: Any
) -> None:
    review = start(quality_manager, chair, member, planned_on=timezone.localdate())
    with zipfile.ZipFile(_pack(quality_manager).file.open("rb")) as archive:
        [row] = _register(archive, "management-reviews")
        assert (row["reference"], row["status_now"]) == (review.reference, "preparing")
        assert not [name for name in archive.namelist() if name.startswith("management-reviews/")]
    with zipfile.ZipFile(_pack(external_auditor).file.open("rb")) as archive:
        assert _register(archive, "management-reviews") == []
