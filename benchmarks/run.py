"""The `make bench` harness: builds the dataset through the real sync, measures, writes the doc.

Run by scripts/bench.sh as `python -m benchmarks.run` with DJANGO_SETTINGS_MODULE set to
dwpportal.settings.bench. Every process it starts is stopped on exit, also on failure.
The configuration is read from the environment once (`benchmarks.config`); the measurements live
beside this file by concern: `dataset` (the bench database, samples, colleagues), `sync` (load,
incremental, COPY floor, update_or_create baseline), `web` (search and customer page), `load`
(Locust), `results` and `report`.
"""

import os
import pickle
import signal
import sys
import time

from benchmarks.config import (
    BIN,
    MOCKS_START_DATE,
    NOTES,
    VAR,
    BenchConfig,
    config_from_environment,
    log,
)
from benchmarks.dataset import (
    colleagues_ensure,
    database_prepare,
    history_tables,
    portal_tables,
    table_counts,
)
from benchmarks.load import load_measure
from benchmarks.processes import Processes, free_port, wait_for
from benchmarks.results import Results, machine_describe
from benchmarks.sync import copy_floor, dataset_build, incremental_measure, naive_baseline
from benchmarks.web import page_measure, search_measure


def main(config: BenchConfig) -> int:
    n, seed = config.customers, config.seed
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "sync.log").write_text("")
    processes = Processes()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    results = Results(machine=machine_describe())
    log(f"N={n:,} seed={seed}; machine: {results.machine}")
    database = config.database
    os.environ["BENCH_DB_NAME"] = database
    mocks = f"http://127.0.0.1:{free_port()}"
    os.environ["LEGACY_BASE_URL"] = mocks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dwpportal.settings.bench")
    try:
        marker = database_prepare(config, database)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            results.machine["postgresql"] = cursor.fetchone()[0]
        results.machine["django"] = django.get_version()
        processes.start(
            "mocks",
            [
                str(BIN / "python"),
                "-m",
                "legacy_mocks",
                "serve",
                "--port",
                mocks.rsplit(":", 1)[1],
                "--customers",
                str(n),
                "--seed",
                seed,
                "--start-date",
                MOCKS_START_DATE,
            ],
        )
        wait_for(f"{mocks}/_control/clock", processes, "mocks")
        bench_env = {"DJANGO_SETTINGS_MODULE": "dwpportal.settings.bench", "LOG_LEVEL": "WARNING"}
        worker_args = [str(BIN / "celery"), "-A", "dwpportal", "worker", "-l", "WARNING"]
        if config.sync_mode == "worker":
            processes.start("worker", [*worker_args, "-c", "2"], env=bench_env)
        marker = dataset_build(config, marker, mocks, processes)
        incremental = incremental_measure(config, mocks, processes)
        tables = portal_tables()
        counts = table_counts(tables)
        history = sum(table_counts(history_tables()).values())
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
        web_env = {**bench_env, "DB_CONN_MAX_AGE": "600"}
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
            processes.start("worker", [*worker_args, "-c", "1"], env=bench_env)
        wait_for(f"{base}/healthz", processes, "gunicorn")
        results.machine["web"] = (
            f"gunicorn, {config.web_workers} sync workers"
            + (" through PgBouncer (transaction pooling)" if config.pgbouncer else "")
            + "; 1 Celery worker"
        )
        queries = search_measure(config, results, base, database, coaches[0], admin)
        pages = page_measure(config, results, base, coaches[0])
        load_measure(config, results, base, coaches, queries, pages)
        results.machine["elapsed"] = f"{(time.monotonic() - started) / 60:.1f} min"
        from benchmarks.report import report_write

        with (VAR / f"results-{n}.pickle").open("wb") as saved:
            pickle.dump(results, saved)  # `python -m benchmarks.report` re-renders the doc
        text = report_write(results, config=config, notes=NOTES)
        print(text, flush=True)
        return 0
    finally:
        processes.stop()


if __name__ == "__main__":
    sys.exit(main(config_from_environment()))
