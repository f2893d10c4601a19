"""Integration: a real Celery worker, started as its own process against Redis, sends a notification email.

The worker shares the test database (the test run's PostgreSQL database, or the SQLite test file) and proves that
tasks are found by autodiscovery, travel through the broker, and commit their work.
"""

import time

import pytest

from qms import services
from qms.models import Notification

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_sends_the_notification_email_through_redis(worker, employee):
    (notification,) = services.notify(
        recipients=[employee],
        kind="generic",
        subject="Hello from the worker",
        context={"message": "via Redis"},
        url="/",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists():
            break
        if worker.poll() is not None:
            pytest.fail("The worker exited early:\n" + worker.stdout.read())
        time.sleep(0.3)
    else:
        worker.terminate()
        pytest.fail("The worker did not send the email within 60 s:\n" + worker.communicate(timeout=15)[0])
