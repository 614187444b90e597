"""Least-privilege grants for the portal's database role.

Two roles (scripts/dev.sh creates both locally; docs/security.md for production):
- the OWNER role (DATABASE_OWNER_URL) owns every table and runs `manage.py migrate`;
- the APP role (DATABASE_URL), used by the web processes, workers and beat, owns nothing, is not
  a superuser and gets only data access: SELECT/INSERT/UPDATE/DELETE on the tables, USAGE on the
  sequences, EXECUTE on the functions the triggers call.

The access audit and every change-history table (pghistory's event tables, found by their
`pgh_obj` column and by pghistory's Event models), and each of their partitions, are append-only
for the app role: SELECT and INSERT, nothing else. Without ownership or superuser it cannot
TRUNCATE, DISABLE TRIGGER, set `session_replication_role`, or detach or drop a partition, so no
statement it can run rewrites a log. A partition detached for the archive (core/partitioning.py)
is no business of the portal's: the app role has no privilege on it at all.

`grants_apply` runs after every `migrate` (post_migrate) and from `manage.py db_roles_apply`.
New tables get SELECT and INSERT only by default (ALTER DEFAULT PRIVILEGES), so a log table made
by a migration is never writable in between.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

from core.partitioning import detached_partitions

# Read-only for the app role: what a migration recorded is not the app's to change.
READ_ONLY_TABLES = ("django_migrations",)


@dataclass
class GrantsApplied:
    owner: str
    app_role: str
    tables: int = 0
    append_only: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)


def app_role() -> str:
    """The role the portal connects as (DATABASE_URL's user); empty if none is configured."""
    return str(getattr(settings, "DATABASE_APP_ROLE", "") or "")


@contextmanager
def owner_connection(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Within the block the connection logs in as the owner role (DATABASE_OWNER_URL's user
    and password; the database name stays, so test databases work), if one is configured."""
    owner = getattr(settings, "DATABASE_OWNER", None) or {}
    if not owner.get("USER") or owner["USER"] == connection.settings_dict.get("USER"):
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update({"USER": owner["USER"], "PASSWORD": owner.get("PASSWORD")})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def append_only_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """The access audit and every change-history table, as they exist in the database."""
    import pghistory.models

    names = {apps.get_model("audit", "AccessEvent")._meta.db_table}
    names |= {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attname = 'pgh_obj_id' "
            "AND NOT a.attisdropped"
        )
        names |= {row[0] for row in cursor.fetchall()}
        # Every partition is a table of its own, which a statement may name (the audit's have no
        # pgh_obj column to find them by).
        cursor.execute(
            "SELECT c.relname FROM unnest(%s::text[]) AS parent(name), "
            "pg_partition_tree(to_regclass(parent.name)) AS tree JOIN pg_class c "
            "ON c.oid = tree.relid",
            [sorted(names)],
        )
        names |= {row[0] for row in cursor.fetchall()}
        names -= {detached.name for detached in detached_partitions(cursor)}
        cursor.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND relkind IN ('r', 'p') AND relname = ANY(%s)",
            [sorted(names)],
        )
        return sorted(row[0] for row in cursor.fetchall())


def grants_apply(connection: BaseDatabaseWrapper, *, role: str | None = None) -> GrantsApplied:
    """Give `role` (default: the app role) exactly its privileges. Run as the owner; idempotent."""
    role = role or app_role()
    if not role:
        raise ValueError("no app role: set DATABASE_URL to the portal's own (non-owner) role")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        if owner == role:
            raise ValueError(f"connected as the app role {role!r}: run this as the owner role")
        logs = append_only_tables(connection)
        app, me = sql.Identifier(role), sql.Identifier(owner)
        statements = [
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(app),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(app),
            sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {}").format(app),
            # Until the next run classifies them, new tables are append-only for the app role.
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT SELECT, INSERT ON TABLES TO {}"
            ).format(me, app),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(me, app),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT EXECUTE ON FUNCTIONS TO {}"
            ).format(me, app),
        ]
        for table in logs:
            statements += [
                sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(table), app),
                sql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(
                    sql.Identifier(table), app
                ),
            ]
        detached = [partition.name for partition in detached_partitions(cursor)]
        for table in detached:
            statements.append(
                sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(table), app)
            )
        for table in READ_ONLY_TABLES:
            statements += [
                sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(table), app),
                sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(sql.Identifier(table), app),
            ]
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        )
        tables = cursor.fetchone()[0]
    return GrantsApplied(
        owner=owner, app_role=role, tables=tables, append_only=logs, detached=detached
    )


def after_migrate(*, using: str = "default", **_: object) -> None:
    """post_migrate: re-apply the grants when migrating as a role other than the app role."""
    from django.db import connections

    grants_reapply(connections[using])


def grants_reapply(connection: BaseDatabaseWrapper) -> None:
    """Re-apply the grants after a schema change (a migrate, new or detached partitions), when
    connected as a role other than the app role."""
    role = app_role()
    if not role:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = %s)", [role]
        )
        current, app_is_superuser = cursor.fetchone()
    if current == role or app_is_superuser is None:
        return  # migrating as the app role (a fresh local set-up), or the role does not exist
    grants_apply(connection, role=role)
