"""Range partitioning of the big, time-ordered tables (docs/scaling.md, "Partitioning and
retention"; ADR 0009).

A model opts in with a class attribute, `partitioning = RangePartitioning(...)`: payments by
their date, a year a partition; the access audit and every change-history table by the moment
the row was written, a month (UTC) a partition. Each such table also has a DEFAULT partition, so
a row outside every range is kept, never refused.

The mechanics, in SQL on the cursor given, run as the owner role (the app role owns nothing, so
it can neither create, attach, detach nor drop a partition):
- `partition_table` turns a plain table into a partitioned one in place (a migration step);
- `partitions_ensure` makes the partitions the policy wants: from this period to
  PARTITION_AHEAD_MONTHS ahead and, for a table whose rows arrive dated in the past (payments),
  back to its retention horizon. Rows the DEFAULT partition caught for a range it now makes are
  moved into the new partition;
- `partition_detach` takes a partition out of its table and marks it (a table comment) with
  where it came from, for the archive (`core.partition_archive`).
`partitions_coverage` is what operators watch (the /metrics gauges, dwpportal/metrics.py): rows
the DEFAULT partitions caught and how far ahead the partitions reach, read as the app role.
PostgreSQL keeps the partition key in every primary key and unique constraint: a table's
primary key in the database becomes (id, key) while Django keeps `id` as the model's pk.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from django.apps import apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone

Interval = Literal["month", "year"]
# The only key types we partition on; bounds are written for each.
DATE, TIMESTAMPTZ = "date", "timestamp with time zone"
DEFAULT_SUFFIX = "_default"
# A detached partition's table comment starts like this (JSON), so the archive knows its range.
DETACHED_MARK = '{"detached_from"'


@dataclass(frozen=True)
class RangePartitioning:
    """How a model's table is partitioned (the model's `partitioning` class attribute)."""

    column: str
    interval: Interval
    # The key in settings.PARTITION_RETENTION_MONTHS: how long its partitions stay attached.
    retention: str
    # Rows arrive dated in the past (a payment synced years after it was made): partitions are
    # made back to the retention horizon, not only from now on.
    backfill: bool = False


@dataclass(frozen=True)
class Partition:
    name: str
    # The range [lower, upper) as dates (UTC midnights for timestamps); None for the DEFAULT.
    lower: date | None
    upper: date | None
    estimated_rows: int

    @property
    def is_default(self) -> bool:
        return self.lower is None and self.upper is None

    def overlaps(self, lower: date, upper: date) -> bool:
        if self.lower is None or self.upper is None:
            return False
        return self.lower < upper and lower < self.upper


@dataclass(frozen=True)
class DetachedPartition:
    name: str
    parent: str
    column: str
    lower: date
    upper: date
    detached_at: str


def partitioned_tables() -> list[tuple[str, RangePartitioning]]:
    """(table, how) for every model that declares `partitioning`, by table name."""
    found: dict[str, RangePartitioning] = {}
    for model in apps.get_models():
        how = getattr(model, "partitioning", None)
        if isinstance(how, RangePartitioning) and not model._meta.proxy:
            found[model._meta.db_table] = how
    return sorted(found.items())


# --- periods -------------------------------------------------------------------------------


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(interval: Interval, day: date) -> date:
    return day.replace(day=1) if interval == "month" else day.replace(month=1, day=1)


def period_after(interval: Interval, start: date) -> date:
    return _add_months(start, 1 if interval == "month" else 12)


def retention_cutoff(today: date, months: int) -> date:
    """Partitions wholly before this day are past a retention of `months` whole months."""
    return _add_months(today.replace(day=1), -months)


def partition_name(table: str, interval: Interval, start: date) -> str:
    return f"{table}_p{start:%Y}" if interval == "year" else f"{table}_p{start:%Y_%m}"


# --- the catalog ---------------------------------------------------------------------------


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relkind(cursor: Any, table: str) -> str | None:
    """'p' partitioned, 'r' plain table, None if there is no such table."""
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [quote(table)])
    row = cursor.fetchone()
    return str(row[0]) if row else None


def _key_type(cursor: Any, table: str, column: str) -> str:
    cursor.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attname = %s AND NOT attisdropped",
        [quote(table), column],
    )
    row = cursor.fetchone()
    if row is None or row[0] not in (DATE, TIMESTAMPTZ):
        raise ValueError(f"{table}.{column} must be a date or a timestamp with time zone")
    return str(row[0])


def _literal(key_type: str, day: date) -> str:
    return f"'{day.isoformat()}'" if key_type == DATE else f"'{day.isoformat()} 00:00:00+00'"


def _bound_day(text: str) -> date:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


def partitions_of(cursor: Any, table: str) -> list[Partition]:
    """The table's partitions with their ranges, oldest first, the DEFAULT last."""
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s)",
        [quote(table)],
    )
    found = []
    for name, bound, rows in cursor.fetchall():
        lower = upper = None
        if bound != "DEFAULT":
            # FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); MINVALUE/MAXVALUE stay None.
            values = bound.split("FROM (", 1)[1].split(") TO (")
            lower_text, upper_text = values[0], values[1].rstrip(")")
            if lower_text.startswith("'"):
                lower = _bound_day(lower_text.strip("'"))
            if upper_text.startswith("'"):
                upper = _bound_day(upper_text.strip("'"))
        found.append(Partition(name=name, lower=lower, upper=upper, estimated_rows=int(rows)))
    return sorted(found, key=lambda p: (p.is_default, p.lower or date.min))


