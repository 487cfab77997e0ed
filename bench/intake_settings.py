"""Settings of the intake benchmark's server: the platform's, plus one bare insert view (bench/intake_urls.py)."""

from citymgmt.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
