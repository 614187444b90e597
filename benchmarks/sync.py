"""Sync measurements: the initial load and the incremental sync through the real sync, the
PostgreSQL COPY floor and the per-row update_or_create baseline."""

import datetime as dt
import time
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.config import VAR, BenchConfig, log
from benchmarks.cpu import HARNESS, POSTGRES, CpuUse, Meter
from benchmarks.dataset import portal_tables, sampled_ninos, server_dsn, table_counts
from benchmarks.processes import post_json


def sync_run(*, full: bool, sync_mode: str, meter: Meter) -> tuple[float, list[Any], CpuUse]:
    """One sync of all four sources (inline, or through the Celery workers): its seconds, its
    runs and the CPU it cost (the harness, workers, mocks and PostgreSQL backends)."""
    from django.core.management import call_command

    from benefits.models import SyncRun

    before = SyncRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    options: dict[str, Any] = {"source": "all", "full": full}
    options["inline" if sync_mode == "inline" else "wait"] = True
    with (VAR / "sync.log").open("a") as out, meter() as cpu:
        started = time.perf_counter()
        call_command("sync_legacy", stdout=out, **options)
        seconds = time.perf_counter() - started
    assert cpu.use is not None
    return seconds, list(SyncRun.objects.filter(pk__gt=before).order_by("pk")), cpu.use


def sync_groups(sync_mode: str) -> tuple[str, ...]:
    """The processes that do the portal's side of a sync (the mocks stand for systems we do not
    run): the harness when inline, else the Celery workers; and PostgreSQL."""
    return (HARNESS if sync_mode == "inline" else "worker", POSTGRES)


def dataset_build(
    config: BenchConfig, marker: dict[str, Any] | None, mocks: str, meter: Meter
) -> dict[str, Any]:
    from django.db import connection

    if marker is not None:
        log(f"reusing the dataset built {marker['built_at']:%Y-%m-%d %H:%M} (N={config.customers})")
        if marker["days_advanced"]:
            post_json(f"{mocks}/_control/advance?days={marker['days_advanced']}")
        return marker
    log(
        f"initial load of {config.customers:,} customers through the mocks and the real sync "
        f"({config.sync_mode})"
    )
    seconds, runs, cpu = sync_run(full=True, sync_mode=config.sync_mode, meter=meter)
    failed = [r for r in runs if r.status != "succeeded"]
    if failed:
        raise RuntimeError(f"initial load failed: {[(r.source, r.error) for r in failed]}")
    rows = sum(table_counts(portal_tables()).values())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s, 0, %s, %s, %s, now())",
            [config.customers, config.seed, seconds, rows, config.sync_mode],
        )
        cursor.execute("ANALYZE")
    log(f"initial load: {seconds:.1f} s, {rows:,} rows, {rows / seconds:,.0f} rows/s")
    return {
        "customers": config.customers,
        "seed": config.seed,
        "days_advanced": 0,
        "load_seconds": seconds,
        "load_rows": rows,
        "load_mode": config.sync_mode,
        "built_at": dt.datetime.now(dt.UTC),
        "fresh": True,
        "cpu": cpu,
    }


def incremental_measure(config: BenchConfig, mocks: str, meter: Meter) -> dict[str, Any]:
    from django.db import connection

    days = config.increment_days
    changed = post_json(f"{mocks}/_control/advance?days={days}")["changed"]
    log(f"mocks advanced {days} days: {changed} records changed; incremental sync")
    seconds, runs, cpu = sync_run(full=False, sync_mode=config.sync_mode, meter=meter)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bench_dataset SET days_advanced = days_advanced + %s", [days])
    fetched = sum(r.fetched for r in runs)
    written = sum(r.created + r.updated for r in runs)
    log(f"incremental: {seconds:.1f} s, fetched {fetched:,}, created/updated {written:,}")
    return {
        "seconds": seconds,
        "changed_records": sum(changed.values()),
        "changed_by_system": changed,
        "fetched": fetched,
        "written": written,
        "failed": [r.source for r in runs if r.status != "succeeded"],
        "cpu": cpu,
    }


def _table_dump(conn: psycopg.Connection, table: str, workdir: Path) -> Path:
    dump = workdir / f"copy-{table}.bin"
    with (
        dump.open("wb") as out,
        conn.cursor() as cur,
        # A query, not the table: COPY … TO cannot read a partitioned table by name.
        cur.copy(f'COPY (SELECT * FROM "{table}") TO STDOUT (FORMAT binary)') as copy,
    ):
        for chunk in copy:
            out.write(chunk)
    conn.commit()
    return dump


