"""Settings for the QMS, read from the environment only (see README, "Configuration").

With nothing set, the app runs on SQLite with Celery tasks executed in-process, which is all a fresh machine needs.
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS and turns DEBUG off.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from qms.env import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DEBUG", default=False)

# Only good enough for a developer's machine; refused below whenever DEBUG is off.
_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 - refused below unless DEBUG
SECRET_KEY = env.text("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development default or shorter than 50 characters: "
        'set SECRET_KEY to a long random value (python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.text("SITE_NAME", default="QMS")
ORGANISATION_NAME = env.text("ORGANISATION_NAME", default="Our organisation")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "qms",
    "documents",
    "audits",
    "capa",
    "improvement",
    # The views across modules that keep records of their own (the top floor, see style.md).
    "qms.objectives",
    "qms.reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "qms.api.query.SingleValuedQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qms.sessions.SessionLifetimeMiddleware",
    "qms.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authentication into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"
ASGI_APPLICATION = "qms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qms.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------------
# Connections are kept open: PostgreSQL over TCP authenticates with scram, and a new connection per request costs
# several times the throughput (see shared/stack-notes.md).
DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", default=60, minimum=0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, login and sessions --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "qms.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after 5 failures for one username from one address, that pair waits 15 minutes.
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOGIN_COOLOFF_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Idle timeout: a session lives 30 minutes after the last request. Activity pushes its end forward at most once a
# minute (qms.sessions.SessionLifetimeMiddleware): saving the session on every request was a database write, and a
# commit, for each page a person reads.
SESSION_COOKIE_AGE = env.integer("SESSION_IDLE_MINUTES", default=30, minimum=1) * 60
SESSION_ACTIVITY_SECONDS = 60
# Two-factor sign-in (qms.two_factor): required for these roles (comma-separated; empty for none), open to everyone.
TWO_FACTOR_REQUIRED_ROLES = env.items("TWO_FACTOR_REQUIRED_ROLES", default=["quality_manager"])
# The issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = SITE_NAME
# However active, a session ends this long after its sign-in (qms.sessions.SessionLifetimeMiddleware).
SESSION_ABSOLUTE_SECONDS = env.integer("SESSION_ABSOLUTE_HOURS", default=12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- HTTPS and security headers -------------------------------------------------------------------------------------
# Off only while DEBUG is on, since the development server speaks plain HTTP.
_HTTPS = env.boolean("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS and env.boolean("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", default=31_536_000 if _HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts and styles only from our own static files, never inline, so markup that
# slipped through escaping still cannot run or restyle a page; nothing from another origin (the app works air-gapped);
# no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.boolean("BEHIND_TLS_PROXY", default=False):
    # The proxy (nginx, a load balancer) terminates TLS and says so in this header; trust it only when configured.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is polled over plain HTTP inside the container network by the orchestrator's health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["qms.formats"]  # ISO dates first in forms (qms/formats/en_GB/formats.py)
TIME_ZONE = env.text("TIME_ZONE", default="UTC")
# The app is in English and has no translations: without the translation machinery every value a template shows
# skips a lookup of the active language (a twentieth of the calls a register page makes). Formats still come from
# LANGUAGE_CODE's format module; a translation would turn this back on.
USE_I18N = False
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", default=str(BASE_DIR / "media")))

_S3_BUCKET = env.optional_text("S3_BUCKET")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _S3_BUCKET,
                "endpoint_url": env.optional_text("S3_ENDPOINT_URL"),
                "region_name": env.optional_text("S3_REGION"),
                "access_key": env.optional_text("S3_ACCESS_KEY_ID"),
                "secret_key": env.optional_text("S3_SECRET_ACCESS_KEY"),
                # Controlled documents are never public: every download goes through a permission-checked view.
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_SIZE = env.integer("MAX_UPLOAD_MB", default=50, minimum=1) * 1024 * 1024
# The limit is enforced while a file arrives, before Django stores it; the refused file reaches the view with the
# reason (qms/upload_limits.py). Django's own two handlers follow, unchanged.
FILE_UPLOAD_HANDLERS = [
    "qms.upload_limits.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Email ----------------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.text(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if env.optional_text("EMAIL_HOST")
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env.text("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env.text("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.text("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", default="qms@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Notifications are also emailed unless this is off (seed_demo turns it off: demo people have no mailboxes, and
# thousands of demo emails would only slow the seeding down).
NOTIFICATION_EMAILS = env.boolean("NOTIFICATION_EMAILS", default=True)

# --- Celery ---------------------------------------------------------------------------------------------------------
# Without a broker, tasks run in-process at the moment they are queued, so a fresh machine needs no Redis.
CELERY_BROKER_URL = env.url("CELERY_BROKER_URL", schemes=("redis", "rediss", "amqp", "amqps"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Work is queued through an outbox (`qms.outbox`): a message the broker does not take at once stays in the database
# and is handed over by the next sweep, so a request waits for at most one quick retry when Redis is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
# Two queues, by kind of work. `reports` holds the PDF and ZIP work, which takes minutes and hundreds of megabytes; its
# own workers (few processes, see README "Scaling out") keep it from delaying emails, reminders and scheduled upkeep,
# which go to `default`. Both are declared, so a worker started without `-Q` consumes both (as in development).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("reports"))
CELERY_TASK_ROUTES = {
    "audits.tasks.render_audit_report": {"queue": "reports"},  # the audit report PDF
    "qms.evidence.tasks.build_evidence_pack": {"queue": "reports"},  # the ZIP, with its PDF cover
    "qms.reviews.tasks.render_review_pdf": {"queue": "reports"},  # the management review report PDF
    "qms.imports.tasks.check_import": {"queue": "reports"},  # reads every file of an import's ZIP
    "qms.imports.tasks.run_import": {"queue": "reports"},  # writes them, in one transaction
}
# A task whose worker died (killed, its machine lost) is delivered again once the Redis broker's visibility timeout
# has passed since a worker took it: Redis cannot tell a dead worker from a slow one. A worker process that dies while
# its parent lives is noticed at once instead (CELERY_TASK_REJECT_ON_WORKER_LOST puts the task back).
_VISIBILITY_TIMEOUT = env.integer("BROKER_VISIBILITY_TIMEOUT_SECONDS", default=3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY_TIMEOUT}
# A report that runs past the soft limit fails as its job (`run_job` records it, the user may retry); the hard limit,
# a minute later, kills a process that did not stop. It stays well below the visibility timeout (ten minutes, for the
# hard limit and the time a task waits in a busy worker), or a long report would be delivered to a second worker while
# the first still works on it.
_REPORT_TIME_LIMIT = env.integer("REPORT_TIME_LIMIT_SECONDS", default=900, minimum=60)
if _REPORT_TIME_LIMIT > _VISIBILITY_TIMEOUT - 600:
    raise ImproperlyConfigured(
        f"REPORT_TIME_LIMIT_SECONDS={_REPORT_TIME_LIMIT} is above the maximum of {_VISIBILITY_TIMEOUT - 600}: ten "
        f"minutes below BROKER_VISIBILITY_TIMEOUT_SECONDS={_VISIBILITY_TIMEOUT}, or a long report would be delivered "
        "to a second worker while the first still works on it."
    )
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": _REPORT_TIME_LIMIT, "time_limit": _REPORT_TIME_LIMIT + 60}
    for name, route in CELERY_TASK_ROUTES.items()
    if route["queue"] == "reports"
}
# A worker process that has grown past this (in KiB, checked after each task) is replaced by a fresh one: WeasyPrint
# and large ZIPs leave memory behind. Each kind of worker may set its own in its environment (docker-compose.yml).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.integer("WORKER_MAX_MEMORY_MB", default=400, minimum=64) * 1024
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "purge-read-notifications": {"task": "qms.tasks.purge_old_notifications", "schedule": timedelta(days=1)},
    # Hourly, so a revision approved for a future date is in force within the hour of that date starting.
    "make-due-revisions-effective": {
        "task": "documents.tasks.make_due_revisions_effective",
        "schedule": timedelta(hours=1),
    },
    # Reminders are claimed once per period, so running this more often than daily sends nothing twice.
    "send-review-reminders": {"task": "documents.tasks.send_review_reminders", "schedule": timedelta(hours=6)},
    "send-audit-reminders": {"task": "audits.tasks.send_audit_reminders", "schedule": timedelta(hours=6)},
    "send-capa-digests": {"task": "capa.tasks.send_capa_digests", "schedule": timedelta(hours=6)},
    "delete-expired-evidence-packs": {
        "task": "qms.evidence.tasks.delete_expired_evidence_packs",
        "schedule": timedelta(days=1),
    },
    # Work whose hand-over to the broker failed (Redis was down) waits in the outbox until this sweep.
    "publish-queued-tasks": {"task": "qms.tasks.publish_queued_tasks", "schedule": timedelta(minutes=1)},
    # Rows are sealed right after their commit; this seals what a crash or a database blip left queued.
    "seal-queued-trail-rows": {"task": "qms.trail.tasks.seal_queued_rows", "schedule": timedelta(minutes=5)},
    # One value per objective and day (a unique key), so a second run the same day adds nothing.
    "record-objective-measurements": {
        "task": "qms.objectives.tasks.record_computed_measurements",
        "schedule": timedelta(days=1),
    },
}

# --- Cache ----------------------------------------------------------------------------------------------------------
_REDIS_CACHE_URL = env.url("CACHE_URL", schemes=("redis", "rediss"))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_CACHE_URL}
        if _REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST API -------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "qms.permissions.HasRole",
        "qms.permissions.RecordBeforeBody",
    ],
    "DEFAULT_PAGINATION_CLASS": "qms.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "qms.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "qms.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "qms.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QMS API",
    "DESCRIPTION": "REST API v1 of the quality management system: documents, audits, CAPA and improvement ideas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several records have a "status"; name each set of states after its record so the schema stays readable.
    "ENUM_NAME_OVERRIDES": {
        "DocumentStatusEnum": "documents.models.Document.Status",
        "RevisionStatusEnum": "documents.models.Revision.Status",
        "ChangeRequestStatusEnum": "documents.models.ChangeRequest.Status",
        "ApprovalDecisionEnum": "documents.models.Approval.Decision",
        "NonconformityStatusEnum": "capa.models.Nonconformity.Status",
        "NonconformityDispositionEnum": "capa.models.Nonconformity.Disposition",
        "CapaSourceEnum": "capa.models.Source",
        "CapaSeverityEnum": "capa.models.Severity",
        "CapaKindEnum": "capa.models.Capa.Kind",
        "CapaStatusEnum": "capa.models.Capa.Status",
        "CapaStepEnum": "capa.api.ADVANCE_STEPS",
        "RootCauseMethodEnum": "capa.models.Capa.Method",
        "CauseCategoryEnum": "capa.models.CauseCategory",
        "CapaActionStatusEnum": "capa.models.CapaAction.Status",
        "EffectivenessResultEnum": "capa.models.EffectivenessCheck.Result",
        "IdeaStageEnum": "improvement.models.Idea.Stage",
        "IdeaCategoryEnum": "improvement.models.Idea.Category",
        "IdeaSourceEnum": "improvement.models.Idea.Source",
        "IdeaBenefitUnitEnum": "improvement.models.Idea.BenefitUnit",
    },
}

# --- django-simple-history ------------------------------------------------------------------------------------------
# History rows are evidence: the admin's "revert to this version" would rewrite a record from the side, so it is off.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Electronic signatures ------------------------------------------------------------------------------------------
SIGNATURE_FAILURE_LIMIT = env.integer("SIGNATURE_FAILURE_LIMIT", default=5, minimum=1)
SIGNATURE_LOCKOUT = timedelta(minutes=env.integer("SIGNATURE_LOCKOUT_MINUTES", default=15, minimum=1))

# --- Logging --------------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every rendering step at INFO; only its warnings (a missing font or image) matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Links in emails need the address people reach the app at.
SITE_URL = env.url("SITE_URL", default="http://127.0.0.1:8000", schemes=("http", "https"))
