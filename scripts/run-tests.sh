#!/usr/bin/env bash
# Runs the pytest suite against the private PostgreSQL and Redis (see scripts/dev.sh).
#
# In parallel by default: pytest-xdist with TEST_WORKERS workers, each with its own test database
# (test_dwpportal<suffix>_gw0, ...) and its own Redis database (see dwpportal/settings/test.py).
# The default is one more worker than the machine has cores: many tests spend their time waiting
# on a browser, a Celery worker or a timeout rather than on the CPU (on 2 cores the warm suite
# took 250-275 s with 3 workers, 335-385 s with 2). "auto" = one per core; 0 = no xdist.
# The `worker` tests share one xdist worker (--dist loadgroup) and so one Celery worker process.
# Passing -n/--numprocesses/--dist or `-p no:xdist` yourself overrides this.
#
# The test databases are kept between runs (--reuse-db) while the migrations are unchanged: a
# hash of every migration file is kept in var/, and when it differs the databases are created
# afresh (--create-db). TEST_DB=create forces that; TEST_DB=fresh uses neither (pytest-django's
# default: create, then drop at the end).
#
# pytest's exit code 5 ("no tests collected") is a failure here: a suite that ran nothing is red.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ALLOW_ASYNC_UNSAFE=true

args=("$@")
parallel=()
workers="${TEST_WORKERS:-$(( $(getconf _NPROCESSORS_ONLN) + 1 ))}"
user_chose_xdist=false
for arg in "${args[@]}"; do
  case "$arg" in
    -n | -n* | --numprocesses | --numprocesses=* | --dist | --dist=* | no:xdist | -pno:xdist)
      user_chose_xdist=true ;;
  esac
done
if ! $user_chose_xdist && [ "$workers" != 0 ]; then
  parallel=(-n "$workers" --dist loadgroup)
else
  workers=0
fi

db_options=()
stamp=""
case "${TEST_DB:-reuse}" in
  fresh) ;;
  create) db_options=(--reuse-db --create-db) ;;
  *)
    # One stamp per database set: the suffix and the number of workers name the databases.
    stamp="var/test-db-${TEST_DB_SUFFIX:-default}-n${workers}.migrations"
    want="$(find . -path ./.venv -prune -o -path ./node_modules -prune -o \
      -path '*/migrations/*.py' -type f -print | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
      db_options=(--reuse-db)
    else
      echo "migrations changed since the test databases were made: creating them afresh" >&2
      db_options=(--reuse-db --create-db)
    fi
    ;;
esac

# The stamp is written by tests/conftest.py once a test database is set up with these migrations.
TEST_DB_STAMP="$stamp" TEST_DB_STAMP_VALUE="${want:-}" \
  .venv/bin/pytest "${parallel[@]}" "${db_options[@]}" "${args[@]}"
status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: treating as failure" >&2
  exit 1
fi
exit "$status"
