"""Settings of the citizens' report benchmark server: the intake benchmark's, with the public page's per-address
limit lifted (every benchmark client shares 127.0.0.1; the limit is still counted, so its Redis round trip is paid)."""

from bench.intake_settings import *  # noqa: F403

PUBLIC_REPORT_RATE_PER_ADDRESS = "100000000/hour"
