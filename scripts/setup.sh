#!/usr/bin/env bash
# make setup: system packages, the virtualenv, running PostgreSQL/PostGIS and Redis, the database, migrations.
# Idempotent: a second run checks and changes nothing. WITH_BROWSER=1 also installs Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

DATABASE_URL=${DATABASE_URL:-postgis://postgres@127.0.0.1:5432/citymgmt}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DATABASE_URL REDIS_URL
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m[setup] %s\033[0m\n' "$*" >&2; }

# Parse the two URLs with Python's standard library (no virtualenv needed yet).
read -r DB_HOST DB_PORT DB_USER DB_NAME REDIS_HOST REDIS_PORT < <(python3 - <<'PY'
import os
from urllib.parse import urlparse
d = urlparse(os.environ["DATABASE_URL"]); r = urlparse(os.environ["REDIS_URL"])
print(d.hostname or "127.0.0.1", d.port or 5432, d.username or "postgres", d.path.lstrip("/") or "citymgmt",
      r.hostname or "127.0.0.1", r.port or 6379)
PY
)
is_local() { case "$1" in 127.*|localhost|::1) return 0 ;; *) return 1 ;; esac; }

# ---- 1. System packages -------------------------------------------------------------------------------------
want=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pg_version() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -z "$v" ] && command -v apt-cache >/dev/null; then
    v=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n 1)
  fi
  echo "${v:-15}"
}
PGV=$(pg_version)
python3 -m venv --help >/dev/null 2>&1 || want+=(python3-venv)
have_pkg gdal-bin || want+=(gdal-bin)
have_pkg make || want+=(make)
command -v msgfmt >/dev/null || want+=(gettext)
command -v npm >/dev/null || want+=(nodejs npm)
if is_local "$DB_HOST"; then
  have_pkg "postgresql-$PGV" || want+=("postgresql-$PGV")
  have_pkg "postgresql-$PGV-postgis-3" || want+=("postgresql-$PGV-postgis-3")
fi
command -v psql >/dev/null || want+=(postgresql-client)
if is_local "$REDIS_HOST"; then command -v redis-server >/dev/null || want+=(redis-server); fi
command -v redis-cli >/dev/null || want+=(redis-tools)
if [ "${WITH_BROWSER:-0}" = 1 ]; then  # the test set-up (make test): also the engines the deployment tests start
  have_pkg chromium || want+=(chromium)
  have_pkg fonts-noto-cjk || want+=(fonts-noto-cjk)
  have_pkg pgbouncer || want+=(pgbouncer)
  have_pkg rabbitmq-server || want+=(rabbitmq-server)
fi
if [ ${#want[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    warn "Missing system packages. Install them, then run this again:"
    warn "  sudo apt-get install -y ${want[*]}"
    exit 1
  fi
  say "installing: ${want[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

# ---- 2. Python virtualenv -----------------------------------------------------------------------------------
[ -x .venv/bin/python ] || { say "creating .venv"; python3 -m venv .venv; }
req_hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat .venv/.requirements.sha 2>/dev/null)" != "$req_hash" ]; then
  say "installing Python packages from requirements.txt"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$req_hash" > .venv/.requirements.sha
fi

# ---- 3. Services --------------------------------------------------------------------------------------------
if is_local "$REDIS_HOST" && ! redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "starting Redis on $REDIS_HOST:$REDIS_PORT"
  mkdir -p /tmp/citymgmt-redis
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp/citymgmt-redis --logfile /tmp/citymgmt-redis/redis.log
  for _ in $(seq 50); do redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null || { warn "Redis at $REDIS_URL does not answer"; exit 1; }
# RabbitMQ, the production broker, for its tests (tests/core/test_rabbitmq_broker.py): started when installed here.
if [ "${WITH_BROWSER:-0}" = 1 ] && ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && command -v rabbitmq-server >/dev/null; then
  say "starting RabbitMQ"
  if [ "$(id -u)" = 0 ]; then service rabbitmq-server start >/dev/null 2>&1 || rabbitmq-server -detached; fi
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 0.2; done
fi

psql_admin() { psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if is_local "$DB_HOST" && ! pg_isready -h "$DB_HOST" -p "$DB_PORT" -q; then
  say "starting PostgreSQL $PGV"
  pg_ctlcluster --skip-systemctl-redirect "$PGV" main start 2>/dev/null || pg_ctlcluster "$PGV" main start
  for _ in $(seq 100); do pg_isready -h "$DB_HOST" -p "$DB_PORT" -q && break; sleep 0.1; done
fi
if is_local "$DB_HOST" && ! psql_admin -c "select 1" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # A freshly installed Debian cluster asks for a password over TCP: let the local postgres user in, as on our
  # development machines (trust on loopback only).
  hba=$(runuser -u postgres -- psql -qtAc "show hba_file")
  warn "allowing trust authentication for user $DB_USER on loopback in $hba"
  sed -i "1i host all $DB_USER 127.0.0.1/32 trust\nhost all $DB_USER ::1/128 trust" "$hba"
  runuser -u postgres -- psql -qtAc "select pg_reload_conf()" >/dev/null
fi
psql_admin -c "select 1" >/dev/null || { warn "cannot connect to PostgreSQL as $DB_USER at $DB_HOST:$DB_PORT"; exit 1; }
if [ "$(psql_admin -c "select 1 from pg_database where datname = '$DB_NAME'")" != 1 ]; then
  say "creating database $DB_NAME"
  psql_admin -c "create database \"$DB_NAME\""
fi
PGOPTIONS="--client-min-messages=warning" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -qtA -c "create extension if not exists postgis" >/dev/null

# ---- 4. Front-end packages from the npm registry (never a CDN at run time) --------------------------------------
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.lock.sha 2>/dev/null)" != "$lock_hash" ]; then
  say "installing front-end packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.lock.sha
fi
mkdir -p static/vendor/leaflet.vectorgrid
cp node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js static/vendor/leaflet.vectorgrid/
mkdir -p static/vendor/echarts
cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/

# ---- 5. Schema and static files -----------------------------------------------------------------------------
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py compilemessages --ignore=.venv -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0
say "ready: database $DB_NAME on $DB_HOST:$DB_PORT, Redis $REDIS_HOST:$REDIS_PORT"
