"""Settings of the test run: the production settings, over plain http.

DEBUG now defaults to off, and with it the HTTPS redirect and secure cookies; the test client and the live server
speak plain http. pytest-django imports the settings before any conftest runs, so the environment is set here.
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from citymgmt.settings import *  # noqa: F403
