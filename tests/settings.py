"""Settings for the test suite: the app's own settings, with a throwaway secret key and fast password hashing.

Everything else (the database, the broker) still comes from the environment, so CI runs the same suite on
PostgreSQL and Redis that a developer runs on SQLite.
"""

import os
import re
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 60)
os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _per_worker_redis(url: str, worker: int) -> str:
    match = re.fullmatch(r"(.*/)(\d+)", url)
    return f"{match.group(1)}{(int(match.group(2)) - 2 * worker) % 16}" if match else url


# pytest-xdist runs the suite in several processes (gw0, gw1 …). Each has its own test database already; here each
# also gets its own Redis databases, two apart (broker and cache), so one process's cache flush or Celery worker never
# touches another's. The environment itself is changed, because Celery reads CELERY_BROKER_URL from it before any
# setting, and a Celery worker started by a test inherits it (the marker keeps it from being shifted twice).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if _WORKER and "QMS_TEST_REDIS_SHIFTED" not in os.environ:
    for _name in ("CELERY_BROKER_URL", "CACHE_URL", "TEST_REDIS_URL"):
        if os.environ.get(_name):
            os.environ[_name] = _per_worker_redis(os.environ[_name], _WORKER)
    os.environ["QMS_TEST_REDIS_SHIFTED"] = "1"

from qms.settings import *  # noqa: E402, F403 - the environment is adjusted first; these are the app's settings, adjusted below

# Hashing with a low cost keeps the many logins of the suite fast; signature checks still verify real passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Live-server browser tests speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Unless a process the suite starts says otherwise (the restore drill checks restored files in a scratch folder).
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"]) if "MEDIA_ROOT" in os.environ else BASE_DIR / ".test-media"  # noqa: F405
# A file, not memory: the integration test's Celery worker is another process and must see the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so two runs side by side (a developer and an editor's test runner) never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}  # noqa: F405
# Serve static files from the source folders, as in development: the suite does not run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Quality managers sign in with a password alone here, so the suite's hundreds of sign-ins (test client and browser)
# need no authenticator; tests/qms/test_two_factor.py sets the production default back and walks the second step.
TWO_FACTOR_REQUIRED_ROLES = []
