"""Settings for the city-management command-centre platform.

Everything that differs between a developer's machine and production comes from the environment
(see .env.example and the README); the defaults work with the local set-up made by `make setup`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str
from .queues import celery_queue_settings

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless asked for: `make dev` sets DEBUG=1; `make run` serves the demo as production would (DEBUG=0).
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

DATABASE_URL = env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/citymgmt")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# DB_POOLER=transaction: DATABASE_URL points at PgBouncer in transaction mode, where consecutive transactions of one
# connection may run on different server sessions. No server-side cursors then (they outlive a transaction), and
# nothing of ours keeps session state (the rollup upkeep is a function, the grid look-up is not prepared). The
# client connections to PgBouncer stay open (DB_CONN_MAX_AGE) and are checked before reuse: they are cheap.
DB_POOLER = env_str("DB_POOLER", "")
# DATABASE_REPLICA_URL: a streaming replica for reports, exports, bulletins and the big screen (core/replica.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the replica alias reads the test database
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# A user who wrote reads the primary for this many seconds after (read your writes while the replica catches up).
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)
if DB_POOLER not in ("", "transaction"):
    raise ImproperlyConfigured(f"DB_POOLER must be empty or 'transaction', got {DB_POOLER!r}")
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        raise ImproperlyConfigured("DATABASE_URL must use the postgis:// scheme (PostgreSQL with PostGIS)")
    if DB_POOLER == "transaction":
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

# The transactional outbox of side effects (core/outbox.py): how often beat's relay delivers what is pending, how
# long a failed delivery waits at most before its next try, and how many days delivered rows are kept.
OUTBOX_RELAY_SECONDS = env_int("OUTBOX_RELAY_SECONDS", 5)
OUTBOX_MAX_BACKOFF_SECONDS = env_int("OUTBOX_MAX_BACKOFF_SECONDS", 600)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)

INSTALLED_APPS = [
    "core.admin_apps.CityAdminConfig",  # django.contrib.admin whose site audits every change (core.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "axes",  # login lockout (django-axes), after the auth apps
    # Our layers, bottom to top: core → grids → cases → hotlines → evaluation → exchange (→ demo).
    "core",
    "core.messaging",  # notification channels: SMS, WeChat Work and DingTalk robots, e-mail (part of core)
    "grids",
    "cases",
    "hotlines",
    "evaluation",
    "exchange",  # upper-level platforms, Open311, citizens' reports: reads every layer below, imported by none
    "demo",  # seeds a demo city across every layer; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.QueryHygieneMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.audit.AuditContextMiddleware",  # lets the audit log name the actor of changes made deep in a request
    "core.replica.ReplicaStickinessMiddleware",  # a user who wrote reads the primary for a few seconds
    "core.language.UserLanguageMiddleware",  # Chinese unless the user picks English; ignores Accept-Language
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SessionIdleMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page with its message
]

ROOT_URLCONF = "citymgmt.urls"
WSGI_APPLICATION = "citymgmt.wsgi.application"

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

AUTH_USER_MODEL = "core.User"
# Password policy (等级保护 2.0): checked when a password is set through a form (the console's password page, the
# admin); accounts created with set_password() (the demo, tests) are not checked.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {
        "NAME": "core.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login (console, admin, POST /api/v1/auth/token/) and locks a username, and separately an
# address, after LOGIN_FAILURE_LIMIT failures; the lock lifts LOGIN_LOCKOUT_MINUTES after the last failure, or when
# an administrator deletes the access attempt in the admin (安全 → Access attempts). Kept in the database, not Redis.
AUTHENTICATION_BACKENDS = ["core.backends.LockoutModelBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False  # attempts and lockouts go to the audit log; no log lines with masked names at every start
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the count: otherwise one valid account would let an address try passwords of others
# (password spraying) without ever reaching the per-address limit. Failures older than the cool-off are forgotten.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "core.account.lockout_response"
# Behind nginx, REMOTE_ADDR is the proxy's: TRUSTED_PROXY_COUNT=1 takes the client from X-Forwarded-For instead.
AXES_CLIENT_IP_CALLABLE = "core.account.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Console sessions end after SESSION_IDLE_MINUTES without a request; core.middleware.SessionIdleMiddleware renews
# the session at most once a minute, so the pages' live polls do not write the session every few seconds.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEW_SECONDS = 60
# API tokens (core.models.ApiToken): one per device, valid API_TOKEN_TTL_DAYS; last use written at most this often.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
API_TOKEN_TOUCH_MINUTES = env_int("API_TOKEN_TOUCH_MINUTES", 15)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Stored files are never public: /files/<name> (core.files) checks the permissions of the record they belong to.
MEDIA_URL = "/files/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Behind nginx: "/protected-media/" makes core.files answer with X-Accel-Redirect to that internal location.
FILES_X_ACCEL_REDIRECT_PREFIX = env_str("FILES_X_ACCEL_REDIRECT_PREFIX", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is a cache, never a precondition for writing: the tolerant backend answers a miss when Redis is down
# (core/cache.py). Sessions stay in the database (Django's default SESSION_ENGINE), never in Redis.
CACHES = {
    "default": {
        "BACKEND": "core.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "citymgmt"),
        "OPTIONS": {
            "socket_connect_timeout": float(env_str("CACHE_CONNECT_TIMEOUT", "0.25")),
            "socket_timeout": float(env_str("CACHE_SOCKET_TIMEOUT", "0.5")),
            "RETRY_AFTER": float(env_str("CACHE_RETRY_AFTER", "2")),
        },
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Notification channels (core/messaging): retries, back-off, the sweeper that queues what is due (retries, the end
# of quiet hours, lost tasks), the link base for messages leaving the console, and e-mail through Django's backend.
MESSAGING_SWEEP_SECONDS = env_int("MESSAGING_SWEEP_SECONDS", 15)
MESSAGING_MAX_ATTEMPTS = env_int("MESSAGING_MAX_ATTEMPTS", 8)
MESSAGING_FIRST_BACKOFF_SECONDS = env_int("MESSAGING_FIRST_BACKOFF_SECONDS", 30)
MESSAGING_MAX_BACKOFF_SECONDS = env_int("MESSAGING_MAX_BACKOFF_SECONDS", 3600)
MESSAGING_LEASE_SECONDS = env_int("MESSAGING_LEASE_SECONDS", 300)
MESSAGING_SITE_URL = env_str("MESSAGING_SITE_URL", "")
MESSAGING_HTTP_PROXY = env_str("MESSAGING_HTTP_PROXY", "")
MESSAGING_URGENT_KINDS = env_list("MESSAGING_URGENT_KINDS", "")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "citymgmt@localhost")

# Celery: the broker is CELERY_BROKER_URL — RabbitMQ in production (amqp://…: durable queues, a killed worker's
# unacknowledged task goes back to its queue the moment its connection drops), Redis (the default, REDIS_URL) for the
# all-in-one demo. Results, when any, go to Redis. A task survives a killed worker: it is acknowledged only when it
# ends (acks_late), a worker lost mid-task gives it back (reject_on_worker_lost), one task is reserved at a time, and
# with Redis as broker an unacknowledged task is re-delivered after the visibility timeout, which must exceed the
# longest task (rebuild_rollups: 47 s over ten million cases; README: Security and operations).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True  # nobody waits for a task's return value: the database holds what tasks do
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker stops its running tasks: the broker has given them back already (late acks).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
# How often a worker looks for tasks whose worker vanished and whose visibility timeout passed (Redis broker).
CELERY_RESTORE_SWEEP_SECONDS = env_int("CELERY_RESTORE_SWEEP_SECONDS", 30)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": CELERY_RESTORE_SWEEP_SECONDS,
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Queues per kind of work and every task's route (citymgmt/queues.py); CELERY_QUEUE_PREFIX isolates several
# platforms (or test runs) sharing one broker.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "")
_QUEUES = celery_queue_settings(CELERY_QUEUE_PREFIX)
CELERY_TASK_QUEUES = _QUEUES["task_queues"]
CELERY_TASK_DEFAULT_QUEUE = _QUEUES["task_default_queue"]
CELERY_TASK_DEFAULT_ROUTING_KEY = _QUEUES["task_default_routing_key"]
CELERY_TASK_ROUTES = _QUEUES["task_routes"]
# A task still running after the visibility timeout would be delivered a second time: stop it before that.
CELERY_TASK_TIME_LIMIT = max(CELERY_VISIBILITY_TIMEOUT - 60, 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Import jobs may run far longer than the visibility timeout (a 500,000-row file takes most of an hour). They do not
# need re-delivery to survive a killed worker: a job is claimed by one conditional UPDATE (a duplicate delivery does
# nothing) and beat's requeue_import_jobs sends again a job whose progress stopped for IMPORT_JOB_STALE_MINUTES.
IMPORT_JOB_TIME_LIMIT = env_int("IMPORT_JOB_TIME_LIMIT", 4 * 3600)
# Publishing while the broker is down gives up within about a second: the outbox (core/outbox.py) keeps the work.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Stored period figures (evaluation/stored_figures.py): beat refreshes them every PERIOD_FIGURES_SECONDS; a page
# that finds them older than PERIOD_FIGURES_STALE_SECONDS (the workers are down) computes them itself.
PERIOD_FIGURES_SECONDS = env_int("PERIOD_FIGURES_SECONDS", 15)
PERIOD_FIGURES_STALE_SECONDS = env_int("PERIOD_FIGURES_STALE_SECONDS", 120)
CELERY_BEAT_SCHEDULE = {
    # Health is sampled by beat alone, each sample stamped with the minute it was due (core/health.py).
    "record-health": {"task": "core.tasks.record_health", "schedule": crontab(), "options": {"expires": 300}},
    "relay-outbox": {
        "task": "core.tasks.relay_outbox",
        "schedule": timedelta(seconds=OUTBOX_RELAY_SECONDS),
        "options": {"expires": 60},  # a relay stuck in a queue behind a long task is dropped: the next one comes
    },
    "purge-outbox": {"task": "core.tasks.purge_outbox", "schedule": crontab(hour=3, minute=10)},
    "mark-overdue-cases": {"task": "cases.tasks.mark_overdue", "schedule": timedelta(minutes=1)},
    # The case tally behind the queue counts (cases/tally.py): folded every minute, checked every night.
    "fold-case-tally": {"task": "cases.tasks.fold_tally", "schedule": timedelta(minutes=1), "options": {"expires": 60}},
    "repair-case-tally": {"task": "cases.tasks.repair_tally", "schedule": crontab(hour=2, minute=10)},
    "patrol-check-presence": {
        "task": "grids.tasks.check_presence",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "patrol-partitions-ahead": {"task": "grids.tasks.create_track_partitions", "schedule": crontab(hour=0, minute=5)},
    "year-partitions-ahead": {"task": "core.tasks.create_year_partitions", "schedule": crontab(hour=0, minute=10)},
    "notify-overdue-hotline-orders": {"task": "hotlines.tasks.notify_overdue", "schedule": timedelta(minutes=5)},
    # evaluation: facts of cases flagged overdue in bulk; nightly rebuild of the rollups; last month's bulletin.
    "evaluation-sync-facts": {"task": "evaluation.tasks.sync_facts", "schedule": timedelta(seconds=15)},
    "evaluation-rebuild-rollups": {"task": "evaluation.tasks.rebuild_rollups", "schedule": crontab(hour=2, minute=30)},
    # The big screen's, home pages' and period API's figures, stored (evaluation/stored_figures.py).
    "evaluation-period-figures": {
        "task": "evaluation.tasks.refresh_period_figures",
        "schedule": timedelta(seconds=PERIOD_FIGURES_SECONDS),
        "options": {"expires": PERIOD_FIGURES_SECONDS * 2},
    },
    "messaging-dispatch-due": {
        "task": "core.messaging.tasks.dispatch_due",
        "schedule": timedelta(seconds=MESSAGING_SWEEP_SECONDS),
        "options": {"expires": 60},
    },
    "core-requeue-import-jobs": {"task": "core.tasks.requeue_import_jobs", "schedule": timedelta(minutes=1)},
    "core-tend-export-jobs": {"task": "core.tasks.tend_export_jobs", "schedule": timedelta(minutes=5)},
    # Every open self-evaluation's platform-bound figures and score, after the nightly rollup rebuild.
    "evaluation-refresh-self-evaluations": {
        "task": "evaluation.tasks.refresh_open_self_evaluations",
        "schedule": crontab(hour=3, minute=40),
    },
    "evaluation-monthly-bulletin": {
        "task": "evaluation.tasks.ensure_monthly_bulletin",
        "schedule": crontab(hour=1, minute=15),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ErrorDeclaringSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # One counter per request (core/throttling.py); 429 with Retry-After. An empty variable switches a bucket off.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.RequestRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "60/min") or None,
        "user": env_str("THROTTLE_USER", "1200/min") or None,
        "login": env_str("THROTTLE_LOGIN", "20/min") or None,
        "intake": env_str("THROTTLE_INTAKE", "600/min") or None,
    },
    # Proxies in front of the web nodes, for the address of anonymous callers (X-Forwarded-For).
    "NUM_PROXIES": env_int("TRUSTED_PROXY_COUNT", 0) or None,
    # NUL bytes and unpaired surrogates are refused by the parsers with a 400 naming the field (core/sanitize.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "core.api.parsers.MultiPartParser",
    ],
}
# How far ahead of the server a client's clock may be for times it sends (reported_at, received_at, ...).
CLIENT_TIME_FUTURE_MINUTES = env_int("CLIENT_TIME_FUTURE_MINUTES", 10)
SPECTACULAR_SETTINGS = {
    "TITLE": "City-management command centre API",
    "DESCRIPTION": "数字城管指挥中心平台 REST API: base map, cases, hotline work orders and evaluation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Vocabularies used by several serializers get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "ComponentStatusEnum": "grids.choices.ComponentStatus",
        "TimeUnitEnum": "core.choices.TimeUnit",
        "ClassKindEnum": "grids.choices.ClassKind",
        "WorkOrderStatusEnum": "hotlines.choices.OrderStatus",
        "SelfEvaluationStatusEnum": "evaluation.models.selfeval.SelfEvaluationStatus",
        "SelfEvaluationGradeEnum": "evaluation.models.selfeval.Grade",
        "BulletinStatusEnum": "evaluation.models.bulletins.BulletinStatus",
        "AssessmentStatusEnum": "evaluation.supervision.models.AssessmentStatus",
        "InspectionKindEnum": "evaluation.supervision.models.InspectionKind",
    },
}

# 热点分析: a recurring problem (高发问题) is the same class in the same unit grid at least N times within M days.
HOTSPOT_RECURRING_COUNT = env_int("HOTSPOT_RECURRING_COUNT", 3)
HOTSPOT_RECURRING_DAYS = env_int("HOTSPOT_RECURRING_DAYS", 7)
MAP_TILES_URL = env_str("MAP_TILES_URL", "")
# Base and heat vector tiles kept in Redis for at most this many seconds (heat tiles of a period reaching today: 15 s
# at most); 0 makes every tile in PostGIS.
TILE_CACHE_SECONDS = env_int("TILE_CACHE_SECONDS", 600)

# Patrol tracks (grids/patrol/): how often the app sends its position while on duty, how old a position may still
# be taken, the silence that counts as a gap, and when the presence check alerts the shift leaders.
PATROL_INTERVAL_SECONDS = env_int("PATROL_INTERVAL_SECONDS", 30)
PATROL_MAX_AGE_DAYS = env_int("PATROL_MAX_AGE_DAYS", 7)
PATROL_GAP_MINUTES = env_int("PATROL_GAP_MINUTES", 5)
PATROL_SILENT_MINUTES = env_int("PATROL_SILENT_MINUTES", 15)
PATROL_LEFT_AREA_MINUTES = env_int("PATROL_LEFT_AREA_MINUTES", 10)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (29.592, 106.219),  # Bishan district, Chongqing
    "DEFAULT_ZOOM": 13,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    # Command centres run on intranets with no internet: no base tiles unless MAP_TILES_URL names the
    # centre's own tile server; grids and components are drawn from our own data either way.
    "TILES": [(_("Base map"), MAP_TILES_URL, {"attribution": ""})] if MAP_TILES_URL else [],
    "RESET_VIEW": False,
    # The city's own base map (vector tiles of grids/basemap/, one style in static/core/base_map.js): loaded by
    # every {% leaflet_js %} and by the admin's geometry widgets, which also draw it (grids/admin_base_map.js).
    "PLUGINS": {
        "citybasemap": {
            "js": ["vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js", "core/base_map.js"],
            "css": ["core/base_map.css"],
            "auto-include": True,
        },
        "forms": {
            "js": [
                "vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
                "core/base_map.js",
                "grids/admin_base_map.js",
            ],
            "css": ["core/base_map.css"],
        },
    },
}

# Content-Security-Policy (django-csp): no inline script anywhere in the console (its JS lives in static files);
# a nonce is added only to pages that ask for one (the admin's Leaflet geometry widget). Inline *styles* stay
# allowed: Leaflet positions its panes with them.
_TILES_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILES_URL)) if MAP_TILES_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *([_TILES_ORIGIN] if _TILES_ORIGIN else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# Security settings that only make sense behind HTTPS in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production defaults stay secure; the plain-http demo on 127.0.0.1 (`make run`) and the tests turn them off
# explicitly with SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Uploads (core/spreadsheets): limits checked before any spreadsheet is parsed, and the size above which an import
# runs as a Celery job (core/imports.py) instead of in the web request. See "Security and operations" in the README.
SPREADSHEET_MAX_UPLOAD_BYTES = env_int("SPREADSHEET_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = env_int("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
SPREADSHEET_MAX_COMPRESSION_RATIO = env_int("SPREADSHEET_MAX_COMPRESSION_RATIO", 100)
SPREADSHEET_MAX_ROWS = env_int("SPREADSHEET_MAX_ROWS", 500_000)
SPREADSHEET_MAX_COLUMNS = env_int("SPREADSHEET_MAX_COLUMNS", 256)
SPREADSHEET_MAX_SHARED_STRINGS_BYTES = env_int("SPREADSHEET_MAX_SHARED_STRINGS_BYTES", 100 * 1024 * 1024)
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 5000)
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 20 * 1024 * 1024)
IMPORT_JOB_REQUEUE_MINUTES = env_int("IMPORT_JOB_REQUEUE_MINUTES", 5)
IMPORT_JOB_STALE_MINUTES = env_int("IMPORT_JOB_STALE_MINUTES", 10)
# Case and work-order exports above this many rows are written by a worker (core/exports.py), kept for a day.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)

# Health checks: how long to wait for a Celery worker to answer a ping.
HEALTH_CELERY_TIMEOUT = float(env_str("HEALTH_CELERY_TIMEOUT", "1.0"))
# A beat sample taken this many seconds after its minute was due counts as a fault; the fault rate leaves the
# last HEALTH_SAMPLE_GRACE minutes out (their samples may still be on their way).
HEALTH_SAMPLE_MAX_DELAY = env_int("HEALTH_SAMPLE_MAX_DELAY", 120)
HEALTH_SAMPLE_GRACE = env_int("HEALTH_SAMPLE_GRACE", 5)

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial references. We only parse
# spatial references we generate or import from files an administrator chose, so the warning is silenced.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Three-level networking (exchange/networking/): our platform code in the signed headers (the district code), how
# often beat delivers the queues and for how long one run may send, the back-off ceiling of a peer that is down, the
# HTTP timeout, a CA bundle for the peers' HTTPS (the government extranet's own CA; empty: the system's), and the
# window of an inbound signature's timestamp (a nonce is refused twice inside it).
EXCHANGE_PLATFORM_CODE = env_str("EXCHANGE_PLATFORM_CODE", "500120")
EXCHANGE_RELAY_SECONDS = env_int("EXCHANGE_RELAY_SECONDS", 5)
EXCHANGE_DELIVERY_BUDGET_SECONDS = env_int("EXCHANGE_DELIVERY_BUDGET_SECONDS", 50)
EXCHANGE_MAX_BACKOFF_SECONDS = env_int("EXCHANGE_MAX_BACKOFF_SECONDS", 600)
EXCHANGE_HTTP_TIMEOUT = env_int("EXCHANGE_HTTP_TIMEOUT", 10)
EXCHANGE_CA_FILE = env_str("EXCHANGE_CA_FILE", "")
EXCHANGE_SIGNATURE_WINDOW_SECONDS = env_int("EXCHANGE_SIGNATURE_WINDOW_SECONDS", 300)
CELERY_BEAT_SCHEDULE.update(
    {
        "exchange-deliver": {
            "task": "exchange.networking.tasks.deliver",
            "schedule": timedelta(seconds=EXCHANGE_RELAY_SECONDS),
            "options": {"expires": 60},
        },
        "exchange-base-data": {"task": "exchange.networking.tasks.queue_base_data", "schedule": crontab(hour=4)},
        "exchange-purge-nonces": {"task": "exchange.networking.tasks.purge_nonces", "schedule": timedelta(hours=1)},
    }
)
