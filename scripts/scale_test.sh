#!/usr/bin/env bash
# make scale-test: the production shape on this machine (scripts/scale_test.py). Not part of `make test`.
# Needs PostgreSQL's server binaries (Debian's postgresql-15), pgbouncer and a RabbitMQ on 127.0.0.1:5672.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=${WITH_BROWSER:-0} bash scripts/setup.sh >/dev/null
command -v pgbouncer >/dev/null || { echo "pgbouncer is missing: apt-get install pgbouncer" >&2; exit 1; }
exec .venv/bin/python scripts/scale_test.py "$@"
