#!/usr/bin/env bash
# Runs the whole pytest suite against the private PostgreSQL and Redis (see scripts/dev.sh).
# pytest's exit code 5 ("no tests collected") is a failure here: a suite that ran nothing is red.
set -uo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ALLOW_ASYNC_UNSAFE=true
.venv/bin/pytest "$@"
status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: treating as failure" >&2
  exit 1
fi
exit "$status"
