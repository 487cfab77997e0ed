#!/usr/bin/env bash
# make run: the demo as production serves it (DEBUG=0, the project's own error pages, static files by WhiteNoise)
# over plain http on 127.0.0.1, with gunicorn, a Celery worker and Celery beat in the foreground.
# make dev (`run.sh dev`): Django's reloading debug server (DEBUG=1) instead of gunicorn, with the same worker and beat.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
MODE=${1:-run}
mkdir -p .run
if [ "$MODE" = dev ]; then
  export DEBUG=1
else
  export DEBUG=${DEBUG:-0}
fi
# DEBUG=0 means HTTPS redirects and secure-only cookies, which a plain-http demo on 127.0.0.1 cannot use: off here,
# explicitly; production (behind TLS) leaves both variables unset and keeps the secure defaults.
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
export SECURE_COOKIES=${SECURE_COOKIES:-0}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped"; }
trap stop INT TERM EXIT

if [ "$MODE" = dev ]; then
  .venv/bin/python manage.py runserver "127.0.0.1:$PORT" & pids+=($!)
else
  .venv/bin/gunicorn citymgmt.wsgi:application --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
    --access-logfile - --log-level info & pids+=($!)
fi
# One worker consumes every queue here; production runs workers per queue (README: Deployment).
queues=$(printf "${CELERY_QUEUE_PREFIX:-}%s," default rollups exports exchange notifications)
.venv/bin/celery -A citymgmt worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" -n "worker@%h" \
  -Q "${queues%,}" & pids+=($!)
.venv/bin/celery -A citymgmt beat --loglevel INFO --schedule .run/celerybeat-schedule & pids+=($!)

cat <<TXT

  City-management command centre: http://127.0.0.1:$PORT/   (admin: /admin/, API docs: /api/docs/)
  DEBUG=$DEBUG ($([ "$MODE" = dev ] && echo "make dev: reloading debug server" || echo "make run: as in production; make dev for the debug server"))
  Demo accounts, password citymgmt-demo:
    collector (监督员)  operator (受理员)  leader (值班长)  dispatcher (派遣员)
    supervisor (督查)   finance (财务)     admin (系统管理员)  dept01 … dept29 (处置部门)
  Ctrl-C stops the web server, the Celery worker and beat.

TXT
wait -n "${pids[@]}"
