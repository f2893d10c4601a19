"""CI runs the suite on PostgreSQL: this guard fails there if the run ever falls back to SQLite."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_suite_runs_on_postgresql_13_or_newer():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 130000


def test_the_signature_digest_constraint_is_enforced_by_postgresql(quality_manager):
    from django.contrib.contenttypes.models import ContentType
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from qms.models import Signature

    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            signer=quality_manager,
            signer_name="x",
            signed_at=timezone.now(),
            meaning="approved",
            content_sha256="ABC",
            content_type=ContentType.objects.get_for_model(quality_manager),
            object_id=quality_manager.pk,
        )
