#!/usr/bin/env bash
# make bench: the benchmark harness (benchmarks/run.py) on its own databases, with cleanup.
#   make bench                                   # 100,000, 300,000 and 1,000,000 customers
#   BENCH_SIZES=3000,6000,12000 make bench       # a quick run of the same steps
#   BENCH_CUSTOMERS=50000 make bench             # one size
# Writes docs/benchmarks.md (BENCH_DOC) and prints it; results (JSON) and logs in var/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE=dwpportal.settings.bench
mkdir -p var/bench
# The load test's web server goes through PgBouncer unless BENCH_PGBOUNCER=0.
if [[ "${BENCH_PGBOUNCER:-1}" != 0 ]]; then scripts/dev.sh pgbouncer; fi

harness=""
cleanup() {
    # The harness stops everything it started (mocks, gunicorn, Celery, Locust) on SIGTERM.
    if [[ -n "$harness" ]] && kill -0 "$harness" 2>/dev/null; then
        kill -TERM "$harness" 2>/dev/null || true
        wait "$harness" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

.venv/bin/python -m benchmarks.run &
harness=$!
wait "$harness"
status=$?
harness=""
exit "$status"
