"""Settings for the test suite: the app's own settings, with a throwaway secret key and fast password hashing.

Everything else (the database, the broker) still comes from the environment, so CI runs the same suite on
PostgreSQL and Redis that a developer runs on SQLite.
"""

import os
import re

os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 60)

from qms import settings as _app
from qms.settings import *  # noqa: F403 - these are the app's settings, adjusted below

# Hashing with a low cost keeps the many logins of the suite fast; signature checks still verify real passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Live-server browser tests speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# A file, not memory: the integration test's Celery worker is another process and must see the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so two runs side by side (a developer and an editor's test runner) never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}  # noqa: F405
# Serve static files from the source folders, as in development: the suite does not run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True


def per_worker_redis(url: str) -> str:
    """The Redis URL with a database of this test process's own. pytest-xdist runs the suite in several processes
    (gw0, gw1 …): each has its own test database already, and here its own Redis databases, two apart (broker and
    cache), so one process's cache flush or Celery worker never touches another's."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    match = re.fullmatch(r"(.*/)(\d+)", url)
    if worker == 0 or match is None:
        return url
    return f"{match.group(1)}{(int(match.group(2)) - 2 * worker) % 16}"


if _app.CELERY_BROKER_URL:
    CELERY_BROKER_URL = per_worker_redis(_app.CELERY_BROKER_URL)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["LOCATION"] = per_worker_redis(CACHES["default"]["LOCATION"])  # noqa: F405
