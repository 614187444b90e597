# The portal's commands. `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
PORT ?= 8000
LEGACY_PORT ?= 8100
# The local OpenID Connect provider (oidc-provider-mock) colleagues sign in at.
SSO_PORT ?= 8200
DEMO_CUSTOMERS ?= 2000
# PGBOUNCER=1: the web, workers and beat reach PostgreSQL through PgBouncer (settings: PGBOUNCER).
PGBOUNCER ?= 0
export PGBOUNCER
# honcho gives every Procfile process its own $PORT (base + 100 per process), so the web server
# binds $WEB_PORT instead; the portal's web, worker and ready processes find the mocks here.
WEB_PORT := $(PORT)
LEGACY_BASE_URL ?= http://127.0.0.1:$(LEGACY_PORT)
OIDC_PROVIDER_URL ?= http://127.0.0.1:$(SSO_PORT)
export PORT WEB_PORT LEGACY_PORT LEGACY_BASE_URL DEMO_CUSTOMERS SSO_PORT OIDC_PROVIDER_URL

.PHONY: help setup services run test test-fast lint typecheck lock stop reset bench

help:
	@echo "make run    - set up, start PostgreSQL, Redis, legacy mocks, web, worker, beat; load demo data"
	@echo "make test   - set up, make lint, then the whole test suite (unit, integration, browser)"
	@echo "make run REPLICA=1 - the same with a streaming read replica (docs/scaling.md)"
	@echo "make run PGBOUNCER=1 - the same with PgBouncer (transaction pooling) before PostgreSQL"
	@echo "make stop   - stop the private PostgreSQL and Redis"
	@echo "make reset  - stop them and wipe local data under var/"
	@echo "make bench  - benchmarks at 100k/300k/1M customers (BENCH_SIZES=3000,6000,12000 for a quick run)"
	@echo "make lint   - ruff, the import contracts and mypy (needs no database)"
	@echo "make typecheck - mypy alone, with django-stubs (needs no database)"
	@echo "make lock   - regenerate requirements/dev.lock and prod.lock from pyproject.toml (UPGRADE=1 to move pins)"

setup:
	@scripts/dev.sh setup

services: setup
	@scripts/dev.sh services
	@if [ "$(REPLICA)" = 1 ]; then scripts/dev.sh replica; fi
	@if [ "$(PGBOUNCER)" = 1 ]; then scripts/dev.sh pgbouncer; fi

run: services
	@$(PY) manage.py migrate --no-input -v 0
	@$(PY) manage.py demo_users --sso-users-file var/sso-users.json > var/demo-users.txt
	@.venv/bin/honcho -f Procfile start

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache --no-logo
	.venv/bin/mypy

typecheck: setup
	.venv/bin/mypy

# Hash-pinned locks for Python 3.12+ on any platform, resolved from PyPI. The dev lock keeps the
# versions it already pins unless UPGRADE=1; the runtime lock takes its versions from the dev lock.
UV_COMPILE := .venv/bin/uv pip compile pyproject.toml --universal --python-version 3.12 \
	--generate-hashes --quiet --custom-compile-command "make lock"
lock: setup
	$(UV_COMPILE) --group dev $(if $(UPGRADE),--upgrade) -o requirements/dev.lock
	$(UV_COMPILE) -c requirements/dev.lock -o requirements/prod.lock

test: services lint
	@scripts/run-tests.sh

stop:
	@scripts/dev.sh stop

reset:
	@scripts/dev.sh reset

bench: services
	@$(PY) manage.py migrate --no-input -v 0
	@scripts/bench.sh
