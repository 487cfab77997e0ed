"""Settings of the intake benchmark's server: the platform's, plus one bare insert view (bench/intake_urls.py)."""

from citymgmt.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The benchmark measures the intake path, not its rate limit: one collector sends hundreds of reports a second.
_rates = {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "intake": None, "user": None}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": _rates}  # noqa: F405
