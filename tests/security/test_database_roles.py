"""Least-privilege database roles, proven on a database set up exactly as production is.

A fresh database is created by the owner role and migrated by `manage.py migrate` (which runs as
DATABASE_OWNER_URL's role and re-applies the grants); the portal's processes connect as
DATABASE_URL's role. Connected as that role, the access audit and every change-history table,
and each of their partitions, accept INSERT and SELECT and refuse UPDATE, DELETE, TRUNCATE,
DISABLE TRIGGER and `session_replication_role`; no partition can be made, detached or dropped.
The roles come from `scripts/dev.sh services` (or production's own).
"""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from psycopg import errors, sql

from tests.conftest import ROOT

DB_NAME = f"roles_dwpportal{os.environ.get('TEST_DB_SUFFIX', '')}_{os.getpid()}"


# One xdist worker runs the whole module, so the production-like database is built once.
pytestmark = pytest.mark.xdist_group("database-roles")


def _url(parts: Mapping[str, Any], name: str) -> str:
    password = f":{parts['PASSWORD']}" if parts.get("PASSWORD") else ""
    return f"postgres://{parts['USER']}{password}@{parts['HOST']}:{parts['PORT']}/{name}"


def _roles() -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    owner = settings.DATABASE_OWNER
    assert owner, "DATABASE_OWNER_URL is not set: `scripts/dev.sh services` creates both roles"
    assert settings.DATABASE_URL
    app = dj_database_url.parse(settings.DATABASE_URL)  # the portal's own role
    assert app["USER"] == settings.DATABASE_APP_ROLE != owner["USER"]
    return owner, app


def _manage(*args: str, owner: Mapping[str, Any], app: Mapping[str, Any]) -> str:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="dwpportal.settings.base",
        DATABASE_URL=_url(app, DB_NAME),
        DATABASE_OWNER_URL=_url(owner, DB_NAME),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


# Session-wide: the group keeps the module on one worker, but other modules may run between its
# tests there, and a module fixture would build the database again after each of them.
@pytest.fixture(scope="session")
def production_like() -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    owner, app = _roles()
    with psycopg.connect(_url(owner, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DB_NAME)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    try:
        _manage("migrate", "--no-input", "-v", "0", owner=owner, app=app)
        # The portal's role writes as the web processes do: an access event, and a customer
        # whose history the triggers append (as the app role).
        _manage(
            "shell",
            "-c",
            "from audit.models import AccessEvent; from customers.models import Customer; "
            "AccessEvent.objects.create(username='t', action='view', what='roles test'); "
            "c = Customer.objects.create(nino='ZX999999A', first_name='Ann', last_name='Lee'); "
            "Customer.objects.filter(pk=c.pk).update(town='Leeds')",
            owner=owner,
            app=app,
        )
        yield owner, app
    finally:
        with psycopg.connect(_url(owner, "postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
            )


@pytest.fixture
def as_app(production_like) -> Iterator[psycopg.Connection]:
    _, app = production_like
    with psycopg.connect(_url(app, DB_NAME), autocommit=True) as connection:
        yield connection


@pytest.fixture
def append_only(production_like) -> list[str]:
    """The audit and every table pghistory keeps history in (found by its pgh_obj column), each
    partitioned table and each of its partitions (a statement may name a partition)."""
    owner, _ = production_like
    with psycopg.connect(_url(owner, DB_NAME)) as connection:
        history = [
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = c.oid "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
                "AND a.attname = 'pgh_obj_id' ORDER BY 1"
            )
        ]
        audit = [
            row[0]
            for row in connection.execute(
                "SELECT relid::regclass::text FROM pg_partition_tree('audit_accessevent') "
                "ORDER BY level, 1"
            )
        ]
    assert "customers_customerevent" in history
    assert "customers_customerevent_default" in history
    # customers, identities, interactions, awards, payments, needs, ACS: each with a DEFAULT and
    # this month's partition at least
    assert len(history) >= 11 * 3
    assert audit[0] == "audit_accessevent"
    assert len(audit) >= 3
    return [*audit, *history]


def test_the_app_role_is_no_superuser_and_owns_nothing(as_app, production_like):
    owner, _ = production_like
    row = as_app.execute(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication "
        "FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False, False, False, False)
    owned = as_app.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles "
        "WHERE rolname = current_user)"
    ).fetchone()
    assert owned == (0,)
    tables_of_owner = as_app.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
        [owner["USER"]],
    ).fetchone()[0]
    assert tables_of_owner > 40
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("CREATE TABLE public.sneaky (id int)")
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("CREATE DATABASE sneaky")
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("DELETE FROM django_migrations WHERE false")


