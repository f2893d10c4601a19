"""Electronic signatures: the password is checked again; a wrong one writes nothing and is logged and throttled."""

import pytest
from django.db import transaction

from qms.models import Department, Signature, SignatureFailure
from qms.signatures import (
    SignatureError,
    VerifiedSigner,
    record_signature,
    sha256_of_text,
    signatures_for,
    verify_signer,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return Department.objects.create(name="Signed thing", code="SIGN")


def _sign(user, record, password):
    signer = verify_signer(user=user, password=password, meaning=Signature.Meaning.APPROVED, record=record)
    with transaction.atomic():
        return record_signature(
            signer, meaning=Signature.Meaning.APPROVED, record=record, content_sha256=sha256_of_text("content v1")
        )


def test_a_signature_records_who_when_meaning_and_digest(quality_manager, record):
    signature = _sign(quality_manager, record, PASSWORD)
    assert signature.signer == quality_manager
    assert signature.signer_name == "Helen Carter"
    assert signature.meaning == "approved"
    assert signature.content_sha256 == sha256_of_text("content v1")
    assert signature.signed_at.utcoffset().total_seconds() == 0
    assert list(signatures_for(record)) == [signature]


def test_a_wrong_password_signs_nothing_and_is_logged(quality_manager, record, caplog):
    with pytest.raises(SignatureError, match=r"The password is not correct\. Nothing was signed\."):
        _sign(quality_manager, record, "guess")
    assert Signature.objects.count() == 0
    failure = SignatureFailure.objects.get()
    assert failure.user == quality_manager
    assert failure.record_label == "Signed thing"
    assert "wrong password" in caplog.text


def test_repeated_wrong_passwords_lock_signing_even_with_the_right_one(quality_manager, record, settings):
    for _ in range(settings.SIGNATURE_FAILURE_LIMIT):
        with pytest.raises(SignatureError):
            _sign(quality_manager, record, "guess")
    with pytest.raises(SignatureError, match="Too many wrong passwords"):
        _sign(quality_manager, record, PASSWORD)
    assert Signature.objects.count() == 0


def test_a_signature_cannot_be_recorded_without_a_verified_signer(quality_manager, record):
    with pytest.raises(TypeError):
        record_signature(quality_manager, meaning="approved", record=record, content_sha256="0" * 64)


def test_an_inactive_account_cannot_sign(quality_manager, record):
    quality_manager.is_active = False
    quality_manager.save()
    with pytest.raises(SignatureError, match="inactive"):
        _sign(quality_manager, record, PASSWORD)


def test_the_database_refuses_a_digest_that_is_not_sha256(quality_manager, record):
    from django.db import IntegrityError
    from django.utils import timezone

    signer = VerifiedSigner(user=quality_manager, verified_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        record_signature(signer, meaning="approved", record=record, content_sha256="not-a-digest")


def test_signature_errors_become_a_400_on_the_password_field():
    from qms.api.exceptions import exception_handler

    response = exception_handler(SignatureError("The password is not correct. Nothing was signed."), {})
    assert response.status_code == 400
    assert response.data == {"password": ["The password is not correct. Nothing was signed."]}