def _table_load(cur: psycopg.Cursor, table: str, dump: Path) -> float:
    started = time.perf_counter()
    with dump.open("rb") as source, cur.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def _scalar(cur: psycopg.Cursor[Any], sql: str) -> Any:
    row = cur.execute(sql).fetchone()
    if row is None:
        raise RuntimeError(f"no row from {sql}")
    return row[0]


def copy_floor(
    tables: list[str], history: list[str], database: str, workdir: Path = VAR
) -> dict[str, Any]:
    """Time PostgreSQL COPY of every row of the portal tables, two ways.

    *Same tables* (the goal's yardstick): in one transaction, TRUNCATE the portal tables and
    COPY the rows back into them, parents first, with their indexes, WAL, change-history
    triggers and foreign keys (checked by SET CONSTRAINTS ALL IMMEDIATE inside the timing);
    then ROLLBACK, so the dataset is untouched. *Temporary copies* (a stricter floor, reported
    beside it): each table COPYed into CREATE TEMP TABLE … (LIKE … INCLUDING ALL) — the same
    columns, constraints and indexes, but no WAL, triggers or foreign keys.
    """
    with psycopg.connect(server_dsn(database)) as conn:
        workdir.mkdir(parents=True, exist_ok=True)
        dumps = {table: _table_dump(conn, table, workdir) for table in tables}
        try:
            with conn.cursor() as cur:
                rows = 0
                for table in tables:
                    rows += _scalar(cur, f'SELECT count(*) FROM "{table}"')
                history_count = (
                    f"SELECT {' + '.join(f'(SELECT count(*) FROM "{t}")' for t in history)}"
                )
                history_before = _scalar(cur, history_count)
                cur.execute(f"TRUNCATE {', '.join(f'"{t}"' for t in tables)} CASCADE")
                same_seconds = sum(_table_load(cur, table, dumps[table]) for table in tables)
                started = time.perf_counter()
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                same_seconds += time.perf_counter() - started
                history_rows = _scalar(cur, history_count) - history_before
            conn.rollback()
            temp_seconds = 0.0
            for table in tables:
                with conn.cursor() as cur:
                    cur.execute(
                        f'CREATE TEMP TABLE "bench_copy_{table}" (LIKE "{table}" INCLUDING ALL)'
                    )
                    temp_seconds += _table_load(cur, f"bench_copy_{table}", dumps[table])
                    cur.execute(f'DROP TABLE "bench_copy_{table}"')
                conn.commit()
        finally:
            conn.rollback()
            for dump in dumps.values():
                dump.unlink(missing_ok=True)
    return {
        "copy_rows": rows,
        "copy_seconds": same_seconds,
        "copy_history_rows": history_rows,
        "copy_temp_seconds": temp_seconds,
    }


def _copied_fields(obj: Any, *, skip: set[str]) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.attname not in skip
    }


def naive_baseline(config: BenchConfig, sample_rows: int) -> tuple[int, float]:
    """A per-row update_or_create loop writing the same kinds of rows the sync writes, as new
    customers (create path, like the initial load), in a transaction rolled back afterwards."""
    import uuid

    from django.db import transaction

    from benefits.models import Payment
    from benefits.sync.apply import AWARD_MODELS
    from customers.models import Customer, SourceIdentity

    customers = list(
        Customer.objects.filter(nino__in=sampled_ninos(config, sample_rows, "naive")).order_by(
            "nino"
        )
    )
    related: dict[int, list[Any]] = {c.pk: [] for c in customers}
    copied: tuple[Any, ...] = (SourceIdentity, *AWARD_MODELS.values(), Payment)
    for model in copied:
        for row in model.objects.filter(customer_id__in=list(related)):
            related[row.customer_id].append(row)
    rows = 0
    with transaction.atomic():
        started = time.perf_counter()
        for customer in customers:
            nino = customer.nino[:8] + "ABCD"[("ABCD".index(customer.nino[8]) + 1) % 4]
            defaults = _copied_fields(customer, skip={"nino", "public_id"})
            new, _ = Customer.objects.update_or_create(
                nino=nino, defaults={**defaults, "public_id": uuid.uuid4()}
            )
            rows += 1
            for row in related[customer.pk]:
                model = type(row)
                if model is SourceIdentity:
                    lookup = {"customer_id": new.pk, "source": row.source}
                elif model is Payment:
                    lookup = {"benefit": row.benefit, "reference": row.reference[:56] + "-NVE"}
                else:
                    lookup = {"customer_id": new.pk}
                fields = _copied_fields(row, skip={"customer_id", *lookup})
                model.objects.update_or_create(**lookup, defaults={**fields, "customer_id": new.pk})
                rows += 1
            if rows >= sample_rows:
                break
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return rows, seconds