def test_the_app_role_reads_and_writes_ordinary_tables(as_app):
    with as_app.transaction(force_rollback=True):
        assert as_app.execute("UPDATE customers_customer SET town = 'York'").rowcount == 1
        assert as_app.execute("DELETE FROM django_session").rowcount == 0
        as_app.execute("SELECT nextval(pg_get_serial_sequence('customers_customer', 'id'))")


def test_the_audit_and_history_hold_what_the_app_role_wrote(as_app, append_only):
    assert as_app.execute("SELECT count(*) FROM audit_accessevent").fetchone() == (1,)
    events = as_app.execute(
        "SELECT pgh_label FROM customers_customerevent ORDER BY pgh_id"
    ).fetchall()
    assert [label for (label,) in events] == ["insert", "update"]
    for table in append_only:
        as_app.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        # Privileges, not only the audit's trigger: each partition is checked on its own.
        granted = as_app.execute(
            "SELECT has_table_privilege(%s, 'INSERT'), has_table_privilege(%s, 'SELECT'), "
            "has_table_privilege(%s, 'UPDATE'), has_table_privilege(%s, 'DELETE'), "
            "has_table_privilege(%s, 'TRUNCATE')",
            [table] * 5,
        ).fetchone()
        assert granted == (True, True, False, False, False), table
    with as_app.transaction(force_rollback=True):
        as_app.execute(
            "INSERT INTO audit_accessevent (occurred_at, username, action, channel, what, detail,"
            " reason, request_id) VALUES (now(), 'x', 'view', '', 'y', '{}', '', '')"
        )


REFUSED = {
    "UPDATE": "UPDATE {} SET pgh_label = pgh_label",
    "DELETE": "DELETE FROM {}",
    "TRUNCATE": "TRUNCATE {}",
    "DISABLE TRIGGER": "ALTER TABLE {} DISABLE TRIGGER ALL",
}


@pytest.mark.parametrize("statement", sorted(REFUSED))
def test_no_log_can_be_changed_by_the_app_role(as_app, append_only, statement):
    for table in append_only:
        template = REFUSED[statement]
        if table.startswith("audit_accessevent") and statement == "UPDATE":
            template = "UPDATE {} SET reason = 'rewritten'"
        with pytest.raises(errors.InsufficientPrivilege), as_app.transaction():
            as_app.execute(sql.SQL(template).format(sql.Identifier(table)))
    assert as_app.execute("SELECT count(*) FROM audit_accessevent").fetchone() == (1,)
    assert as_app.execute("SELECT count(*) FROM customers_customerevent").fetchone() == (2,)


def _audit_partition_holding_the_event(as_app: psycopg.Connection) -> str:
    rows = as_app.execute("SELECT tableoid::regclass::text FROM audit_accessevent").fetchall()
    assert len(rows) == 1
    partition = str(rows[0][0])
    assert partition.startswith("audit_accessevent_p")
    return partition


@pytest.mark.parametrize(
    "statement", ["UPDATE {} SET reason = 'rewritten'", "DELETE FROM {}", "TRUNCATE {}"]
)
def test_an_audit_partition_named_directly_refuses_the_app_role(as_app, statement):
    partition = _audit_partition_holding_the_event(as_app)
    with pytest.raises(errors.InsufficientPrivilege), as_app.transaction():
        as_app.execute(sql.SQL(statement).format(sql.Identifier(partition)))
    assert as_app.execute("SELECT count(*), min(reason) FROM audit_accessevent").fetchone() == (
        1,
        "",
    )


def test_the_app_role_cannot_make_detach_or_drop_a_partition(as_app):
    partition = _audit_partition_holding_the_event(as_app)
    statements = [
        f"ALTER TABLE audit_accessevent DETACH PARTITION {partition}",
        f"DROP TABLE {partition}",
        "ALTER TABLE customers_customerevent DETACH PARTITION customers_customerevent_default",
        "DROP TABLE customers_customerevent_default",
        "ALTER TABLE benefits_payment DETACH PARTITION benefits_payment_default",
        "DROP TABLE benefits_payment_default",
        "CREATE TABLE audit_accessevent_p1999_01 PARTITION OF audit_accessevent "
        "FOR VALUES FROM ('1999-01-01') TO ('1999-02-01')",
        "ALTER TABLE customers_customerevent ATTACH PARTITION django_session "
        "FOR VALUES FROM ('1999-01-01') TO ('1999-02-01')",
    ]
    for statement in statements:
        with pytest.raises(errors.InsufficientPrivilege), as_app.transaction():
            as_app.execute(statement)
    # CONCURRENTLY runs outside a transaction block only (the connection is in autocommit).
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute(f"ALTER TABLE audit_accessevent DETACH PARTITION {partition} CONCURRENTLY")
    assert _audit_partition_holding_the_event(as_app) == partition


