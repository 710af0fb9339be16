"""BPO Portal settings.

Every setting that differs between a laptop and production is read from the environment here, with the
embedded defaults (SQLite, Celery without a broker, console e-mail) used when a variable is absent.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from bpo_portal.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "auditlog",
    "django_countries",
    "django_tables2",
    "django_bootstrap5",
    "django_htmx",
    "csp",
    "bpo_portal",
    "engagements",
    "slas",
    "audits",
    "onboarding",
]

MIDDLEWARE = [
    # First: it turns a request that met the database away, in any layer below, into a 503.
    "bpo_portal.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "bpo_portal.middleware.ApiErrorMiddleware",  # outermost but security: every /api/ error in the one JSON shape
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bpo_portal.middleware.SessionLifetimeMiddleware",  # after messages: it tells the user why they were signed out
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, so that it sees the failed logins of every other layer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bpo_portal.urls"
WSGI_APPLICATION = "bpo_portal.wsgi.application"

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
                "bpo_portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Authentication and sessions ----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out users before a password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie lives 30 minutes and every request renews it. The absolute limit (12 hours from
# login, whatever the activity) is enforced by bpo_portal.middleware.SessionLifetimeMiddleware.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for AXES_COOLOFF_MINUTES. Each failure is logged by axes' own logger.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors see nothing

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# --- Security headers (production hardening turns on with DEBUG off) ----------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come only from the portal's own static files: no inline script, no inline style, no eval.
# Bootstrap draws its form and menu icons as data: SVGs, hence img-src data:.
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
# Browser features the portal never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation",
        "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
PERMISSIONS_POLICY["fullscreen"] = ["self"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the load balancer probes over plain HTTP
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["bpo_portal.formats"]

# --- Static files -------------------------------------------------------------------------------------------------
# Bootstrap, its icons, htmx and Chart.js come from npm (package.json) at install time; only the folders the
# pages use are exposed, under a "vendor/" prefix.
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", _NODE / "bootstrap-icons" / "font"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/chart.js", _NODE / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# --- E-mail -------------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "BPO Portal <portal@localhost>")

# --- Cache ---------------------------------------------------------------------------------------------------------
# The API's throttle counts live here: Redis when REDIS_URL is set, so every process shares them; in-process otherwise.
# The cache fails open: with Redis down or hanging, a read misses and a write is dropped within CACHE_TIMEOUT_SECONDS
# (logged), so an integration's push is answered — unthrottled for the outage — instead of a 500 (bench/faults.py).
CACHE_URL = env_str("CACHE_URL", env_str("REDIS_URL"))
CACHE_TIMEOUT_SECONDS = env_float("CACHE_TIMEOUT_SECONDS", 0.5)
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "bpo",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": CACHE_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": CACHE_TIMEOUT_SECONDS,
            },
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bpo-portal"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Celery -------------------------------------------------------------------------------------------------------
# With REDIS_URL set, tasks go through Redis to a worker and beat runs the schedule. Without it (the embedded
# default) tasks run in-process when they are sent, so the demo behaves the same with no server to start.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")  # a host, or kombu warns
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not (REDIS_URL or env_str("CELERY_BROKER_URL")))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another: tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a killed worker had taken is redelivered after the visibility timeout: twice the longest a task may run,
# so a task still running is never handed to a second worker. The work itself is owed in the database and the
# sweeper below does it long before that (see "What happens when things fail" in the README).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    "socket_connect_timeout": env_float("CELERY_BROKER_CONNECT_TIMEOUT", 1.0),
    "socket_timeout": env_float("CELERY_BROKER_SOCKET_TIMEOUT", 2.0),
}
# Publishing from a web request is bounded: a short connect, one quick retry, and no result subscription (nobody
# reads the tasks' results), so a broker that is down costs a request about a second once, then nothing while
# slas.owed backs off. What was not queued is owed in the database and swept.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECT_TIMEOUT", 1.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = env_float("CELERY_BROKER_CONNECT_TIMEOUT", 1.0)
CELERY_REDIS_SOCKET_TIMEOUT = env_float("CELERY_BROKER_SOCKET_TIMEOUT", 2.0)
# Recompute work owed in the database (slas.owed): the sweeper does what no task did once it is this old, and a
# request that could not reach the broker does not try again for this long.
SLA_OWED_GRACE_SECONDS = env_int("SLA_OWED_GRACE_SECONDS", 120)
SLA_OWED_SWEEP_SECONDS = env_int("SLA_OWED_SWEEP_SECONDS", 60)
SLA_PUBLISH_BACKOFF_SECONDS = env_int("SLA_PUBLISH_BACKOFF_SECONDS", 30)
# Measurements older than this many whole months may be dropped by `manage.py prune_measurements` (0: keep all).
SLA_MEASUREMENT_RETENTION_MONTHS = env_int("SLA_MEASUREMENT_RETENTION_MONTHS", 0)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-owed-recomputes": {
        # The record of work owed is the database: anything no task has done within the grace period is done here.
        "task": "slas.tasks.sweep_owed_recomputes",
        "schedule": SLA_OWED_SWEEP_SECONDS,
    },
    "recompute-recent-kpis": {
        # A second net behind the sweeper: everything still owed, then every target's recent periods (late data).
        "task": "slas.tasks.recompute_recent",
        "schedule": crontab(hour=2, minute=30),
    },
    "send-reminders": {
        # Hourly, so each practice hears of a new day's reminders soon after its own midnight: each engagement is
        # judged on its practice's local date, and a reminder is unique per item, due date and engagement, so the
        # other 23 runs of the day (or a missed run caught up) send nothing twice.
        "task": "engagements.tasks.send_reminders",
        "schedule": crontab(minute=5),
    },
    "purge-idempotency-keys": {
        # A key answers retries for 24 hours; older ones are free for reuse and only take space.
        "task": "engagements.tasks.purge_idempotency_keys",
        "schedule": crontab(minute=40),
    },
    "retry-webhook-deliveries": {
        # Failed webhook deliveries wait in the database with their next attempt's time (exponential backoff).
        "task": "engagements.tasks.retry_webhook_deliveries",
        "schedule": crontab(),
    },
    "schedule-weekly-audits": {
        # Hourly on Mondays (UTC), so every practice's week has started locally by one of the runs; the unique
        # (engagement, agent, week, slot) constraint keeps the other runs from creating anything twice.
        "task": "audits.tasks.schedule_weekly_audits",
        "schedule": crontab(minute=20, day_of_week="mon"),
    },
    "close-due-calibrations": {
        "task": "audits.tasks.close_due_calibrations",
        "schedule": crontab(minute=40),
    },
    "nightly-onboarding": {
        # Training that expired overnight, ramp results, then every responsibility's prerequisites (onboarding.tasks).
        "task": "onboarding.tasks.nightly_onboarding",
        "schedule": crontab(hour=3, minute=45),
    },
    "clear-expired-sessions": {
        "task": "bpo_portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- REST API -----------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bpo_portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "bpo_portal.api.scopes.TokenScopePermission",  # an integration token reaches only what its scopes name
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "bpo_portal.api.filters.PortalFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "bpo_portal.api.throttling.TokenRateThrottle",
        "bpo_portal.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_THROTTLE_TOKEN_RATE", "600/min"),
        "user": env_str("API_THROTTLE_USER_RATE", "1200/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "bpo_portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    # Write bodies are JSON; views that take a file upload (evidence) or CSV (measurements) add their parser.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "bpo_portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "bpo_portal.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BPO Portal API",
    "DESCRIPTION": (
        "Practices, providers, engagements and agents of an eye-care outsourcing engagement; its SLA targets, "
        "measurements (pushed by integrations, all-or-nothing and idempotent by external id), KPI values, "
        "breaches and remediation plans; provider certifications and due-diligence reviews; contract terms, "
        "checkpoints, scope, pricing, service credits, costs, change requests and contract versions; the phased "
        "transition (phases, gate criteria and decisions, milestones); contacts, escalation, meetings, action "
        "items, staff feedback and reminders; provider compliance audits with their findings and corrective "
        "actions; quality audits (scorecards, audits, disputes, calibration, action plans, sampling). "
        "Authenticate with `Authorization: Token <token>` (`Bearer <token>` is accepted too): a personal token, "
        "or an integration token scoped to one provider, limited to the scopes chosen when it was made. Objects "
        "outside your scope answer 404. Requests are throttled per token and per user (`API_THROTTLE_TOKEN_RATE`, "
        "default 600/min; `API_THROTTLE_USER_RATE`, 1200/min): past the rate the API answers 429 with "
        "`Retry-After` in seconds.\n\n"
        "**Lists** are pages of `{count, next, previous, results}`: 50 rows unless `page_size` says (at most "
        "500); a page past the last answers 404; `page` and `page_size` out of range answer 400. `ordering` takes "
        "a field (or `-field` for descending) among those each list names. Filters match exactly; an id you "
        "cannot see matches nothing (an empty page), as an unknown one does; `period_from`/`period_to` are "
        "inclusive dates on the "
        "period's start; `q` searches the texts the list names.\n\n"
        "**Errors** are one object on every 4xx and 5xx: `{code, detail, errors?}` — `code` stable and "
        "machine-readable (the list is on the `Error` schema), `detail` one sentence, `errors` each problem with "
        "its `field`, `code`, `message` (and `row` for the measurement ingest). The guide for integrators is "
        "docs/integrators.md in the repository."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # 3.1: JSON Schema proper, so "null" is a type a strict validator and a client generator both understand.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bpo_portal.api.schema.nullable_as_json_schema",
        "bpo_portal.api.schema.add_examples",
        "bpo_portal.api.idempotency.add_idempotency_header",
    ],
}

# --- Webhooks -----------------------------------------------------------------------------------------------------
# A CA bundle (a file path) to verify receivers' certificates with, for a private CA; empty: the usual public CAs.
WEBHOOK_CA_BUNDLE = env_str("WEBHOOK_CA_BUNDLE", "")

# --- Tables, forms, logging ---------------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "includes/table.html"  # wide tables scroll in one shared container
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-hover align-middle mb-0", "thead": {"class": "table-light"}}
BOOTSTRAP5 = {"set_placeholder": False, "required_css_class": "required"}

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"forbidden_without_traceback": {"()": "bpo_portal.log_filters.ForbiddenWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["forbidden_without_traceback"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},  # failed logins and lockouts are logged at WARNING
        # Django's own default adds a second console handler in DEBUG, which printed each 403's traceback twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Celery's eager tasks (the embedded default) would log a line per task, e.g. 47 during seed_demo.
        "celery.app.trace": {"level": env_str("CELERY_TASK_LOG_LEVEL", "WARNING")},
    },
}
