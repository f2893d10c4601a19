"""Races on PostgreSQL: two approvals at once, two numbers at once. Real threads, real row locks."""

import threading

import pytest
from django.db import close_old_connections, connection

from documents import services
from documents.models import Document, Revision
from tests.conftest import PASSWORD
from tests.documents.conftest import text_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_approvals_racing_give_one_effective_revision(document, employee, approver, second_approver):
    draft = services.revision_create(actor=employee, document=document, file=text_file(), change_summary="1")
    services.revision_submit(actor=employee, revision=draft, approvers=[approver, second_approver])
    errors = _run_together(
        lambda: services.revision_approve(actor=approver, revision=draft, password=PASSWORD),
        lambda: services.revision_approve(actor=second_approver, revision=draft, password=PASSWORD),
    )
    assert errors == []
    draft.refresh_from_db()
    assert draft.status == Revision.Status.EFFECTIVE
    assert draft.approvals.filter(decision="approved").count() == 2
    assert Revision.objects.filter(document=document, status="effective").count() == 1


def test_two_documents_registered_at_once_get_different_numbers(quality_manager, employee, sop_type):
    errors = _run_together(
        *[
            lambda: services.document_create(actor=quality_manager, document_type=sop_type, title="t", owner=employee)
            for _ in range(4)
        ]
    )
    assert errors == []
    numbers = list(Document.objects.values_list("number", flat=True))
    assert sorted(numbers) == ["SOP-0001", "SOP-0002", "SOP-0003", "SOP-0004"]


def test_the_database_refuses_a_second_effective_revision(effective, employee, approver):
    from django.db import IntegrityError, transaction

    second = services.revision_create(
        actor=employee, document=effective.document, file=text_file("# 2\n"), change_summary="2"
    )
    second.status = Revision.Status.EFFECTIVE
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
