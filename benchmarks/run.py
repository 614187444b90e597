"""The `make bench` harness: builds the dataset through the real sync, measures, writes the doc.

Run by scripts/bench.sh as `python -m benchmarks.run` with DJANGO_SETTINGS_MODULE set to
dwpportal.settings.bench. Every process it starts is stopped on exit, also on failure.
"""

import datetime as dt
import json
import os
import pickle
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.queries import KINDS, SampleCustomer, SearchQuery, search_mix
from benchmarks.stats import Latency

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
BIN = ROOT / ".venv" / "bin"


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


N = _int_env("BENCH_CUSTOMERS", 1_000_000)
SMOKE = N < 1_000_000
SEED = os.environ.get("BENCH_SEED", "2026")
# The mocks' day 0, fixed: a reused dataset is rebuilt by replaying the mocks' clock to the same
# day, which needs the same day 0 (on real time, their default, day 0 would be each run's today).
MOCKS_START_DATE = "2025-06-02"
SYNC_MODE = os.environ.get("BENCH_SYNC", "inline")  # inline | worker
INCREMENT_DAYS = _int_env("BENCH_INCREMENT_DAYS", 7)  # the mocks change ~0.15% a day
SEARCH_PER_KIND = _int_env("BENCH_SEARCH_PER_KIND", 50)
ADMIN_PER_KIND = _int_env("BENCH_ADMIN_PER_KIND", 10)
PAGE_SAMPLE = _int_env("BENCH_PAGE_SAMPLE", 100)
BUSIEST = _int_env("BENCH_BUSIEST", 10)
NAIVE_ROWS = _int_env("BENCH_NAIVE_ROWS", 2000)
LOAD_USERS = _int_env("BENCH_LOAD_USERS", 50)
LOAD_SECONDS = _int_env("BENCH_LOAD_SECONDS", 30 if SMOKE else 120)
WEB_WORKERS = _int_env("BENCH_WEB_WORKERS", 4)
BENCH_PASSWORD = f"bench-{random.SystemRandom().randrange(10**12):012d}-pw"
DOC = Path(os.environ.get("BENCH_DOC") or ROOT / "docs" / "benchmarks.md")
NOTES = Path(__file__).resolve().parent / "notes.md"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Processes ---------------------------------------------------------------------------------


class Processes:
    """Every child process the bench starts, each in its own process group, stopped at exit."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        out = (VAR / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((name, process))

    def alive(self, name: str) -> bool:
        return any(n == name and p.poll() is None for n, p in self.running)

    def stop(self, name: str | None = None) -> None:
        for entry in [e for e in reversed(self.running) if name in (None, e[0])]:
            _, process = entry
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            self.running.remove(entry)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, processes: Processes, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not processes.alive(name):
            raise RuntimeError(f"{name} exited; see {VAR / (name + '.log')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s")


def post_json(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


# --- The bench database ------------------------------------------------------------------------


def server_dsn(database: str) -> str:
    from dwpportal.settings.env import env

    base = env("DATABASE_URL") or ""
    return base.rsplit("/", 1)[0] + "/" + database


MARKER_DDL = """
CREATE TABLE IF NOT EXISTS bench_dataset (
    customers integer NOT NULL, seed text NOT NULL, days_advanced integer NOT NULL,
    load_seconds double precision NOT NULL, load_rows bigint NOT NULL, load_mode text NOT NULL,
    built_at timestamptz NOT NULL)
