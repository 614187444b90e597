"""What one `make bench` run measures: read from the environment once, in `config_from_environment`.

Every other bench module takes a `BenchConfig`; none reads the environment when it is imported.
"""

import dataclasses
import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"  # logs, dumps, Locust data and the saved results
BIN = ROOT / ".venv" / "bin"
NOTES = Path(__file__).resolve().parent / "notes.md"
FULL_SCALE = 1_000_000
# `make bench` with neither BENCH_SIZES nor BENCH_CUSTOMERS: three sizes, so the report gives
# how each figure grows with N (issue 19).
DEFAULT_SIZES = (100_000, 300_000, FULL_SCALE)
# Celery worker processes in the sync-throughput comparison (BENCH_SCALING_WORKERS).
DEFAULT_SCALING_WORKERS = (1, 2, 4)
# The mocks' day 0, fixed: a reused dataset is rebuilt by replaying the mocks' clock to the same
# day, which needs the same day 0 (on real time, their default, day 0 would be each run's today).
MOCKS_START_DATE = "2025-06-02"


def _bench_password() -> str:
    return f"bench-{random.SystemRandom().randrange(10**12):012d}-pw"


@dataclass(frozen=True)
class BenchConfig:
    customers: int = FULL_SCALE  # the size being measured (one of `sizes`)
    sizes: tuple[int, ...] = (FULL_SCALE,)  # BENCH_SIZES, or BENCH_CUSTOMERS for one size
    # The initial load timed with each of these numbers of Celery workers (BENCH_SCALING_WORKERS)
    # at each of these sizes (BENCH_SCALING_SIZES; default the smallest size; "none": skipped).
    scaling_workers: tuple[int, ...] = DEFAULT_SCALING_WORKERS
    scaling_sizes: tuple[int, ...] = ()
    seed: str = "2026"  # BENCH_SEED
    sync_mode: str = "inline"  # BENCH_SYNC: inline | worker
    increment_days: int = 7  # BENCH_INCREMENT_DAYS: the mocks change ~0.15% a day
    search_per_kind: int = 50  # BENCH_SEARCH_PER_KIND
    admin_per_kind: int = 10  # BENCH_ADMIN_PER_KIND
    page_sample: int = 100  # BENCH_PAGE_SAMPLE
    busiest: int = 10  # BENCH_BUSIEST
    naive_rows: int = 2000  # BENCH_NAIVE_ROWS
    load_users: int = 50  # BENCH_LOAD_USERS
    load_seconds: int = 120  # BENCH_LOAD_SECONDS (30 below full scale)
    web_workers: int = 4  # BENCH_WEB_WORKERS
    # The load test's gunicorn reaches PostgreSQL through PgBouncer (transaction pooling), as
    # production would; BENCH_PGBOUNCER=0 connects it directly.
    pgbouncer: bool = True
    rebuild: bool = False  # BENCH_REBUILD=1
    doc: Path = ROOT / "docs" / "benchmarks.md"  # BENCH_DOC
    # This run's password for the bench colleagues; never printed.
    password: str = field(default_factory=_bench_password, repr=False)

    @property
    def smoke(self) -> bool:
        """Below full scale: the goals (stated for 1,000,000 customers) are only indicative."""
        return max(self.sizes) < FULL_SCALE

    def settings(self) -> dict[str, object]:
        """What was asked for, as saved with the results (never the password)."""
        chosen = dataclasses.asdict(self)
        del chosen["password"], chosen["customers"]
        chosen["doc"] = str(self.doc)
        return chosen

    def at(self, customers: int) -> "BenchConfig":
        """The same run's configuration, measuring `customers`."""
        return dataclasses.replace(self, customers=customers)

    @property
    def database(self) -> str:
        return f"dwpportal_bench_{self.customers}"


def config_from_environment(environ: Mapping[str, str] = os.environ) -> BenchConfig:
    """The run's configuration from BENCH_* variables (unset or empty: the default)."""

    def number(name: str, default: int) -> int:
        return int(environ.get(name) or default)

    def numbers(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
        text = (environ.get(name) or "").replace("_", "")
        if text.strip().lower() == "none":
            return ()
        chosen = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
        return chosen or default

    one_size = (number("BENCH_CUSTOMERS", FULL_SCALE),) if environ.get("BENCH_CUSTOMERS") else ()
    sizes = numbers("BENCH_SIZES", one_size or DEFAULT_SIZES)
    if any(size <= 0 for size in sizes):
        raise ValueError(f"BENCH_SIZES must be positive numbers of customers, not {sizes}")
    # Every size gets the same load-test length, so their throughputs compare.
    customers = max(sizes)
    return BenchConfig(
        customers=customers,
        sizes=sizes,
        scaling_workers=numbers("BENCH_SCALING_WORKERS", DEFAULT_SCALING_WORKERS),
        scaling_sizes=numbers("BENCH_SCALING_SIZES", (min(sizes),)),
        seed=environ.get("BENCH_SEED", "2026"),
        sync_mode=environ.get("BENCH_SYNC", "inline"),
        increment_days=number("BENCH_INCREMENT_DAYS", 7),
        search_per_kind=number("BENCH_SEARCH_PER_KIND", 50),
        admin_per_kind=number("BENCH_ADMIN_PER_KIND", 10),
        page_sample=number("BENCH_PAGE_SAMPLE", 100),
        busiest=number("BENCH_BUSIEST", 10),
        naive_rows=number("BENCH_NAIVE_ROWS", 2000),
        load_users=number("BENCH_LOAD_USERS", 50),
        load_seconds=number("BENCH_LOAD_SECONDS", 30 if customers < FULL_SCALE else 120),
        web_workers=number("BENCH_WEB_WORKERS", 4),
        pgbouncer=environ.get("BENCH_PGBOUNCER", "1") != "0",
        rebuild=environ.get("BENCH_REBUILD") == "1",
        doc=Path(environ.get("BENCH_DOC") or ROOT / "docs" / "benchmarks.md"),
    )


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)
