#!/usr/bin/env bash
# Local bootstrap for the portal: Python venv, front-end packages, private PostgreSQL and Redis.
#
# Used by the Makefile (`make run`, `make test`, `make stop`, `make reset`). Every step is
# idempotent and skips itself when nothing has changed, so a second run is quick.
#   scripts/dev.sh setup      install Python and front-end dependencies (and apt packages as root)
#   scripts/dev.sh services   start private PostgreSQL + Redis under var/ unless DATABASE_URL /
#                             REDIS_URL are set; writes var/local.env for settings to read
#   scripts/dev.sh replica    start a streaming read replica of the private PostgreSQL (var/)
#   scripts/dev.sh replica-stop  stop it (reads fall back to the primary)
#   scripts/dev.sh pgbouncer  start PgBouncer (transaction pooling) in front of it (PGBOUNCER=1)
#   scripts/dev.sh stop       stop the private servers
#   scripts/dev.sh reset      stop them and wipe var/ (local data only)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
mkdir -p "$VAR" "$VAR/staticfiles"

log() { printf '\033[1m[dev]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[dev] %s\033[0m\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  # Installs Debian packages when root; otherwise says exactly what is missing.
  if is_root; then
    if [ ! -f "$VAR/.apt-updated" ]; then
      log "apt-get update"
      apt-get update -qq >/dev/null && touch "$VAR/.apt-updated"
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    die "missing system packages: $*  — install them with: sudo apt-get install -y $*"
  fi
}