"""


def database_prepare(name: str) -> dict[str, Any] | None:
    """Create the bench database if missing; return its dataset marker if already built.

    A database left half-built (customers but no marker, or another N/seed) is dropped and
    made again, so figures always come from one whole build.
    """
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            with psycopg.connect(server_dsn(name)) as conn:
                conn.execute(MARKER_DDL)
                row = conn.execute(
                    "SELECT customers, seed, days_advanced, load_seconds, load_rows, load_mode, "
                    "built_at FROM bench_dataset"
                ).fetchone()
                conn.commit()
            if os.environ.get("BENCH_REBUILD") == "1":
                log(f"BENCH_REBUILD=1: dropping {name} to build and time the load again")
            elif row and row[0] == N and row[1] == SEED:
                keys = ("customers", "seed", "days_advanced", "load_seconds", "load_rows")
                return dict(zip((*keys, "load_mode", "built_at"), row, strict=True))
            else:
                log(f"database {name} is not a whole build for N={N} seed={SEED}: rebuilding")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(server_dsn(name)) as conn:
        conn.execute(MARKER_DDL)
    return None


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Results:
    machine: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Latency] = field(default_factory=dict)
    search_floor: dict[str, Latency] = field(default_factory=dict)
    search_nojs: dict[str, Latency] = field(default_factory=dict)
    admin: dict[str, Latency] = field(default_factory=dict)
    hits: dict[str, float] = field(default_factory=dict)
    admin_hits: dict[str, float] = field(default_factory=dict)
    page: dict[str, Any] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)


def tree_describe() -> str:
    """The commit measured, and whether the working tree had uncommitted changes (it is shared)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    dirty = f" + {len(changed)} uncommitted paths in the shared tree" if changed else ""
    return f"commit {git('rev-parse', '--short', 'HEAD')}{dirty}"


def machine_describe() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    return {
        "cores": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "ram_gb": round(total_kb / 1024 / 1024, 1),
        "load_average": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "tree": tree_describe(),
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- Sync figures ------------------------------------------------------------------------------


def portal_tables() -> list[str]:
    """The portal tables the sync writes (change-history tables are counted apart)."""
    from benefits.models import BenefitEvent, Payment
    from benefits.sync.apply import AWARD_MODELS
    from customers.models import Customer, SourceIdentity

    models = [Customer, SourceIdentity, *AWARD_MODELS.values(), Payment, BenefitEvent]
    return [m._meta.db_table for m in models]


def history_tables() -> list[str]:
    import pghistory.models
    from django.apps import apps

    return [
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, pghistory.models.Event) and not m._meta.abstract
    ]


def table_counts(tables: list[str]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def sync_run(*, full: bool, processes: Processes) -> tuple[float, list[Any]]:
    """One sync of all four sources (inline, or through a Celery worker); seconds and its runs."""
    from django.core.management import call_command

    from benefits.models import SyncRun

    before = SyncRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    options: dict[str, Any] = {"source": "all", "full": full}
    options["inline" if SYNC_MODE == "inline" else "wait"] = True
    with (VAR / "sync.log").open("a") as out:
        started = time.perf_counter()
        call_command("sync_legacy", stdout=out, **options)
        seconds = time.perf_counter() - started
    return seconds, list(SyncRun.objects.filter(pk__gt=before).order_by("pk"))


def dataset_build(marker: dict[str, Any] | None, mocks: str, processes: Processes) -> dict:
    from django.db import connection

    if marker is not None:
        log(f"reusing the dataset built {marker['built_at']:%Y-%m-%d %H:%M} (N={N})")
        if marker["days_advanced"]:
            post_json(f"{mocks}/_control/advance?days={marker['days_advanced']}")
        return marker
    log(f"initial load of {N:,} customers through the mocks and the real sync ({SYNC_MODE})")
    seconds, runs = sync_run(full=True, processes=processes)
    failed = [r for r in runs if r.status != "succeeded"]
    if failed:
        raise RuntimeError(f"initial load failed: {[(r.source, r.error) for r in failed]}")
    rows = sum(table_counts(portal_tables()).values())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s, 0, %s, %s, %s, now())",
            [N, SEED, seconds, rows, SYNC_MODE],
        )
        cursor.execute("ANALYZE")
    log(f"initial load: {seconds:.1f} s, {rows:,} rows, {rows / seconds:,.0f} rows/s")
    return {
        "customers": N,
        "seed": SEED,
        "days_advanced": 0,
        "load_seconds": seconds,
        "load_rows": rows,
        "load_mode": SYNC_MODE,
        "built_at": dt.datetime.now(dt.UTC),
        "fresh": True,
    }


def incremental_measure(mocks: str, processes: Processes) -> dict[str, Any]:
    from django.db import connection

    changed = post_json(f"{mocks}/_control/advance?days={INCREMENT_DAYS}")["changed"]
    log(f"mocks advanced {INCREMENT_DAYS} days: {changed} records changed; incremental sync")
    seconds, runs = sync_run(full=False, processes=processes)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bench_dataset SET days_advanced = days_advanced + %s", [INCREMENT_DAYS]
        )
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
    }


