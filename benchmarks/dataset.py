"""The bench database and its dataset: the database itself, the tables the sync fills, seeded
samples of its customers and the bench colleagues."""

import random
from typing import Any

import psycopg

from benchmarks.config import BenchConfig, log
from benchmarks.queries import SampleCustomer


def server_dsn(database: str) -> str:
    """The harness's own connections: as the owner role when the server has one (it creates the
    bench database, and the COPY floor truncates tables), else as DATABASE_URL's role."""
    from dwpportal.settings.env import env

    base = env("DATABASE_OWNER_URL") or env("DATABASE_URL") or ""
    return base.rsplit("/", 1)[0] + "/" + database


MARKER_DDL = """
CREATE TABLE IF NOT EXISTS bench_dataset (
    customers integer NOT NULL, seed text NOT NULL, days_advanced integer NOT NULL,
    load_seconds double precision NOT NULL, load_rows bigint NOT NULL, load_mode text NOT NULL,
    built_at timestamptz NOT NULL)
"""


def database_prepare(config: BenchConfig, name: str) -> dict[str, Any] | None:
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
            if config.rebuild:
                log(f"BENCH_REBUILD=1: dropping {name} to build and time the load again")
            elif row and row[0] == config.customers and row[1] == config.seed:
                keys = ("customers", "seed", "days_advanced", "load_seconds", "load_rows")
                return dict(zip((*keys, "load_mode", "built_at"), row, strict=True))
            else:
                log(
                    f"database {name} is not a whole build for N={config.customers} "
                    f"seed={config.seed}: rebuilding"
                )
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(server_dsn(name)) as conn:
        conn.execute(MARKER_DDL)
    return None


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


def sampled_ninos(config: BenchConfig, count: int, salt: str) -> list[str]:
    """NINOs of a seeded sample of the mocks' customers (customer i is ZX + i + "ABCD"[i % 4]),
    so the sample is the same whatever order the sync inserted them in or how often it ran."""
    rng = random.Random(f"bench-{salt}:{config.seed}")
    return [
        f"ZX{i:06d}{'ABCD'[i % 4]}"
        for i in rng.sample(range(config.customers), min(config.customers, count))
    ]


def sample_customers(config: BenchConfig, count: int, salt: str) -> list[SampleCustomer]:
    """A seeded sample of unrestricted customers with a name and a postcode."""
    from customers.models import Customer

    rows = (
        Customer.objects.filter(
            nino__in=sampled_ninos(config, count * 2, salt),
            restricted=False,
            date_of_birth__isnull=False,
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
        if c.date_of_birth is not None  # always: the query excludes a missing one
    ]


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


def colleagues_ensure(count: int, password: str) -> tuple[list[str], str]:
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
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])

    coaches = [f"bench-coach-{i:02d}" for i in range(1, count + 1)]
    for username in coaches:
        ensure(username, roles.WORK_COACH)
    ensure("bench-admin", roles.ADMIN)
    return coaches, "bench-admin"


def disk_measure(customers: int) -> dict[str, Any]:
    """Bytes on disk of the bench database by category, each table summed over its partitions,
    and per portal customer (benchmarks.disk)."""
    from django.db import connection

    from audit.models import AccessEvent
    from benchmarks.disk import disk_summary, table_sizes

    with connection.cursor() as cursor:
        sizes = table_sizes(cursor)
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{AccessEvent._meta.db_table}"')
        audit_rows = cursor.fetchone()[0]
    summary = disk_summary(
        sizes,
        history=set(history_tables()),
        audit={AccessEvent._meta.db_table},
        customers=customers,
        database_bytes=database_bytes,
    )
    summary["audit"] = {**summary["categories"]["access audit"], "rows": audit_rows}
    return summary