def rows_in(cursor: Any, table: str, *, at_most: int | None = None) -> int:
    """The table's row count; with `at_most`, counting stops there (a bounded scan)."""
    if at_most is None:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
    else:
        cursor.execute(f"SELECT count(*) FROM (SELECT FROM {quote(table)} LIMIT %s) s", [at_most])
    return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class Coverage:
    """What operators watch of a partitioned table (the /metrics gauges)."""

    table: str
    # Rows its DEFAULT partition holds, counted up to DEFAULT_ROWS_COUNTED (None: no DEFAULT).
    default_rows: int | None
    # The furthest upper bound of its ranges: rows dated from then on go to the DEFAULT.
    made_until: date | None


# Normally 0: a bounded count keeps a scrape cheap however many rows the DEFAULT has caught.
DEFAULT_ROWS_COUNTED = 100_000


def partitions_coverage(cursor: Any, *, at_most: int = DEFAULT_ROWS_COUNTED) -> list[Coverage]:
    """For each partitioned table: its DEFAULT partition's rows and how far ahead its ranges
    reach. Catalog reads and one bounded count a table; the app role may run it."""
    found = []
    for table, _ in partitioned_tables():
        if relkind(cursor, table) != "p":
            continue  # not partitioned (yet) in this database
        partitions = partitions_of(cursor, table)
        default = next((p.name for p in partitions if p.is_default), None)
        uppers = [p.upper for p in partitions if p.upper is not None]
        found.append(
            Coverage(
                table=table,
                default_rows=None if default is None else rows_in(cursor, default, at_most=at_most),
                made_until=max(uppers, default=None),
            )
        )
    return found


def table_columns(cursor: Any, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [quote(table)],
    )
    return [(str(name), str(kind)) for name, kind in cursor.fetchall()]


def column_list(columns: Iterable[tuple[str, str]]) -> str:
    return ", ".join(quote(name) for name, _ in columns)


def _in_range(column: str, key_type: str, lower: date, upper: date) -> str:
    return (
        f"{quote(column)} >= {_literal(key_type, lower)} "
        f"AND {quote(column)} < {_literal(key_type, upper)}"
    )


# --- making partitions ---------------------------------------------------------------------


def partitions_ensure(
    cursor: Any,
    table: str,
    how: RangePartitioning,
    *,
    today: date,
    retention_months: int,
    ahead_months: int,
) -> list[str]:
    """Make the partitions the policy wants (and the DEFAULT); returns the names made.

    The policy: each period from this one (for a backfill table, from the one holding the
    retention cutoff) to `ahead_months` ahead, and each period the DEFAULT partition holds rows
    of (those rows move into it), so that nothing stays in the DEFAULT past its retention. A
    period whose partition name is taken by a detached table still waiting for its archive is
    left to the DEFAULT meanwhile.
    """
    if relkind(cursor, table) != "p":
        return []
    existing = partitions_of(cursor, table)
    made = []
    default = next((p.name for p in existing if p.is_default), None)
    if default is None:
        default = table + DEFAULT_SUFFIX
        cursor.execute(f"CREATE TABLE {quote(default)} PARTITION OF {quote(table)} DEFAULT")
        made.append(default)
    if how.backfill:
        start = period_start(how.interval, retention_cutoff(today, retention_months))
    else:
        start = period_start(how.interval, today)
    wanted = _data_periods(cursor, default, how.column, how.interval)
    while start <= _add_months(today.replace(day=1), ahead_months):
        wanted.add(start)
        start = period_after(how.interval, start)
    for start in sorted(wanted):
        upper = period_after(how.interval, start)
        name = partition_name(table, how.interval, start)
        if not any(p.overlaps(start, upper) for p in existing) and relkind(cursor, name) is None:
            partition_create(cursor, table, how, start)
            made.append(name)
    return made


