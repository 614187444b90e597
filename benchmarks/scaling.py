"""The sync with 1, 2 and 4 Celery workers: the same initial load, into the same empty database,
from the same mocks, timed with each number of workers.

The database is migrated once and kept as a template; before each worker count a fresh copy is
made from it (CREATE DATABASE … TEMPLATE), so every count loads the same rows into the same
empty tables. Each worker is its own process (`-c 1`) on every queue; the harness waits until
all of them answer a ping, so worker start-up is not timed. The queues are purged first, so no
task left by an earlier run reaches the copy.

A source's pages run one after another (each page queues the next when it commits), so with
four sources no more than four workers can be busy at once.
"""

import os
import time
from typing import Any

import psycopg

from benchmarks.config import BenchConfig, log
from benchmarks.cpu import CpuMeter
from benchmarks.dataset import portal_tables, server_dsn, table_counts
from benchmarks.processes import Processes, celery_worker_args, workers_wait
from benchmarks.sync import sync_run


def scaling_database(customers: int) -> str:
    return f"dwpportal_bench_{customers}_workers"


def _admin(sql: str) -> None:
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(sql)


def _sessions_wait(database: str, timeout: float = 60) -> None:
    """Wait until nobody else is connected to `database`.

    The harness connects as the owner role, which may not end the app role's sessions (it is not
    a member of pg_signal_backend), so DROP DATABASE … WITH (FORCE) fails while a stopped worker's
    server process is still exiting. Its sessions go within moments of the worker; wait for that.
    """
    deadline = time.monotonic() + timeout
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        while True:
            left = admin.execute(
                "SELECT usename, application_name FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            ).fetchall()
            if not left:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{database} still has sessions after {timeout:.0f} s: {left}")
            time.sleep(0.2)


def scaling_measure(
    config: BenchConfig, processes: Processes, mocks: str, database: str
) -> list[dict[str, Any]]:
    """The initial load of `config.customers` with each of `config.scaling_workers` workers.

    Django must already be connected to `database` (BENCH_DB_NAME); the mocks must be on day 0.
    """
    from django.core.management import call_command
    from django.db import connections

    from dwpportal.celery import app

    template = f"{database}_empty"
    for name in (database, template):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{database}"')
    call_command("migrate", verbosity=0, interactive=False)
    connections.close_all()
    _admin(f'CREATE DATABASE "{template}" TEMPLATE "{database}"')
    env = {"DJANGO_SETTINGS_MODULE": "dwpportal.settings.bench", "LOG_LEVEL": "WARNING"}
    measured: list[dict[str, Any]] = []
    try:
        for workers in config.scaling_workers:
            connections.close_all()
            _sessions_wait(database)
            _admin(f'DROP DATABASE "{database}" WITH (FORCE)')
            _admin(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            app.control.purge()
            for index in range(1, workers + 1):
                processes.start(
                    f"worker-{index}",
                    celery_worker_args(concurrency=1, name=f"bench-{index}-{os.getpid()}"),
                    env=env,
                )
            workers_wait([f"worker-{i}" for i in range(1, workers + 1)], processes)
            log(f"initial load of {config.customers:,} customers with {workers} worker(s)")
            seconds, runs, cpu = sync_run(
                full=True,
                sync_mode="worker",
                meter=lambda: CpuMeter(processes.sessions(), {database}),
            )
            failed = [(r.source, r.error) for r in runs if r.status != "succeeded"]
            if failed:
                raise RuntimeError(f"the load with {workers} worker(s) failed: {failed}")
            rows = sum(table_counts(portal_tables()).values())
            for index in range(1, workers + 1):
                processes.stop(f"worker-{index}")
            finished = {r.source: (r.finished_at - r.started_at).total_seconds() for r in runs}
            measured.append(
                {
                    "workers": workers,
                    "seconds": seconds,
                    "rows": rows,
                    "sources_seconds": finished,
                    "cpu": cpu,
                }
            )
            log(f"{workers} worker(s): {seconds:.1f} s, {rows:,} rows ({rows / seconds:,.0f}/s)")
    finally:
        connections.close_all()
        for index in range(1, max(config.scaling_workers) + 1):
            processes.stop(f"worker-{index}")  # after a failure some may still run
        _sessions_wait(database)
        for name in (database, template):
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return measured
