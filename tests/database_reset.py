"""Emptying the test database after a transactional test: the same result as Django's flush, faster.

Django's TransactionTestCase ends each test with `manage.py flush`: TRUNCATE of every table (each
partition of the partitioned ones included), then the post_migrate signal, whose receivers put the
reference data back (roles and permissions, need types, the ACS lists, sync schedules). That took
about 0.85 s a test, and browser, worker and schemathesis tests are transactional.

The database is left as flush leaves it, more cheaply: the tables flush's post_migrate filled are
noted after a full flush, with a checksum of their rows. While that checksum is unchanged, only the
other tables that hold rows are emptied, and post_migrate is not needed. A test that changed the
reference data (or anything unexpected) gets a full flush, as before.
"""

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import TransactionTestCase

# Per database alias: the tables that hold rows after a full flush, and their checksum then.
_after_flush: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}


def _tables(connection: BaseDatabaseWrapper) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _holding_rows(connection: BaseDatabaseWrapper, tables: list[str]) -> list[str]:
    """The tables with at least one row, in one query."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables
            ),
            tables,
        )
        return [row[0] for row in cursor.fetchall()]


def _checksum(connection: BaseDatabaseWrapper, tables: list[str]) -> list[tuple[str, str]]:
    """Each table's name and an md5 of all its rows, in one query."""
    if not tables:
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
                f" FROM {quote(t)} r"
                for t in tables
            ),
            tables,
        )
        return sorted(cursor.fetchall())


def flush(alias: str) -> None:
    """Django's flush (every table, then post_migrate), and note what it left."""
    call_command("flush", verbosity=0, interactive=False, database=alias, reset_sequences=False)
    connection = connections[alias]
    seeded = _holding_rows(connection, _tables(connection))
    _after_flush[alias] = (seeded, _checksum(connection, seeded))


def empty(alias: str) -> str:
    """Leave the database as flush() would; says how: "quick" or "flush"."""
    connection = connections[alias]
    noted = _after_flush.get(alias)
    if noted is not None and _checksum(connection, noted[0]) == noted[1]:
        seeded = set(noted[0])
        written = [t for t in _holding_rows(connection, _tables(connection)) if t not in seeded]
        try:
            if written:
                # CASCADE reaches only tables that refer to these, never reference data (the
                # checksum below would see it and flush).
                sql = connection.ops.sql_flush(no_style(), written, allow_cascade=True)
                connection.ops.execute_sql_flush(sql)
        except DatabaseError:
            pass
        else:
            if _checksum(connection, noted[0]) == noted[1]:
                return "quick"
    flush(alias)
    return "flush"


def _fixture_teardown(self: TransactionTestCase) -> None:
    """TransactionTestCase's teardown with empty() for flush (pytest-django's transactional tests
    use neither available_apps nor serialized_rollback; a test that does gets Django's own)."""
    if self.available_apps is not None or self.serialized_rollback:
        _django_fixture_teardown(self)
        return
    # django-stubs leave out TransactionTestCase's private methods.
    for alias in self._databases_names(include_mirrors=False):  # type: ignore[attr-defined]
        empty(alias)


_django_fixture_teardown = vars(TransactionTestCase)["_fixture_teardown"]


def install() -> None:
    """From now on, transactional tests end with empty() (tests/conftest.py calls this)."""
    # A private method, not in django-stubs.
    TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[attr-defined]