def partition_create(cursor: Any, table: str, how: RangePartitioning, start: date) -> str:
    """Make the partition for the period from `start` and attach it (SHARE UPDATE EXCLUSIVE on
    the table: reads and writes go on). Rows the DEFAULT partition caught for its range move
    into it first, in the same transaction."""
    key_type = _key_type(cursor, table, how.column)
    upper = period_after(how.interval, start)
    name = partition_name(table, how.interval, start)
    columns = table_columns(cursor, table)
    cursor.execute(
        f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)"
    )
    default = next((p.name for p in partitions_of(cursor, table) if p.is_default), None)
    if default:
        where = _in_range(how.column, key_type, start, upper)
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(default)} WHERE {where})")
        if cursor.fetchone()[0]:
            _move_out_of_default(cursor, default, name, columns, where)
    cursor.execute(
        f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} FOR VALUES "
        f"FROM ({_literal(key_type, start)}) TO ({_literal(key_type, upper)})"
    )
    return name


def _move_out_of_default(
    cursor: Any, default: str, name: str, columns: Sequence[tuple[str, str]], where: str
) -> None:
    # The append-only trigger (the audit's) refuses the DELETE: switched off for this one
    # statement by the owner, inside the transaction that holds the DEFAULT partition locked.
    cursor.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgenabled = 'O' "
        "AND tgtype & 24 <> 0 AND NOT tgisinternal",  # 8 DELETE, 16 UPDATE
        [quote(default)],
    )
    triggers = [row[0] for row in cursor.fetchall()]
    names = column_list(columns)
    cursor.execute(
        f"INSERT INTO {quote(name)} ({names}) SELECT {names} FROM {quote(default)} WHERE {where}"
    )
    for trigger in triggers:
        cursor.execute(f"ALTER TABLE {quote(default)} DISABLE TRIGGER {quote(trigger)}")
    cursor.execute(f"DELETE FROM {quote(default)} WHERE {where}")
    for trigger in triggers:
        cursor.execute(f"ALTER TABLE {quote(default)} ENABLE TRIGGER {quote(trigger)}")


def partitions_ensure_all(
    connection: BaseDatabaseWrapper, *, today: date | None = None
) -> dict[str, list[str]]:
    """`partitions_ensure` for every partitioned model, with the settings' policy."""
    today = today or timezone.now().date()
    made = {}
    with connection.cursor() as cursor:
        for table, how in partitioned_tables():
            made[table] = partitions_ensure(
                cursor,
                table,
                how,
                today=today,
                retention_months=settings.PARTITION_RETENTION_MONTHS[how.retention],
                ahead_months=settings.PARTITION_AHEAD_MONTHS,
            )
    return made


def after_migrate(*, using: str = "default", **_: object) -> None:
    """post_migrate: every migrate makes the partitions the policy wants."""
    from django.db import connections

    partitions_ensure_all(connections[using])


# --- retention -----------------------------------------------------------------------------


def partitions_past_retention(partitions: Iterable[Partition], cutoff: date) -> list[Partition]:
    return [p for p in partitions if p.upper is not None and p.upper <= cutoff]


def partition_detach(cursor: Any, table: str, how: RangePartitioning, partition: Partition) -> None:
    """Take a partition out of its table (ACCESS EXCLUSIVE on the table for a moment: DETACH
    ... CONCURRENTLY is refused while a DEFAULT partition exists) and mark it for the archive."""
    if partition.lower is None or partition.upper is None:
        raise ValueError(f"{partition.name} has no range of its own: it cannot be detached")
    cursor.execute(f"ALTER TABLE {quote(table)} DETACH PARTITION {quote(partition.name)}")
    mark = {
        "detached_from": table,
        "column": how.column,
        "from": partition.lower.isoformat(),
        "to": partition.upper.isoformat(),
        "detached_at": timezone.now().isoformat(),
    }
    cursor.execute(f"COMMENT ON TABLE {quote(partition.name)} IS %s", [json.dumps(mark)])


def detached_partitions(cursor: Any) -> list[DetachedPartition]:
    """Tables detached by `partition_detach` (or restored from an archive), not yet dropped."""
    cursor.execute(
        "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
        "WHERE c.relkind = 'r' AND NOT c.relispartition "
        "AND c.relnamespace = current_schema()::regnamespace "
        "AND obj_description(c.oid, 'pg_class') LIKE %s ORDER BY 1",
        [DETACHED_MARK.replace("_", "\\_") + "%"],
    )
    found = []
    for name, comment in cursor.fetchall():
        mark = json.loads(comment)
        found.append(
            DetachedPartition(
                name=name,
                parent=mark["detached_from"],
                column=mark["column"],
                lower=date.fromisoformat(mark["from"]),
                upper=date.fromisoformat(mark["to"]),
                detached_at=mark.get("detached_at", ""),
            )
        )
    return found


