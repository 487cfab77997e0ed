"""Settings for the city-management command-centre platform.

Everything that differs between a developer's machine and production comes from the environment
(see .env.example and the README); the defaults work with the local set-up made by `make setup`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

DATABASE_URL = env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/citymgmt")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DATABASE_URL must use the postgis:// scheme (PostgreSQL with PostGIS)")

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    # Our layers, bottom to top: core → grids → cases → hotlines → evaluation (→ demo).
    "core",
    "grids",
    "cases",
    "hotlines",
    "evaluation",
    "demo",  # seeds a demo city across every layer; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.QueryHygieneMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
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
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "citymgmt"),
    }
}

# Celery: Redis as broker and result store; beat runs the schedule below.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "record-health": {"task": "core.tasks.record_health", "schedule": timedelta(minutes=1)},
    "mark-overdue-cases": {"task": "cases.tasks.mark_overdue", "schedule": timedelta(minutes=1)},
    "notify-overdue-hotline-orders": {"task": "hotlines.tasks.notify_overdue", "schedule": timedelta(minutes=5)},
    # evaluation: facts of cases flagged overdue in bulk; nightly rebuild of the rollups; last month's bulletin.
    "evaluation-sync-facts": {"task": "evaluation.tasks.sync_facts", "schedule": timedelta(seconds=15)},
    "evaluation-rebuild-rollups": {"task": "evaluation.tasks.rebuild_rollups", "schedule": crontab(hour=2, minute=30)},
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
    },
}

MAP_TILES_URL = env_str("MAP_TILES_URL", "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (29.592, 106.219),  # Bishan district, Chongqing
    "DEFAULT_ZOOM": 13,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    # Command centres run on intranets with no internet: no base tiles unless MAP_TILES_URL names the
    # centre's own tile server; grids and components are drawn from our own data either way.
    "TILES": [(_("Base map"), MAP_TILES_URL, {"attribution": ""})] if MAP_TILES_URL else [],
    "RESET_VIEW": False,
}

# Security settings that only make sense behind HTTPS in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
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

# Health checks: how long to wait for a Celery worker to answer a ping.
HEALTH_CELERY_TIMEOUT = float(env_str("HEALTH_CELERY_TIMEOUT", "1.0"))

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial references. We only parse
# spatial references we generate or import from files an administrator chose, so the warning is silenced.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