def _table_dump(conn: psycopg.Connection, table: str, workdir: Path) -> Path:
    dump = workdir / f"copy-{table}.bin"
    with (
        dump.open("wb") as out,
        conn.cursor() as cur,
        cur.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy,
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
                    rows += cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                history_count = (
                    f"SELECT {' + '.join(f'(SELECT count(*) FROM "{t}")' for t in history)}"
                )
                history_before = cur.execute(history_count).fetchone()[0]
                cur.execute(f"TRUNCATE {', '.join(f'"{t}"' for t in tables)} CASCADE")
                same_seconds = sum(_table_load(cur, table, dumps[table]) for table in tables)
                started = time.perf_counter()
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                same_seconds += time.perf_counter() - started
                history_rows = cur.execute(history_count).fetchone()[0] - history_before
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


def naive_baseline(sample_rows: int) -> tuple[int, float]:
    """A per-row update_or_create loop writing the same kinds of rows the sync writes, as new
    customers (create path, like the initial load), in a transaction rolled back afterwards."""
    import uuid

    from django.db import transaction

    from benefits.models import Payment
    from benefits.sync.apply import AWARD_MODELS
    from customers.models import Customer, SourceIdentity

    customers = list(
        Customer.objects.filter(nino__in=sampled_ninos(sample_rows, "naive")).order_by("nino")
    )
    related: dict[int, list[Any]] = {c.pk: [] for c in customers}
    for model in (SourceIdentity, *AWARD_MODELS.values(), Payment):
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


# --- HTTP --------------------------------------------------------------------------------------


class Colleague:
    """A signed-in browser-like session against the bench's gunicorn."""

    def __init__(self, base: str, username: str) -> None:
        import requests

        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/accounts/sign-in/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        signed_in = self.http.post(
            f"{base}/accounts/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": BENCH_PASSWORD,
            },
            allow_redirects=False,
            timeout=60,
        )
        if signed_in.status_code != 302:
            raise RuntimeError(f"sign-in as {username} failed ({signed_in.status_code})")
        self.http.get(f"{base}/customers/", timeout=60)  # a fresh CSRF cookie after sign-in

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def timed(self, method: str, path: str, **kwargs: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        response = self.http.request(method, f"{self.base}{path}", timeout=120, **kwargs)
        return (time.perf_counter() - started) * 1000, response

    def search(self, query: SearchQuery, *, live: bool) -> tuple[float, Any]:
        data = {**query.form(), "csrfmiddlewaretoken": self.csrf}
        headers = {}
        if live:
            data["live"] = "1"
            headers = {"HX-Request": "true"}
        # Without JavaScript a name search redirects to its results page: follow it (that is
        # what the colleague waits for); a NINO redirects to the record: the 302 is the answer.
        follow = not live and query.kind != "nino"
        return self.timed("POST", "/customers/", data=data, headers=headers, allow_redirects=follow)


def colleagues_ensure(count: int) -> tuple[list[str], str]:
    """Bench work coaches (bench-coach-NN) and an admin, all with this run's password."""
    from django.contrib.auth.models import Group

    from accounts import roles
    from accounts.models import User

    def ensure(username: str, role: str) -> None:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.team = "Bench", username, "Bench team"
        # The bench admin is a superuser: the Admin role may not view customers in the admin
        # (the product has no Customer admin); the bench-only one needs that permission.
        user.is_active, user.is_staff = True, role == roles.ADMIN
        user.is_superuser = role == roles.ADMIN
        user.set_password(BENCH_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])

    coaches = [f"bench-coach-{i:02d}" for i in range(1, count + 1)]
    for username in coaches:
        ensure(username, roles.WORK_COACH)
    ensure("bench-admin", roles.ADMIN)
    return coaches, "bench-admin"


def sampled_ninos(count: int, salt: str) -> list[str]:
    """NINOs of a seeded sample of the mocks' customers (customer i is ZX + i + "ABCD"[i % 4]),
    so the sample is the same whatever order the sync inserted them in or how often it ran."""
    rng = random.Random(f"bench-{salt}:{SEED}")
    return [f"ZX{i:06d}{'ABCD'[i % 4]}" for i in rng.sample(range(N), min(N, count))]