find_python() {
  # Python 3.12+: PATH first, then the pyenv versions this kind of machine ships.
  local candidate
  for candidate in python3.13 python3.12 python3 \
      /root/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.12*/bin/python3.12; do
    local path
    path="$(command -v "$candidate" 2>/dev/null || true)"
    [ -n "$path" ] || continue
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$path"; return 0
    fi
  done
  return 1
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

setup_python() {
  # Installs requirements/dev.lock (runtime + dev tools, every file hash-checked) into .venv.
  # Production installs requirements/prod.lock instead (no test tools); see the README.
  local stamp="$VENV/.installed" want lock="$ROOT/requirements/dev.lock"
  want="$(hash_of "$lock" "$ROOT/pyproject.toml")"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local py
  py="$(find_python)" || die "Python 3.12+ not found (tried PATH and /root/.pyenv/versions/3.1[23]*)."
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating .venv with $py"
    "$py" -m venv "$VENV"
  fi
  log "installing Python packages (requirements/dev.lock)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
  echo "$want" > "$stamp"
}

setup_frontend() {
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp="$ROOT/node_modules/.installed" want
  want="$(hash_of "$ROOT/package.json" "$ROOT/package-lock.json")"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing front-end packages (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error 2>&1 | grep -v 'nodedir' || true)
    [ -d "$ROOT/node_modules/govuk-frontend" ] || die "npm ci failed: node_modules/govuk-frontend missing"
    echo "$want" > "$stamp"
  fi
  # Rebuild the stylesheet when any of our Sass or the packages changed.
  local css="$VAR/static-build/portal.css" css_want css_stamp="$VAR/static-build/.built"
  css_want="$(cat "$ROOT"/static/scss/*.scss "$stamp" | sha256sum | cut -c1-16)"
  if [ ! -f "$css" ] || [ "$(cat "$css_stamp" 2>/dev/null)" != "$css_want" ]; then
    log "compiling static/scss/portal.scss (GOV.UK + MOJ Frontend, Arial)"
    mkdir -p "$VAR/static-build"
    (cd "$ROOT" && npx --no-install sass --quiet --no-source-map --load-path=. \
        --load-path=node_modules --style=compressed static/scss/portal.scss "$css")
    echo "$css_want" > "$css_stamp"
  fi
}

setup_system() {
  # Redis server and Chromium (browser tests) from Debian packages when missing.
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [ "${SKIP_BROWSER:-0}" != 1 ] && ! command -v chromium >/dev/null; then
    missing+=(chromium)
  fi
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

free_port() {
  # A free TCP port near a number derived from this checkout's path, so two checkouts on one
  # machine (e.g. a CI clone beside a working tree) do not fight over ports.
  "$VENV/bin/python" - "$1" "$ROOT" <<'PY'
import hashlib, socket, sys
base, root = int(sys.argv[1]), sys.argv[2]
start = base + int(hashlib.sha256(root.encode()).hexdigest(), 16) % 2000
for port in range(start, start + 500):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}

env_get() { grep -E "^$1=" "$VAR/local.env" 2>/dev/null | tail -n1 | cut -d= -f2- || true; }
env_set() {
  touch "$VAR/local.env"
  grep -vE "^$1=" "$VAR/local.env" > "$VAR/local.env.tmp" || true
  echo "$1=$2" >> "$VAR/local.env.tmp"
  mv "$VAR/local.env.tmp" "$VAR/local.env"
}

pg_user() { if is_root; then echo postgres; else id -un; fi; }
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_datadir() {
  # The cluster lives in var/postgres when the postgres user can reach it; a checkout in a
  # root-only folder (as CI may use) falls back to a private directory under /tmp keyed by path.
  # $1 names the cluster's folder (postgres; postgres-replica for the read replica).
  local name="${1:-postgres}" dir
  dir="$VAR/$name"
  if is_root; then
    mkdir -p "$dir" && chown postgres "$dir" && chmod 700 "$dir"
    if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
      dir="/tmp/dwpportal${name#postgres}-pg-$(echo -n "$ROOT" | sha256sum | cut -c1-12)"
      mkdir -p "$dir" && chown postgres "$dir" && chmod 700 "$dir"
    fi
  else
    mkdir -p "$dir" && chmod 700 "$dir"
  fi
  echo "$dir"
}

start_postgres() {
  local data port
  data="$(env_get PGDATA)"
  [ -n "$data" ] || data="$(pg_datadir)"
  if [ ! -f "$data/PG_VERSION" ]; then
    [ -d "$data" ] || data="$(pg_datadir)"
    log "initdb $data"
    as_pg "$PG_BIN/initdb" -D "$data" -U "$(pg_user)" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  env_set PGDATA "$data"
  port="$(env_get PGPORT)"
  if [ -z "$port" ]; then port="$(free_port 15432)"; env_set PGPORT "$port"; fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$port"
    # Local development and test data only: durability is traded for speed (documented).
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB \
          -c max_connections=200 -c work_mem=32MB -c maintenance_work_mem=512MB \
          -c max_wal_size=4GB -c checkpoint_timeout=30min \
          -c wal_level=replica -c max_wal_senders=10 -c wal_keep_size=512MB" \
      start >/dev/null || { tail -n 20 "$data/server.log" >&2; die "PostgreSQL did not start"; }
  fi
  pg_roles "$port"
  env_set DATABASE_OWNER_URL "postgres://$PG_OWNER@127.0.0.1:$port/dwpportal"
  env_set DATABASE_URL "postgres://$PG_APP@127.0.0.1:$port/dwpportal"
}

# Least privilege (audit/db_roles.py): the owner role owns the database and its tables and runs
# migrations; the app role (web, workers, beat) only reads and writes data. Local sign-in is
# trust on loopback; production gives each role its own password.
PG_OWNER=dwpportal_owner
PG_APP=dwpportal_app

pg_sql() { psql -h 127.0.0.1 -p "$1" -U "$(pg_user)" -d "$2" -v ON_ERROR_STOP=1 -qAtc "$3"; }

pg_roles() {
  local port="$1" db
  pg_sql "$port" postgres "
    DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_OWNER') THEN
        CREATE ROLE $PG_OWNER LOGIN CREATEDB NOSUPERUSER NOCREATEROLE;
      END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_APP') THEN
        CREATE ROLE $PG_APP LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
      END IF;
    END \$\$;
    ALTER ROLE $PG_OWNER NOSUPERUSER CREATEDB;
    ALTER ROLE $PG_APP NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;" >/dev/null
  if ! pg_sql "$port" postgres "select 1 from pg_database where datname='dwpportal'" | grep -q 1; then
    pg_sql "$port" postgres "create database dwpportal owner $PG_OWNER" >/dev/null
  fi
  # Databases made before the roles existed (the superuser owned them, and test databases kept
  # with --reuse-db): the owner takes over each database and everything in its public schema.
  for db in $(pg_sql "$port" postgres "select datname from pg_database
      where datname = 'dwpportal' or datname like 'test\\_dwpportal%'"); do
    PGOPTIONS="-c lock_timeout=5s" pg_take_over "$port" "$db" 2>/dev/null \
      || log "database $db is busy: its tables keep their owner until the next run"
  done
}

pg_take_over() {
  local port="$1" db="$2"
  pg_sql "$port" postgres "alter database \"$db\" owner to $PG_OWNER" >/dev/null
  pg_sql "$port" "$db" "
    DO \$\$ DECLARE item record; BEGIN
      ALTER SCHEMA public OWNER TO $PG_OWNER;
      IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> '$PG_OWNER')
        AND NOT EXISTS (SELECT FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '$PG_OWNER') THEN
        RETURN;
      END IF;
      FOR item IN SELECT c.relname, c.relkind FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            AND pg_get_userbyid(c.relowner) <> '$PG_OWNER'
            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
      LOOP
        EXECUTE format('ALTER %s %I OWNER TO $PG_OWNER',
          CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
               WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
          item.relname);
      END LOOP;
      FOR item IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '$PG_OWNER'
            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
      LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO $PG_OWNER', item.fn);
      END LOOP;
    END \$\$;" >/dev/null
}

start_redis() {
  local dir="$VAR/redis" port
  mkdir -p "$dir"
  port="$(env_get REDIS_PORT)"
  if [ -z "$port" ]; then port="$(free_port 16379)"; env_set REDIS_PORT "$port"; fi
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$port"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no \
      --databases 64 >/dev/null  # room for parallel test sessions: a Redis database per worker
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$port" ping >/dev/null || die "Redis did not start (see $dir/redis.log)"
  fi
  env_set REDIS_URL "redis://127.0.0.1:$port/0"
}

# A streaming read replica of the private cluster (docs/scaling.md): a second cluster under var/
# made by pg_basebackup, following the primary over streaming replication as a hot standby. The
# portal sends search and customer-page reads to it (core/replica.py) once REPLICA_DATABASE_URL
# is in var/local.env; it falls back to the primary whenever the replica is down or behind.
PG_REPLICATOR=dwpportal_replicator

start_replica() {
  local primary_port primary_data data port
  primary_port="$(env_get PGPORT)"
  primary_data="$(env_get PGDATA)"
  [ -n "$primary_port" ] && pg_sql "$primary_port" postgres "select 1" >/dev/null 2>&1 \
    || die "the primary is not running: scripts/dev.sh services first"
  [ "$(pg_sql "$primary_port" postgres "show wal_level")" != minimal ] \
    || die "the primary runs with wal_level=minimal: it cannot feed a replica"
  # The replication role and its pg_hba entry (trust on loopback, as for the other local roles).
  pg_sql "$primary_port" postgres "
    DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_REPLICATOR') THEN
        CREATE ROLE $PG_REPLICATOR LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE;
      END IF;
    END \$\$;" >/dev/null
  if ! grep -qE "^host[[:space:]]+replication[[:space:]]+$PG_REPLICATOR[[:space:]]" \
      "$primary_data/pg_hba.conf"; then
    echo "host replication $PG_REPLICATOR 127.0.0.1/32 trust" >> "$primary_data/pg_hba.conf"
    pg_sql "$primary_port" postgres "select pg_reload_conf()" >/dev/null
  fi
  data="$(env_get REPLICA_PGDATA)"
  [ -n "$data" ] || data="$(pg_datadir postgres-replica)"
  # A stopped replica is made afresh: it holds nothing of its own, and the primary keeps only
  # wal_keep_size of WAL, so one stopped for a while could never catch up again.
  if [ -f "$data/PG_VERSION" ] && ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "the replica was stopped: making it afresh from the primary"
    find "$data" -mindepth 1 -delete
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "pg_basebackup of the primary into $data"
    as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U "$PG_REPLICATOR" \
      -D "$data" --wal-method=stream --write-recovery-conf --checkpoint=fast --no-sync \
      || die "pg_basebackup failed"
    rm -f "$data/server.log"
  fi
  env_set REPLICA_PGDATA "$data"
  port="$(env_get REPLICA_PORT)"
  if [ -z "$port" ]; then port="$(free_port 25432)"; env_set REPLICA_PORT "$port"; fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting the PostgreSQL replica on 127.0.0.1:$port"
    # A hot standby must allow at least as many connections as its primary.
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off \
          -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=30s \
          -c max_connections=200 -c shared_buffers=256MB -c work_mem=32MB" \
      start >/dev/null || { tail -n 20 "$data/server.log" >&2; die "the replica did not start"; }
  fi
  env_set REPLICA_DATABASE_URL "postgres://$PG_APP@127.0.0.1:$port/dwpportal"
}

stop_replica() {
  local data
  data="$(env_get REPLICA_PGDATA)"
  if [ -n "$data" ] && [ -f "$data/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" stop -m fast >/dev/null 2>&1 && log "replica stopped" || true
  fi
}

# PgBouncer (the Debian package) in transaction mode in front of the private PostgreSQL: the web
# processes and workers hold client connections to it and share a few server connections. The
# portal uses it when PGBOUNCER=1 (settings: PGBOUNCER_DATABASE_URL, no server-side cursors,
# CONN_MAX_AGE 0); migrations keep the owner's direct connection (DATABASE_OWNER_URL).
start_pgbouncer() {
  local dir="$VAR/pgbouncer" primary_port port
  primary_port="$(env_get PGPORT)"
  [ -n "$primary_port" ] || die "the primary is not running: scripts/dev.sh services first"
  command -v pgbouncer >/dev/null || apt_install pgbouncer
  mkdir -p "$dir"
  port="$(env_get PGBOUNCER_PORT)"
  if [ -z "$port" ]; then port="$(free_port 16432)"; env_set PGBOUNCER_PORT "$port"; fi
  # Local sign-in is trust, as on the cluster itself; the roles must still be listed.
  printf '"%s" ""\n"%s" ""\n' "$PG_APP" "$PG_OWNER" > "$dir/userlist.txt"
  cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$primary_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
reserve_pool_size = 5
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  if is_root; then chown -R postgres "$dir"; fi
  if ! pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
    log "starting PgBouncer (transaction pooling) on 127.0.0.1:$port"
    as_pg pgbouncer -d -q "$dir/pgbouncer.ini" || die "PgBouncer did not start (see $dir/pgbouncer.log)"
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.1; done
  fi
  env_set PGBOUNCER_DATABASE_URL "postgres://$PG_APP@127.0.0.1:$port/dwpportal"
}

stop_pgbouncer() {
  local pidfile="$VAR/pgbouncer/pgbouncer.pid"
  if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then log "PgBouncer stopped"; fi
}

services() {
  if [ -z "${DATABASE_URL:-}" ]; then start_postgres; else log "using DATABASE_URL from the environment"; fi
  if [ -z "${REDIS_URL:-}" ]; then start_redis; else log "using REDIS_URL from the environment"; fi
}

stop() {
  local data port
  stop_pgbouncer
  stop_replica
  data="$(env_get PGDATA)"
  if [ -n "$data" ] && [ -f "$data/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" stop -m fast >/dev/null 2>&1 && log "PostgreSQL stopped" || true
  fi
  port="$(env_get REDIS_PORT)"
  if [ -n "$port" ]; then redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 && log "Redis stopped" || true; fi
}

reset() {
  stop
  local data
  data="$(env_get PGDATA)"
  if [ -n "$data" ] && [ "$data" != "$VAR/postgres" ]; then rm -rf "$data"; fi
  data="$(env_get REPLICA_PGDATA)"
  if [ -n "$data" ] && [ "$data" != "$VAR/postgres-replica" ]; then rm -rf "$data"; fi
  rm -rf "$VAR/postgres" "$VAR/postgres-replica" "$VAR/pgbouncer" "$VAR/redis" "$VAR/local.env" "$VAR/media" "$VAR/legacy-mocks-clock.json"
  log "local data wiped"
}

case "${1:-}" in
  setup) setup_system; setup_python; setup_frontend ;;
  services) services ;;
  replica) start_replica ;;
  replica-stop) stop_replica ;;
  pgbouncer) start_pgbouncer ;;
  pgbouncer-stop) stop_pgbouncer ;;
  stop) stop ;;
  reset) reset ;;
  *) die "usage: $0 setup|services|replica|replica-stop|pgbouncer|pgbouncer-stop|stop|reset" ;;
esac
