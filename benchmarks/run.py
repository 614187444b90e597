"""The `make bench` harness: builds each size's dataset through the real sync, measures, writes
the doc.

Run by scripts/bench.sh as `python -m benchmarks.run` with DJANGO_SETTINGS_MODULE set to
dwpportal.settings.bench. This process measures nothing itself: it runs one child per size
(`python -m benchmarks.run --size N`, its own Django on that size's database), then one per
size of the worker comparison (`--workers N`), keeps what each found in var/bench/ as JSON and
writes the report from it. Every process a child starts is stopped when it exits, also on
failure. The configuration is read from the environment once (`benchmarks.config`); the
measurements live beside this file by concern: `dataset` (the bench database, samples,
colleagues), `sync` (load, incremental, COPY floor, update_or_create baseline), `web` (search
and customer page), `load` (Locust), `disk`, `cpu`, `scaling` (1, 2 and 4 workers), `results`,
`growth` and `report`.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.config import BIN, NOTES, ROOT, VAR, BenchConfig, config_from_environment, log
from benchmarks.cpu import CpuMeter
from benchmarks.processes import (
    Processes,
    celery_worker_args,
    free_port,
    mocks_start,
    wait_for,
    workers_wait,
)
from benchmarks.results import Results, Run, machine_describe, results_dumps, results_loads
from benchmarks.scaling import scaling_database, scaling_measure

BENCH_ENV = {"DJANGO_SETTINGS_MODULE": "dwpportal.settings.bench", "LOG_LEVEL": "WARNING"}


def _stop_on_sigterm() -> None:
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)


def _django_setup(database: str, mocks: str) -> None:
    """Django on `database`, its legacy sources on `mocks` (both read when settings load)."""
    os.environ["BENCH_DB_NAME"] = database
    os.environ["LEGACY_BASE_URL"] = mocks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dwpportal.settings.bench")
    import django

    django.setup()


def size_measure(config: BenchConfig) -> Results:
    """Every figure at one size (`config.customers`), on its own database."""
    from benchmarks.dataset import (
        colleagues_ensure,
        database_prepare,
        disk_measure,
        history_tables,
        portal_tables,
        table_counts,
    )
    from benchmarks.load import load_measure
    from benchmarks.sync import copy_floor, dataset_build, incremental_measure, naive_baseline
    from benchmarks.web import page_measure, search_measure

    n = config.customers
    processes = Processes()
    results = Results(customers=n, machine=machine_describe())
    log(f"N={n:,} seed={config.seed}; load average {results.machine['load_average']}")
    database = config.database
    mocks = f"http://127.0.0.1:{free_port()}"

    def meter() -> CpuMeter:
        return CpuMeter(processes.sessions(), {database})

    try:
        marker = database_prepare(config, database)
        _django_setup(database, mocks)
        import django
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            results.machine["postgresql"] = cursor.fetchone()[0]
        results.machine["django"] = django.get_version()
        mocks_start(processes, mocks, n, config.seed)
        if config.sync_mode == "worker":
            processes.start("worker", celery_worker_args(concurrency=2), env=BENCH_ENV)
            workers_wait(["worker"], processes)  # its start-up is not the load's time
        marker = dataset_build(config, marker, mocks, meter)
        if "cpu" in marker:
            results.cpu["initial load"] = marker.pop("cpu")
        incremental = incremental_measure(config, mocks, meter)
        results.cpu["incremental"] = incremental.pop("cpu")
        tables = portal_tables()
        counts = table_counts(tables)
        history = sum(table_counts(history_tables()).values())
        results.disk = disk_measure(counts["customers_customer"])
        log(f"on disk: {results.disk['per_customer']['total']:,.0f} bytes per portal customer")
        log("COPY floor: the same rows into the same tables, and into temporary copies")
        copy = copy_floor(tables, history_tables(), database)
        log(
            f"COPY: {copy['copy_rows']:,} rows in {copy['copy_seconds']:.1f} s into the portal "
            f"tables ({copy['copy_history_rows']:,} history rows by their triggers), "
            f"{copy['copy_temp_seconds']:.1f} s into temporary copies"
        )
        naive_rows, naive_seconds = naive_baseline(config, config.naive_rows)
        log(f"update_or_create: {naive_rows:,} rows in {naive_seconds:.1f} s")
        results.sync = {
            **marker,
            "incremental": incremental,
            "counts": counts,
            "history_rows": history,
            **copy,
            "naive_rows": naive_rows,
            "naive_seconds": naive_seconds,
        }
        processes.stop("mocks")

        coaches, admin = colleagues_ensure(config.load_users, config.password)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web_env = {**BENCH_ENV, "DB_CONN_MAX_AGE": "600"}
        if config.pgbouncer:  # scripts/bench.sh started it (scripts/dev.sh pgbouncer)
            web_env["PGBOUNCER"] = "1"
        processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "dwpportal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(config.web_workers),
                "--no-control-socket",
            ],
            env=web_env,
        )
        if not processes.alive("worker"):
            processes.start("worker", celery_worker_args(concurrency=1), env=BENCH_ENV)
        wait_for(f"{base}/healthz", processes, "gunicorn")
        results.machine["web"] = (
            f"gunicorn, {config.web_workers} sync workers"
            + (" through PgBouncer (transaction pooling)" if config.pgbouncer else "")
            + "; 1 Celery worker"
        )
        queries = search_measure(config, results, base, database, (coaches[0], admin), meter)
        pages = page_measure(config, results, base, coaches[0], meter)
        load_measure(config, results, base, coaches, queries, pages, meter)
        results.disk["audit_after"] = disk_measure(counts["customers_customer"])["audit"]
        return results
    finally:
        processes.stop()


def workers_measure(config: BenchConfig) -> list[dict[str, Any]]:
    """The initial load of `config.customers` with 1, 2 and 4 workers (benchmarks.scaling)."""
    processes = Processes()
    database = scaling_database(config.customers)
    mocks = f"http://127.0.0.1:{free_port()}"
    try:
        _django_setup(database, mocks)
        mocks_start(processes, mocks, config.customers, config.seed)
        return scaling_measure(config, processes, mocks, database)
    finally:
        processes.stop()


def _child(step: str, customers: int, config: BenchConfig) -> None:
    """Run one step (`--size` or `--workers`) in its own process: its own Django settings name
    the size's database, and a failure there stops every process it started."""
    database = config.at(customers).database if step == "size" else scaling_database(customers)
    env = {
        **os.environ,
        "BENCH_SIZES": ",".join(map(str, config.sizes)),  # the same load-test length
        "BENCH_CUSTOMERS": str(customers),  # the bench settings' cache prefix
        "BENCH_DB_NAME": database,
    }
    child = subprocess.Popen(
        [str(BIN / "python"), "-m", "benchmarks.run", f"--{step}", str(customers)],
        cwd=ROOT,
        env=env,
    )
    try:
        status = child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGTERM)
        child.wait()
        raise
    if status != 0:
        raise RuntimeError(f"the bench step --{step} {customers} failed (exit status {status})")


