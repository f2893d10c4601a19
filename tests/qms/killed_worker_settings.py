"""Settings of the Celery workers that tests/qms/test_worker_killed.py kills: the suite's, with two changes.

The broker's visibility timeout is seconds instead of an hour, so a message left unacknowledged by a worker killed
outright comes back within the test; the app refuses so short a timeout (it must stay above the reports' time limit,
see qms/settings.py), which is why it is set here and not through BROKER_VISIBILITY_TIMEOUT_SECONDS. It is safe for
these tests: their reports render in a few seconds, well inside it. And emails are written to files, one folder shared
by every worker of a test, so the test counts what was sent by the killed process and by its replacement.
"""

import os

from tests.settings import *  # noqa: F403 - the suite's settings, adjusted below

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 6,
    # Look for messages past their timeout every second, not every 100 s (kombu's defaults: 10 s, every 10th look).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # Restoring takes a lock in Redis that lives this long; a worker killed while holding it (it restores every
    # second) would otherwise keep every other worker from restoring for kombu's default of five minutes.
    "unacked_mutex_expire": 2,
}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