def test_a_detached_partition_is_the_owners_alone_until_archived(production_like, tmp_path):
    """The owner's `partitions` command detaches a partition (the app role then has no
    privilege on it at all), archives and drops it, and `ensure` makes it again."""
    owner, app = production_like
    with psycopg.connect(_url(owner, DB_NAME)) as connection:
        (future,) = connection.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_accessevent'::regclass "
            "AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT' ORDER BY 1 DESC LIMIT 1"
        ).fetchone()

    def app_may(*privileges: str) -> list[bool]:
        with psycopg.connect(_url(app, DB_NAME)) as connection:
            return [
                connection.execute(
                    "SELECT has_table_privilege(%s, %s)", [future, privilege]
                ).fetchall()[0][0]
                for privilege in privileges
            ]

    assert app_may("SELECT", "INSERT", "UPDATE") == [True, True, False]
    assert f"detached {future}" in _manage("partitions", "detach", future, owner=owner, app=app)
    assert app_may("SELECT", "INSERT", "UPDATE") == [False, False, False]
    out = _manage("partitions", "archive", future, "--to", str(tmp_path), owner=owner, app=app)
    assert f"archived {future}: 0 rows" in out
    assert f"made 1 partitions: {future}" in _manage("partitions", "ensure", owner=owner, app=app)
    assert app_may("SELECT", "INSERT", "UPDATE") == [True, True, False]


def test_replication_role_cannot_switch_the_triggers_off(as_app):
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("SET session_replication_role = replica")
    with pytest.raises(errors.InsufficientPrivilege):
        as_app.execute("SET LOCAL session_replication_role = replica")
    assert as_app.execute("SHOW session_replication_role").fetchone() == ("origin",)


def test_migrate_reapplies_the_grants_and_new_tables_start_append_only(production_like):
    owner, app = production_like
    out = _manage("db_roles_apply", owner=owner, app=app)
    assert "append-only: " in out
    assert "audit_accessevent" in out
    assert "customers_customerevent" in out
    with (
        psycopg.connect(_url(owner, DB_NAME)) as connection,
        connection.transaction(force_rollback=True),
    ):
        connection.execute("CREATE TABLE brand_new_event (id int)")
        granted = connection.execute(
            "SELECT has_table_privilege(%s, 'brand_new_event', 'INSERT'),"
            " has_table_privilege(%s, 'brand_new_event', 'UPDATE'),"
            " has_table_privilege(%s, 'brand_new_event', 'DELETE')",
            [app["USER"]] * 3,
        ).fetchone()
        assert granted == (True, False, False)


SYNC_AS_APP = """
from django.conf import settings
from audit.context import AuditContext
from benefits.models import SyncRun
from benefits.sources import SOURCES
from benefits.sync.services import sync_page_process, sync_start
from legacy_mocks.server import start_in_thread

server, url = start_in_thread(port=0, customers=40, seed="roles", pip_batch_size=20, hang_seconds=1)
settings.LEGACY_BASE_URL = url
for source in SOURCES:
    run = sync_start(source=source, audit=AuditContext.for_command(command="roles test"))
    page = 1
    while True:
        sync_page_process(run_id=run.pk, page=page)
        run.refresh_from_db()
        if run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
            break
        page += 1
    print(source, run.status, run.created, run.quarantined, run.error or "-")
server.shutdown()
"""


def test_the_sync_runs_as_the_app_role(production_like):
    """Workers run the legacy sync (COPY, temporary tables, upserts, history triggers) as the
    app role: it needs no more than the grants."""
    owner, app = production_like
    out = _manage("shell", "--no-imports", "-c", SYNC_AS_APP, owner=owner, app=app)
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    assert set(lines) == {"uc", "pip", "esa", "sp"}, out
    for source, line in lines.items():
        status, created = line.split(" ")[:2]
        assert status == "succeeded", (source, line)
        assert int(created) > 0, (source, line)
    with psycopg.connect(_url(app, DB_NAME)) as connection:
        history = connection.execute("SELECT count(*) FROM benefits_paymentevent").fetchone()[0]
    assert history > 0