# --- turning a plain table into a partitioned one (migrations) -----------------------------


@dataclass
class _Definition:
    """What a plain table carries that a new table does not get from LIKE."""

    keys: list[tuple[str, str, list[str], str]]  # name, PRIMARY KEY/UNIQUE, columns, deferral
    foreign_keys: list[tuple[str, str]]  # name, definition
    indexes: list[str]  # CREATE INDEX statements
    triggers: list[tuple[str, str, str | None, bool]]  # name, CREATE TRIGGER, comment, enabled
    grants: list[tuple[str, str]]  # privilege, grantee
    sequences: list[tuple[str, str, int, bool]]  # column, sequence name, last value, is_called


def _definition(cursor: Any, table: str) -> _Definition:
    oid = quote(table)
    cursor.execute(
        "SELECT conrelid::regclass::text FROM pg_constraint "
        "WHERE confrelid = to_regclass(%s) AND conrelid <> confrelid",
        [oid],
    )
    if referencing := [row[0] for row in cursor.fetchall()]:
        raise ValueError(
            f"{table} is referenced by foreign keys from {', '.join(referencing)}: drop them (or "
            "make them include the partition key) before partitioning it"
        )
    cursor.execute(
        "SELECT conname, contype, "
        "ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, i) "
        "      JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i), "
        "condeferrable, condeferred, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f', 'x') "
        "ORDER BY conname",
        [oid],
    )
    keys, foreign_keys = [], []
    for name, kind, columns, deferrable, deferred, definition in cursor.fetchall():
        if kind == "x":
            raise ValueError(f"{table}'s exclusion constraint {name} cannot be partitioned")
        if kind == "f":
            foreign_keys.append((name, definition))
            continue
        deferral = " DEFERRABLE" if deferrable else ""
        deferral += " INITIALLY DEFERRED" if deferred else ""
        keys.append((name, "PRIMARY KEY" if kind == "p" else "UNIQUE", list(columns), deferral))
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = to_regclass(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "                AND c.conrelid = i.indrelid) ORDER BY i.indexrelid::regclass::text",
        [oid],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT tgname, pg_get_triggerdef(oid), obj_description(oid, 'pg_trigger'), "
        "tgenabled <> 'D' FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal "
        "ORDER BY tgname",
        [oid],
    )
    triggers = [(name, sql, comment, enabled) for name, sql, comment, enabled in cursor.fetchall()]
    cursor.execute(
        "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
        "ELSE a.grantee::regrole::text END "
        "FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = to_regclass(%s) AND a.grantee <> c.relowner",
        [oid],
    )
    grants = [(privilege, grantee) for privilege, grantee in cursor.fetchall()]
    cursor.execute(
        "SELECT attname, pg_get_serial_sequence(%s, attname) FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attidentity <> '' AND NOT attisdropped",
        [oid, oid],
    )
    sequences = []
    for column, sequence in cursor.fetchall():
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        sequences.append((column, sequence, int(last_value), bool(is_called)))
    return _Definition(keys, foreign_keys, indexes, triggers, grants, sequences)


def _data_periods(cursor: Any, table: str, column: str, interval: Interval) -> set[date]:
    key_type = _key_type(cursor, table, column)
    key = quote(column) + (" AT TIME ZONE 'UTC'" if key_type == TIMESTAMPTZ else "")
    cursor.execute(
        f"SELECT DISTINCT date_trunc('{interval}', {key})::date FROM {quote(table)} "
        f"WHERE {quote(column)} IS NOT NULL"
    )
    return {row[0] for row in cursor.fetchall()}