def sample_customers(count: int, salt: str) -> list[SampleCustomer]:
    """A seeded sample of unrestricted customers with a name and a postcode."""
    from customers.models import Customer

    rows = (
        Customer.objects.filter(
            nino__in=sampled_ninos(count * 2, salt), restricted=False, date_of_birth__isnull=False
        )
        .exclude(last_name="")
        .exclude(postcode="")
        .order_by("nino")
    )
    return [
        SampleCustomer(
            public_id=str(c.public_id),
            nino=c.nino,
            first_name=c.first_name,
            last_name=c.last_name,
            date_of_birth=c.date_of_birth,
            postcode=c.postcode,
        )
        for c in rows[:count]
    ]


def captured_search_sql(query: SearchQuery, user: Any) -> list[str]:
    """The SQL the search selector runs for this query (its customer query, the name-word
    lexicon lookup and the pg_trgm thresholds), captured in a transaction that is rolled back
    (so no audit row stays)."""
    from django.contrib.sessions.backends.cache import SessionStore
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from audit.context import AuditContext
    from customers.forms import CustomerSearchForm
    from customers.selectors import customer_search_by_name, customer_search_by_nino

    request = RequestFactory().post("/customers/")
    request.user = user
    request.session = SessionStore()
    form = CustomerSearchForm(query.form())
    if not form.is_valid():
        raise RuntimeError(f"bench query is not a valid search: {form.errors}")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        audit = AuditContext.from_request(request)
        if form.nino:
            customer_search_by_nino(nino=form.nino, audit=audit)
        else:
            customer_search_by_name(
                name=form.cleaned_data["query"],
                date_of_birth=form.cleaned_data.get("date_of_birth"),
                postcode=form.cleaned_data.get("postcode", ""),
                audit=audit,
            )
        transaction.set_rollback(True)
    return [
        q["sql"]
        for q in captured.captured_queries
        if "set_config('pg_trgm" in q["sql"]
        or re.search(r'FROM "customers_customer"', q["sql"])
        or "customers_customernameword" in q["sql"]  # the name-word lexicon lookup
    ]


def search_measure(results: Results, base: str, database: str, coach: str, admin: str) -> list:
    from accounts.models import User

    customers = sample_customers(SEARCH_PER_KIND * 4, "search")
    queries = search_mix(customers, per_kind=SEARCH_PER_KIND, seed=SEED)
    colleague = Colleague(base, coach)
    for query in queries[:10]:  # warm up the workers, connections and caches
        colleague.search(query, live=True)
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    nojs: dict[str, list[float]] = {k: [] for k in KINDS}
    hits: dict[str, int] = dict.fromkeys(KINDS, 0)
    for query in queries:
        ms, response = colleague.search(query, live=True)
        if response.status_code != 200:
            raise RuntimeError(f"search answered {response.status_code}")
        by_kind[query.kind].append(ms)
        hits[query.kind] += f"/customers/{query.expected}/" in response.text
        ms, response = colleague.search(query, live=False)
        if response.status_code not in (200, 302):
            raise RuntimeError(f"no-JS search answered {response.status_code}")
        nojs[query.kind].append(ms)
    results.search = {k: Latency.of(v) for k, v in by_kind.items()}
    results.search["all"] = Latency.of([x for v in by_kind.values() for x in v])
    results.search_nojs = {k: Latency.of(v) for k, v in nojs.items()}
    results.hits = {k: hits[k] / len(by_kind[k]) for k in KINDS}
    log(
        "search (live htmx): "
        + ", ".join(f"{k} p95 {v.p95:.0f} ms" for k, v in results.search.items())
    )

    # Floor: the same SQL the view's selector runs, straight to PostgreSQL.
    user = User.objects.get(username=coach)
    floor: dict[str, list[float]] = {k: [] for k in KINDS}
    with psycopg.connect(server_dsn(database)) as conn:
        for query in queries:
            statements = captured_search_sql(query, user)
            started = time.perf_counter()
            for sql in statements:
                conn.execute(sql).fetchall()
            conn.rollback()
            floor[query.kind].append((time.perf_counter() - started) * 1000)
    results.search_floor = {k: Latency.of(v) for k, v in floor.items()}
    results.search_floor["all"] = Latency.of([x for v in floor.values() for x in v])

    # The Django admin changelist search (icontains over NINO, names, postcode).
    admin_session = Colleague(base, admin)
    admin_queries = [q for k in KINDS for q in [q for q in queries if q.kind == k][:ADMIN_PER_KIND]]
    admin_session.timed("GET", "/admin/customers/customer/", params={"q": "warm up"})
    timings: dict[str, list[float]] = {k: [] for k in KINDS}
    admin_hits: dict[str, int] = dict.fromkeys(KINDS, 0)
    nino_of = {c.public_id: c.nino for c in customers}
    for query in admin_queries:
        ms, response = admin_session.timed(
            "GET", "/admin/customers/customer/", params={"q": query.admin_terms()}
        )
        if response.status_code != 200:
            raise RuntimeError(f"admin changelist answered {response.status_code}")
        timings[query.kind].append(ms)
        admin_hits[query.kind] += nino_of[query.expected] in response.text
    results.admin = {k: Latency.of(v) for k, v in timings.items() if v}
    results.admin["all"] = Latency.of([x for v in timings.values() for x in v])
    results.admin_hits = {k: admin_hits[k] / len(timings[k]) for k in KINDS if timings[k]}
    log(f"admin changelist search p95 {results.admin['all'].p95:.0f} ms")
    return queries