def run_save(run: Run, path: Path) -> None:
    text = results_dumps(run)
    path.write_text(text)
    (VAR / "latest.json").write_text(text)


def main(config: BenchConfig) -> int:
    """Each size, then the worker comparison, then the report (from var/bench/run-*.json)."""
    from benchmarks.report import report_write

    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "sync.log").write_text("")
    _stop_on_sigterm()
    started = time.monotonic()
    run = Run(settings=config.settings(), machine=machine_describe())
    path = VAR / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    log(f"sizes {', '.join(f'{n:,}' for n in config.sizes)}; machine: {run.machine}")
    for n in config.sizes:
        size_started = time.monotonic()
        _child("size", n, config)
        run.sizes[n] = results_loads((VAR / f"results-{n}.json").read_text())
        run.sizes[n].machine["elapsed_seconds"] = time.monotonic() - size_started
        run_save(run, path)
    for n in config.scaling_sizes:
        scaling_started = time.monotonic()
        _child("workers", n, config)
        run.scaling[n] = results_loads((VAR / f"workers-{n}.json").read_text())
        run.machine[f"workers_{n}_elapsed_seconds"] = time.monotonic() - scaling_started
        run_save(run, path)
    run.machine["elapsed_seconds"] = time.monotonic() - started
    run_save(run, path)
    log(f"results: {path.relative_to(ROOT)}")
    print(report_write(run, doc=config.doc, notes=NOTES), flush=True)
    return 0


def step_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    steps = parser.add_mutually_exclusive_group()
    steps.add_argument("--size", type=int, help="measure this many customers (a child step)")
    steps.add_argument("--workers", type=int, help="the sync with 1, 2, 4 workers at this size")
    args = parser.parse_args(argv)
    config = config_from_environment()
    if args.size:
        _stop_on_sigterm()
        results = size_measure(config.at(args.size))
        (VAR / f"results-{args.size}.json").write_text(results_dumps(results))
        return 0
    if args.workers:
        _stop_on_sigterm()
        measured = workers_measure(config.at(args.workers))
        (VAR / f"workers-{args.workers}.json").write_text(results_dumps(measured))
        return 0
    return main(config)


if __name__ == "__main__":
    sys.exit(step_main(sys.argv[1:]))
