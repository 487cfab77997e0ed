# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
SCALE ?= 0.05

.PHONY: setup run dev test lint seed bench fuzz scale-test

setup:
	@bash scripts/setup.sh

# The demo as production serves it: DEBUG=0, own error pages, plain http on 127.0.0.1 (see scripts/run.sh).
run: setup
	$(PY) manage.py seed_city --scale $(SCALE)
	@bash scripts/run.sh

# For development: Django's reloading debug server (DEBUG=1), a Celery worker and beat.
dev: setup
	$(PY) manage.py seed_city --scale $(SCALE)
	@bash scripts/run.sh dev

test:
	@WITH_BROWSER=1 bash scripts/setup.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	.venv/bin/pytest

# The schemathesis run of `make test` (tests/api/test_fuzz.py) with many more examples per operation, role and mode.
FUZZ_EXAMPLES ?= 30
fuzz:
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) .venv/bin/pytest -q -s -p no:cacheprovider tests/api/test_fuzz.py

# The production shape on this machine: primary + streaming replica, PgBouncer, two gunicorn instances, two Celery
# workers on RabbitMQ; one web instance and one worker killed midway (README: Deployment). Not part of `make test`.
scale-test:
	@bash scripts/scale_test.sh $(SCALE_TEST_ARGS)

lint:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

seed: setup
	$(PY) manage.py seed_city --scale $(SCALE)

# Benchmarks print their figures; they are not tests and never run in CI. BENCH_DATABASE_URL names a scratch database.
bench: setup
	$(PY) bench/base_map.py --scale 1