def busiest_customers(count: int) -> list[str]:
    """The unrestricted customers with the most payments and the most benefit events."""
    from django.db import connection

    half = max(1, count // 2)
    sql = """
        SELECT c.public_id FROM customers_customer c
        JOIN (SELECT customer_id, count(*) n FROM {table} GROUP BY customer_id
              ORDER BY n DESC LIMIT %s) busy ON busy.customer_id = c.id
        WHERE NOT c.restricted ORDER BY busy.n DESC
    """
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in ("benefits_payment", "benefits_benefitevent"):
            cursor.execute(sql.format(table=table), [half * 3])
            found += [str(r[0]) for r in cursor.fetchall() if str(r[0]) not in found][:half]
    return found


def page_measure(results: Results, base: str, coach: str) -> list[str]:
    import requests

    sample = [c.public_id for c in sample_customers(PAGE_SAMPLE, "page")]
    busiest = busiest_customers(BUSIEST)
    colleague = Colleague(base, coach)
    for public_id in sample[:10]:
        colleague.timed("GET", f"/customers/{public_id}/")
    timings, busy_timings, queries = [], [], []
    for public_id in sample + busiest:
        ms, response = colleague.timed("GET", f"/customers/{public_id}/")
        if response.status_code != 200:
            raise RuntimeError(f"customer page answered {response.status_code}")
        (busy_timings if public_id in busiest else timings).append(ms)
        queries.append(int(response.headers["X-Bench-Queries"]))
    floor_http = requests.Session()  # no session cookie: the floor view loads no session or user
    floor_timings, floor_queries = [], set()
    for public_id in (sample + busiest)[:10]:
        floor_http.get(f"{base}/bench/floor/{public_id}/", timeout=60)
    for public_id in sample + busiest:
        started = time.perf_counter()
        response = floor_http.get(f"{base}/bench/floor/{public_id}/", timeout=60)
        floor_timings.append((time.perf_counter() - started) * 1000)
        floor_queries.add(int(response.headers["X-Bench-Queries"]))
    results.page = {
        "all": Latency.of(timings + busy_timings),
        "sample": Latency.of(timings),
        "busiest": Latency.of(busy_timings),
        "floor": Latency.of(floor_timings),
        "queries_max": max(queries),
        "queries_median": sorted(queries)[len(queries) // 2],
        "floor_queries": sorted(floor_queries),
        "sample_size": len(timings),
        "busiest_size": len(busy_timings),
    }
    log(f"customer page p95 {results.page['all'].p95:.0f} ms, queries max {max(queries)}")
    return sample + busiest


def load_measure(
    results: Results, base: str, coaches: list[str], queries: list, customers: list[str]
) -> None:
    """Locust, headless: LOAD_USERS signed-in colleagues searching, viewing and recording."""
    import csv

    log(f"signing in {len(coaches)} colleagues for the load test")
    sessions = []
    for username in coaches:
        colleague = Colleague(base, username)
        jar = colleague.http.cookies
        sessions.append([[c.name, c.value, c.domain, c.path] for c in jar])
    data = VAR / "locust-data.json"
    data.write_text(
        json.dumps(
            {
                "sessions": sessions,
                "searches": [q.form() for q in queries],
                "customers": customers,
            }
        )
    )
    prefix = VAR / "locust"
    log(f"locust: {LOAD_USERS} colleagues for {LOAD_SECONDS} s against {base}")
    completed = subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(LOAD_USERS),
            "--spawn-rate",
            str(max(1, LOAD_USERS // 5)),
            "--run-time",
            f"{LOAD_SECONDS}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_LOCUST_DATA": str(data)},
        stdout=(VAR / "locust.log").open("wb"),
        stderr=subprocess.STDOUT,
        timeout=LOAD_SECONDS + 180,
        start_new_session=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"locust failed; see {VAR / 'locust.log'}")
    with (VAR / "locust_stats.csv").open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    total = rows["Aggregated"]
    # An exception inside a task (not a failed request) is an error too.
    with (VAR / "locust_exceptions.csv").open() as raised:
        exceptions = sum(int(row["Count"]) for row in csv.DictReader(raised))
    results.load = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "exceptions": exceptions,
        "throughput": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "by_task": {
            name: (int(row["Request Count"]), float(row["95%"]))
            for name, row in rows.items()
            if name != "Aggregated"
        },
    }
    log(f"load: {results.load['throughput']:.1f} req/s, p95 {results.load['p95']:.0f} ms")


# --- Main --------------------------------------------------------------------------------------


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "sync.log").write_text("")
    processes = Processes()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    results = Results(machine=machine_describe())
    log(f"N={N:,} seed={SEED}; machine: {results.machine}")
    database = f"dwpportal_bench_{N}"
    os.environ["BENCH_DB_NAME"] = database
    mocks = f"http://127.0.0.1:{free_port()}"
    os.environ["LEGACY_BASE_URL"] = mocks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dwpportal.settings.bench")
    try:
        marker = database_prepare(database)
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
                str(N),
                "--seed",
                SEED,
                "--start-date",
                MOCKS_START_DATE,
            ],
        )
        wait_for(f"{mocks}/_control/clock", processes, "mocks")
        bench_env = {"DJANGO_SETTINGS_MODULE": "dwpportal.settings.bench", "LOG_LEVEL": "WARNING"}
        worker_args = [str(BIN / "celery"), "-A", "dwpportal", "worker", "-l", "WARNING"]
        if SYNC_MODE == "worker":
            processes.start("worker", [*worker_args, "-c", "2"], env=bench_env)
        marker = dataset_build(marker, mocks, processes)
        incremental = incremental_measure(mocks, processes)
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
        naive_rows, naive_seconds = naive_baseline(NAIVE_ROWS)
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

        coaches, admin = colleagues_ensure(LOAD_USERS)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web_env = {**bench_env, "DB_CONN_MAX_AGE": "600"}
        processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "dwpportal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WEB_WORKERS),
                "--no-control-socket",
            ],
            env=web_env,
        )
        if not processes.alive("worker"):
            processes.start("worker", [*worker_args, "-c", "1"], env=bench_env)
        wait_for(f"{base}/healthz", processes, "gunicorn")
        results.machine["web"] = f"gunicorn, {WEB_WORKERS} sync workers; 1 Celery worker"
        queries = search_measure(results, base, database, coaches[0], admin)
        pages = page_measure(results, base, coaches[0])
        load_measure(results, base, coaches, queries, pages)
        results.machine["elapsed"] = f"{(time.monotonic() - started) / 60:.1f} min"
        from benchmarks.report import report_write

        with (VAR / f"results-{N}.pickle").open("wb") as saved:
            pickle.dump(results, saved)  # `python -m benchmarks.report` re-renders the doc
        text = report_write(results, n=N, seed=SEED, path=DOC, notes=NOTES)
        print(text, flush=True)
        return 0
    finally:
        processes.stop()


if __name__ == "__main__":
    sys.exit(main())
