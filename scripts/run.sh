#!/usr/bin/env bash
# make run: web server, Celery worker and Celery beat in the foreground; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
mkdir -p .run
pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped"; }
trap stop INT TERM EXIT

.venv/bin/gunicorn citymgmt.wsgi:application --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
  --access-logfile - --log-level info & pids+=($!)
.venv/bin/celery -A citymgmt worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" -n "worker@%h" & pids+=($!)
.venv/bin/celery -A citymgmt beat --loglevel INFO --schedule .run/celerybeat-schedule & pids+=($!)

cat <<TXT

  City-management command centre: http://127.0.0.1:$PORT/   (admin: /admin/, API docs: /api/docs/)
  Demo accounts, password citymgmt-demo:
    collector (监督员)  operator (受理员)  leader (值班长)  dispatcher (派遣员)
    supervisor (督查)   finance (财务)     admin (系统管理员)  dept01 … dept29 (处置部门)
  Ctrl-C stops the web server, the Celery worker and beat.

TXT
wait -n "${pids[@]}"