def partition_table(
    schema_editor: BaseDatabaseSchemaEditor,
    *,
    table: str,
    column: str,
    interval: Interval,
    bigint_columns: Sequence[str] = (),
) -> None:
    """Turn the plain `table` into one partitioned by RANGE (`column`), keeping its rows, ids
    (and id sequences), indexes, constraints, triggers and grants. Idempotent: a table already
    partitioned is left alone. `bigint_columns` become 64-bit on the way.

    A partition is made for each period that holds rows, and this period's; the DEFAULT catches
    the rest. The table is locked (ACCESS EXCLUSIVE) while its rows are copied.
    """
    with schema_editor.connection.cursor() as cursor:
        kind = relkind(cursor, table)
        if kind == "p":
            return
        if kind != "r":
            raise ValueError(f"{table} is not a table")
        cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
        saved = _definition(cursor, table)
        key_type = _key_type(cursor, table, column)
        staging = f"{table}__partitioned"
        cursor.execute(
            f"CREATE TABLE {quote(staging)} (LIKE {quote(table)} INCLUDING DEFAULTS "
            "INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS "
            "INCLUDING COMPRESSION INCLUDING GENERATED) "
            f"PARTITION BY RANGE ({quote(column)})"
        )
        for name in bigint_columns:
            cursor.execute(f"ALTER TABLE {quote(staging)} ALTER COLUMN {quote(name)} TYPE bigint")
            # An identity's sequence keeps the 32-bit maximum it was made with otherwise.
            cursor.execute(
                "SELECT attidentity <> '' FROM pg_attribute "
                "WHERE attrelid = to_regclass(%s) AND attname = %s",
                [quote(staging), name],
            )
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"ALTER TABLE {quote(staging)} ALTER COLUMN {quote(name)} SET NO MAXVALUE"
                )
        today = timezone.now().date()
        periods = _data_periods(cursor, table, column, interval) | {period_start(interval, today)}
        for start in sorted(periods):
            upper = period_after(interval, start)
            cursor.execute(
                f"CREATE TABLE {quote(partition_name(table, interval, start))} PARTITION OF "
                f"{quote(staging)} FOR VALUES FROM ({_literal(key_type, start)}) "
                f"TO ({_literal(key_type, upper)})"
            )
        cursor.execute(
            f"CREATE TABLE {quote(table + DEFAULT_SUFFIX)} PARTITION OF {quote(staging)} DEFAULT"
        )
        columns = column_list(table_columns(cursor, table))
        cursor.execute(
            f"INSERT INTO {quote(staging)} ({columns}) OVERRIDING SYSTEM VALUE "
            f"SELECT {columns} FROM {quote(table)}"
        )
        renames = []
        for name, old_sequence, last_value, is_called in saved.sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(staging), name])
            new_sequence = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s, %s)", [new_sequence, last_value, is_called])
            renames.append((new_sequence, old_sequence.rsplit(".", 1)[-1]))
        cursor.execute(f"DROP TABLE {quote(table)}")
        cursor.execute(f"ALTER TABLE {quote(staging)} RENAME TO {quote(table)}")
        for new_sequence, old_name in renames:
            cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {old_name}")
        _definition_restore(cursor, table, column, saved)
        cursor.execute(f"ANALYZE {quote(table)}")


def _definition_restore(cursor: Any, table: str, column: str, saved: _Definition) -> None:
    for name, kind, columns, deferral in saved.keys:
        # PostgreSQL enforces uniqueness per partition: the key must be in every unique index.
        with_key = [*columns, column] if column not in columns else columns
        cursor.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {kind} "
            f"({column_list((c, '') for c in with_key)}){deferral}"
        )
    for statement in saved.indexes:
        cursor.execute(statement)
    for name, definition in saved.foreign_keys:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    for name, statement, comment, enabled in saved.triggers:
        cursor.execute(statement)
        if comment is not None:
            cursor.execute(f"COMMENT ON TRIGGER {quote(name)} ON {quote(table)} IS %s", [comment])
        if not enabled:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
    for privilege, grantee in saved.grants:
        cursor.execute(f"GRANT {privilege} ON TABLE {quote(table)} TO {grantee}")


def partition_operation(
    *, table: str, column: str, interval: Interval, bigint_columns: Sequence[str] = ()
) -> migrations.RunPython:
    """A migration step running `partition_table` (irreversible: going back would mean
    copying every row again; restore a backup instead)."""

    def forwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        partition_table(
            schema_editor,
            table=table,
            column=column,
            interval=interval,
            bigint_columns=bigint_columns,
        )

    return migrations.RunPython(forwards)


def history_partition_operations(
    app_label: str, model_names: Sequence[str]
) -> list[migrations.operations.base.Operation]:
    """The migration steps for change-history (pghistory event) models made from
    core.history.HistoryEvent: their 64-bit `pgh_id`, and their tables partitioned by month."""
    return [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=name.lower(),
                    name="pgh_id",
                    field=models.BigAutoField(primary_key=True, serialize=False),
                )
                for name in model_names
            ]
        ),
        *(
            partition_operation(
                table=f"{app_label}_{name.lower()}",
                column="pgh_created_at",
                interval="month",
                bigint_columns=["pgh_id"],
            )
            for name in model_names
        ),
    ]
