"""Settings shared by every way OpsDesk runs. Values that vary come from the environment only."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
(BASE_DIR / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# The key `make run` uses out of the box. Start-up refuses it whenever DEBUG is off.
DEVELOPMENT_SECRET_KEY = "opsdesk-development-key-never-use-in-production"  # noqa: S105 - refused when DEBUG is off


def refuse_development_key(*, debug: bool, secret_key: str) -> None:
    """Called at the end of local and production settings: a live site never runs on the demo key."""
    if not debug and (not secret_key or secret_key == DEVELOPMENT_SECRET_KEY):
        raise ImproperlyConfigured(
            "SECRET_KEY is the development key (or empty) while DEBUG is off. "
            "Set SECRET_KEY in the environment to a long random value."
        )


SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates for the project's form renderer (core/forms_renderer.py)
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    # OpsDesk. Dependencies point one way: accounts <- core <- roster <- tickets <- changes <- monitoring <- reports.
    "accounts",
    "core",
    "roster",
    "tickets",
    "changes",
    "routine",
    "monitoring",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "core.middleware.RequestBodyGuardMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.audit.context.AuditContextMiddleware",
    "core.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.PlainNotFoundMiddleware",
]

ROOT_URLCONF = "opsdesk.urls"
WSGI_APPLICATION = "opsdesk.wsgi.application"
ASGI_APPLICATION = "opsdesk.asgi.application"

# One form style (templates/forms/) and <select> written in Python (core/forms_renderer.py: same HTML, a tenth of the time).
FORM_RENDERER = "core.forms_renderer.OpsDeskFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Embedded default: SQLite file under var/. Production: DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (server, scheduler) share the file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # DB_PREPARE_THRESHOLD=N: PostgreSQL binds the parameters and a statement is prepared after its Nth use
    # on a connection, so it is parsed and planned once (ticket creation +18 % on two cores, bench/README.md).
    # Off by default, as in Django: a pooler in transaction mode (pgbouncer < 1.21) cannot keep prepared
    # statements, PostgreSQL may move a prepared query to a generic plan, which cannot use the queues'
    # partial indexes, and persistent connections keep their plans across a migration (restart after one).
    threshold = env("DB_PREPARE_THRESHOLD", default="")
    if threshold:
        DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": int(threshold)})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.authentication.ModelBackend",  # the user, organisation and roles in one query
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

# Idle session timeout (6.2.9 permission control): the session ends after this many idle minutes.
# Sessions live in the database (core/sessions.py refuses malformed cookies, whose NUL bytes crashed
# PostgreSQL); read through the cache when every process shares it (CACHE_URL=redis://…), so that a
# request reads its session without a query. A per-process cache (locmem) would keep a logged-out
# session alive in the other processes: there the database alone is read.
CACHES = {"default": env.cache_url_config(env("CACHE_URL", default="") or "locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", "opsdesk")  # a Redis database shared with other software
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # An unreachable cache answers "miss" within this many seconds instead of holding a request.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=0.5, socket_timeout=0.5)
# Caches every process reads alike (a file cache is one machine's, locmem one process's).
SHARED_CACHE = CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] in (
    "RedisCache", "PyMemcacheCache", "PyLibMCCache", "DatabaseCache")
SESSION_ENGINE = "core.sessions_cached" if SHARED_CACHE else "core.sessions"
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Login throttling: lock out a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "core.views_audit.lockout_response"  # JSON for the API, the page otherwise (429)

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"  # media is only ever served through access-checked views

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="opsdesk@localhost")

# Group-robot webhook (WeCom / DingTalk style JSON POST). Empty: the channel is off.
OPSDESK_WEBHOOK_URL = env("OPSDESK_WEBHOOK_URL", default="")
OPSDESK_SITE_URL = env("OPSDESK_SITE_URL", default="http://127.0.0.1:8000")

# Celery. No CELERY_BROKER_URL: tasks run in-process (the embedded mode) and the
# `run_scheduler` command plays the part of beat.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request never waits for the broker: publishing tries one connection with a short timeout and no
# retries (core.dispatch.enqueue); what it could not hand over stays queued in the database (outbox
# rows, queued generations) and the minute sweeps send it. Beat and workers publish the same way.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=0.5)
CELERY_TASK_PUBLISH_RETRY = False
# Long work resumes in minutes. A worker killed mid-task leaves its message unacknowledged (acks_late);
# Redis hands it out again after `visibility_timeout`, and the minute sweep re-queues a generation whose
# heartbeat is older than REPORTS_STALE_RUNNING_MINUTES. Both are short so that recovery takes minutes.
# Keep the visibility timeout above the longest task (a monthly report takes well under a minute): a
# task still running when it expires is handed out again — harmless (the copy finds the row claimed
# under a fresh heartbeat and returns) but wasted work.
REPORTS_STALE_RUNNING_MINUTES = env.int("REPORTS_STALE_RUNNING_MINUTES", default=3)  # a generation whose heartbeat is this old lost its worker
REPORTS_HEARTBEAT_SECONDS = 20  # a running generation touches its row at least this often
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=REPORTS_STALE_RUNNING_MINUTES * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "max_retries": 0,  # publishing makes one connection attempt, no retries (kombu default_channel)
}
# Periodic work, read both by Celery beat (production) and by `run_scheduler` (embedded mode).
CELERY_BEAT_SCHEDULE = {
    "core.outbox_deliver_pending": {"task": "core.outbox_deliver_pending", "schedule": 60.0},
    "reports.generations_resume": {"task": "reports.generations_resume", "schedule": 60.0},  # stale/queued generations
    "reports.monthly_report_daily": {"task": "reports.monthly_report_daily", "schedule": 3600.0},  # idempotent; acts on the 1st, reminds daily
    "reports.remediation_daily": {"task": "reports.remediation_daily", "schedule": 3600.0},  # idempotent per item and day
    "tickets.escalate_sla": {"task": "tickets.escalate_sla", "schedule": 60.0},
    "tickets.auto_close": {"task": "tickets.auto_close", "schedule": 15 * 60.0},
    "tickets.change_retrospective_overdue_scan": {"task": "tickets.change_retrospective_overdue_scan", "schedule": 300.0},
    "roster.duty_flags_sweep": {"task": "roster.duty_flags_sweep", "schedule": 300.0},
    "core.audit_purge_expired": {"task": "core.audit_purge_expired", "schedule": 6 * 60 * 60.0},
    "routine.backup_day_check": {"task": "routine.backup_day_check", "schedule": 3600.0},  # idempotent per policy and day
    "routine.inspection_rounds_plan": {"task": "routine.inspection_rounds_plan", "schedule": 3600.0},
    "routine.inspection_missed_sweep": {"task": "routine.inspection_missed_sweep", "schedule": 300.0},
    "monitoring.alert_batches_sweep": {"task": "monitoring.alert_batches_sweep", "schedule": 30.0},
    "monitoring.utilisation_pull": {"task": "monitoring.utilisation_pull", "schedule": 3600.0},  # idempotent; pulls yesterday
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsAuthenticatedAuditorsReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",  # numeric filters bounded to 64 bits
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.apis.exception_handler",
    # JSON bodies must be objects of bounded depth (core/parsers.py); forms and uploads as DRF's.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpsDesk API",
    "DESCRIPTION": "运维服务台 — tickets, SLA clocks, changes, duty rosters and reports of the government-cloud contract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "tickets.models.ticket.TicketKind", "CalendarDayKindEnum": "roster.models.CalendarDay.Kind",
        "PeriodKindEnum": "roster.models.HeavyProtectionPeriod.Kind", "SwapKindEnum": "roster.models.SwapRequest.Kind",
        "DutyLogKindEnum": "roster.models.DutyLogEntry.Kind", "DutyReportKindEnum": "roster.models.DutyReport.Kind",
        "RosterStatusEnum": "roster.models.Roster.Status", "SwapStatusEnum": "roster.models.SwapRequest.Status",
        "HandoverStatusEnum": "roster.models.Handover.Status",
        # One name per choice set that several fields share (severity, severity_from/_to; frequency,
        # heavy_frequency) or whose field name other choice sets use too (kind, result, status, severity).
        "TicketSeverityEnum": "tickets.models.ticket.Severity", "SecuritySeverityEnum": "routine.models.Severity3",
        "InspectionFrequencyEnum": "routine.models.InspectionSchedule.Frequency",
        "InspectionRoundStatusEnum": "routine.models.InspectionRound.Status",
        "BackupRunResultEnum": "routine.models.BackupRun.Result", "IntegrationKindEnum": "monitoring.models.Integration.Kind",
        "UtilisationDirectionEnum": "monitoring.models.Direction", "ResourceDirectionEnum": "tickets.models.ticket.Direction",
        "ConsentStateEnum": "core.models.ConsentState", "OptimisationFindingStateEnum": "monitoring.models.OptimisationFinding.State",
        "ReportPeriodKindEnum": "reports.models.PeriodKind", "AssessmentKindEnum": "reports.models.Assessment.Kind",
        "AssessmentStateEnum": "reports.models.Assessment.State", "RemediationItemStateEnum": "reports.models.RemediationItem.State",
        "AssessmentEventKindEnum": "reports.models.AssessmentEvent.Kind", "TicketStatusEnum": "tickets.models.ticket.Ticket.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Tickets: working hours of the working-hours SLA calendar, auto-close delay, attachment limits.
OPSDESK_WORKDAY_START = env("OPSDESK_WORKDAY_START", default="09:00")
OPSDESK_WORKDAY_END = env("OPSDESK_WORKDAY_END", default="18:00")
OPSDESK_AUTO_CLOSE_DAYS = env.int("OPSDESK_AUTO_CLOSE_DAYS", default=7)
OPSDESK_ATTACHMENT_MAX_BYTES = env.int("OPSDESK_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Request bodies (JSON, forms; the text fields of an upload) larger than this are refused with 413
# (core.middleware.RequestBodyGuardMiddleware). The longest legitimate body, a 20 000-character
# description with its ticket, is under 100 KB; attachments have their own limit above.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("OPSDESK_REQUEST_MAX_BYTES", default=1024 * 1024)

# Demo accounts' password (seed_demo). Never used unless demo data is loaded.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="opsdesk-demo")
AXES_VERBOSE = False

# Duty rosters and heavy-protection periods (roster app).
ROSTER_PROPOSE_LEAD_DAYS = env.int("ROSTER_PROPOSE_LEAD_DAYS", default=1)
ROSTER_PROPOSE_TRAIL_DAYS = env.int("ROSTER_PROPOSE_TRAIL_DAYS", default=1)
ROSTER_TWO_SESSIONS_WINDOW = env("ROSTER_TWO_SESSIONS_WINDOW", default="03-03..03-12")  # MM-DD..MM-DD, inclusive
ROSTER_PROPOSED_LEVELS = {"spring_festival": 2, "two_sessions": 1, "national_day": 2}
ROSTER_HOLIDAY_WEIGHTS = {"eve": 3, "spring_festival_first": 3, "holiday": 1}  # 除夕, 初一, other days off
ROSTER_FAIRNESS_LOOKBACK_DAYS = env.int("ROSTER_FAIRNESS_LOOKBACK_DAYS", default=365)
ROSTER_REPORT_GRACE_MINUTES = env.int("ROSTER_REPORT_GRACE_MINUTES", default=60)  # after shift end, then flagged
# Routine work (issue 17)
ROUTINE_BACKUP_REPORT_GRACE_HOURS = env.int("ROUTINE_BACKUP_REPORT_GRACE_HOURS", default=6)  # a day is checked for backups this long after it ends
ROUTINE_FINDING_DUE_DAYS = {  # calendar days to fix a security finding, by severity
    "high": env.int("ROUTINE_FINDING_DUE_DAYS_HIGH", default=7),
    "medium": env.int("ROUTINE_FINDING_DUE_DAYS_MEDIUM", default=30),
    "low": env.int("ROUTINE_FINDING_DUE_DAYS_LOW", default=90),
}
ROUTINE_INSPECTION_GRACE_MINUTES = env.int("ROUTINE_INSPECTION_GRACE_MINUTES", default=60)  # a scheduled round not done this long after its slot is missed
# Content-Security-Policy sent on every response (core.middleware.SecurityHeadersMiddleware). Scripts
# only from our own static files: no inline script, no eval. Inline style attributes are allowed.
OPSDESK_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Audit trail (7.1): entries are kept this many days (never fewer than 183, six months) and then
# purged by the periodic `core.audit_purge_expired` task.
OPSDESK_AUDIT_RETENTION_DAYS = max(183, env.int("OPSDESK_AUDIT_RETENTION_DAYS", default=190))

# Monitoring intake (issue 16).
MONITORING_MAX_BODY_BYTES = env.int("MONITORING_MAX_BODY_BYTES", default=1024 * 1024)  # larger bodies: 413
MONITORING_STORM_GROUPS = env.int("MONITORING_STORM_GROUPS", default=10)  # more new groups per minute: one 告警风暴 notice
MONITORING_SWEEP_AFTER_SECONDS = env.int("MONITORING_SWEEP_AFTER_SECONDS", default=15)  # the sweep takes batches pending this long
# Utilisation pulled daily from Prometheus's HTTP API (off while the URL is empty): one PromQL expression
# per metric, each giving a percentage (0–100) per `instance`; the defaults read node_exporter.
OPSDESK_PROMETHEUS_URL = env.str("OPSDESK_PROMETHEUS_URL", default="")
OPSDESK_PROMETHEUS_QUERY_CPU = env.str(
    "OPSDESK_PROMETHEUS_QUERY_CPU", default='100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))')
OPSDESK_PROMETHEUS_QUERY_MEMORY = env.str(
    "OPSDESK_PROMETHEUS_QUERY_MEMORY", default="100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)")
OPSDESK_PROMETHEUS_QUERY_STORAGE = env.str(
    "OPSDESK_PROMETHEUS_QUERY_STORAGE",
    default='100 * max by (instance) (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}'
            ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"})')
OPSDESK_PROMETHEUS_STEP_SECONDS = env.int("OPSDESK_PROMETHEUS_STEP_SECONDS", default=300)  # resolution of the daily range query
OPSDESK_PROMETHEUS_TIMEOUT_SECONDS = env.float("OPSDESK_PROMETHEUS_TIMEOUT_SECONDS", default=30.0)
