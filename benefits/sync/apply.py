"""Bulk, idempotent application of canonical records: COPY into staging, one upsert per table.

Called inside the page's transaction (the caller advances the watermark and the run counters in
that same transaction). Every upsert carries `WHERE EXCLUDED.source_version > existing`, so a
replayed page changes nothing and an older version never overwrites a newer one.
"""

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import psycopg
from django.db import DataError, IntegrityError, connection, models, transaction
from psycopg.types.json import Jsonb

from benefits.models import EsaAward, PipAward, StatePensionAward, UniversalCreditAward
from benefits.sources.base import SourceRecord, storable_text
from customers.models import search_name_for

AWARD_MODELS = {
    "uc": UniversalCreditAward,
    "pip": PipAward,
    "esa": EsaAward,
    "sp": StatePensionAward,
}
# Which copy of a customer's identity the portal shows, best first (see ADR 0003): UC is the
# newest system and the customer maintains it online; PIPCS and PSCS keep mixed-case names
# checked at claim; JSAPS stores everything upper case, so it is used only when it is the only one.
IDENTITY_PRECEDENCE = ("uc", "pip", "sp", "esa")
BENEFIT_ORDER = ("uc", "pip", "esa", "sp")
# The column holding each award's start date, for "award started" events.
_START_COLUMN = {"uc": "start_date", "pip": "award_start", "esa": "claim_start", "sp": "start_date"}
_LABEL = {"uc": "Universal Credit", "pip": "PIP", "esa": "ESA", "sp": "State Pension"}
# SourceIdentity's columns (the source's restricted flag is kept on the award row instead).
IDENTITY_FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "date_of_death",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
)
_IDENTITY_TYPES = {"date_of_birth": "date", "date_of_death": "date"}


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    # Customers whose award this page created or changed (for support needs and signals).
    changed_customer_ids: list[int] = field(default_factory=list)
    # Records the database refused, each with its reason: the caller quarantines them (the
    # rest of the page was applied without them).
    refused: list[tuple[SourceRecord, str]] = field(default_factory=list)

    def add(self, other: "ApplyResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.events += other.events
        self.changed_customer_ids.extend(other.changed_customer_ids)
        self.refused.extend(other.refused)


def latest_per_customer(records: Sequence[SourceRecord]) -> tuple[list[SourceRecord], int]:
    """Keep each customer's newest version in the page (duplicates and older copies dropped)."""
    best: dict[str, SourceRecord] = {}
    for record in records:
        held = best.get(record.nino)
        if held is None or record.version > held.version:
            best[record.nino] = record
    return sorted(best.values(), key=lambda r: r.nino), len(records) - len(best)


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _award_columns(source: str) -> list[tuple[str, str]]:
    """(column, SQL type) of the award dataclass's fields, typed as the model declares them."""
    model = AWARD_MODELS[source]
    names = [field.name for field in dataclasses.fields(_award_class(source))]
    return [(name, _column_type(model, name)) for name in [*names, "source_restricted"]]


def _column_type(model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    db_type = model_field.db_type(connection) if isinstance(model_field, models.Field) else None
    if db_type is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return db_type


def _award_class(source: str) -> type:
    from benefits.sources import base

    return {
        "uc": base.UcAward,
        "pip": base.PipAward,
        "esa": base.EsaAward,
        "sp": base.StatePensionAward,
    }[source]


def _cell(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, (list, dict)) else value


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


def records_apply(*, source: str, records: Sequence[SourceRecord], run_id: int) -> ApplyResult:
    """Upsert the records' customers, identities, awards, payments and events. Idempotent.

    Must run inside a transaction. The parsers reject what they can see is wrong; should the
    database still refuse a record (a constraint or limit nobody checked), the batch is rolled
    back to a savepoint and split in halves until the refused record stands alone: it is
    returned in `refused` with the database's reason and every other record is applied.
    """
    latest, dropped = latest_per_customer(records)
    result = _apply_or_split(source, latest, run_id)
    result.unchanged += dropped
    return result


def _apply_or_split(source: str, records: list[SourceRecord], run_id: int) -> ApplyResult:
    if not records:
        return ApplyResult()
    try:
        with transaction.atomic():
            return _apply_latest(source, records, run_id)
    # psycopg's own errors come from COPY, which it checks before sending (e.g. a NUL byte).
    except (DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError) as error:
        if len(records) == 1:
            reason = f"the database refused the record: {_first_line(error)}"
            return ApplyResult(refused=[(records[0], reason)])
    middle = len(records) // 2
    result = _apply_or_split(source, records[:middle], run_id)
    result.add(_apply_or_split(source, records[middle:], run_id))
    return result


def _first_line(error: Exception) -> str:
    return storable_text(str(error).strip().split("\n")[0])[:500]


def _apply_latest(source: str, latest: list[SourceRecord], run_id: int) -> ApplyResult:
    """One customer per record (latest_per_customer already applied)."""
    result = ApplyResult()
    award_table = AWARD_MODELS[source]._meta.db_table
    award_columns = _award_columns(source)
    names = [name for name, _ in award_columns]
    with connection.cursor() as cursor:
        # Temp tables are dropped at commit; inside an outer transaction (tests, quarantine
        # replays in a bigger unit) a second call in it must start afresh.
        cursor.execute(
            "DROP TABLE IF EXISTS sync_stage, sync_stage_award, sync_stage_payment, sync_prev, "
            "sync_applied, sync_new_arrears, sync_customer"
        )
        _stage_records(cursor, source, latest, award_columns)
        _insert_new_customers(cursor, source, run_id)
        cursor.execute(
            "UPDATE sync_stage s SET customer_id = c.id FROM customers_customer c "
            "WHERE c.nino = s.nino"
        )
        # Temporary tables have no statistics: without these the planner guesses badly.
        cursor.execute("CREATE UNIQUE INDEX ON sync_stage (customer_id)")
        cursor.execute("CREATE INDEX ON sync_stage_payment (nino)")
        cursor.execute("ANALYZE sync_stage; ANALYZE sync_stage_award; ANALYZE sync_stage_payment")
        _upsert_identities(cursor, source, run_id)
        # The award as it was, for the events below.
        cursor.execute(
            f"CREATE TEMP TABLE sync_prev ON COMMIT DROP AS SELECT a.* FROM {award_table} a "
            "JOIN sync_stage s ON s.customer_id = a.customer_id"
        )
        cursor.execute(
            "CREATE TEMP TABLE sync_applied (customer_id bigint PRIMARY KEY, inserted boolean) "
            "ON COMMIT DROP"
        )
        assignments = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names)
        column_list = ", ".join(f'"{n}"' for n in names)
        cursor.execute(
            f"""
            WITH up AS (
              INSERT INTO {award_table}
                (customer_id, {column_list}, source_version, source_changed_at, sync_run_id,
                 synced_at)
              SELECT s.customer_id, {", ".join(f'sa."{n}"' for n in names)}, s.version,
                     s.changed_at, %(run)s, now()
              FROM sync_stage s JOIN sync_stage_award sa USING (nino)
              ORDER BY s.customer_id
              ON CONFLICT (customer_id) DO UPDATE SET {assignments},
                source_version = EXCLUDED.source_version,
                source_changed_at = EXCLUDED.source_changed_at,
                sync_run_id = EXCLUDED.sync_run_id, synced_at = EXCLUDED.synced_at
              WHERE EXCLUDED.source_version > {award_table}.source_version
              RETURNING customer_id, (xmax = 0) AS inserted
            )
            INSERT INTO sync_applied SELECT customer_id, inserted FROM up
            """,
            {"run": run_id},
        )
        cursor.execute("ANALYZE sync_applied; ANALYZE sync_prev")
        cursor.execute("SELECT count(*) FILTER (WHERE inserted), count(*) FROM sync_applied")
        created, applied = cursor.fetchone()
        result.created, result.updated = created, applied - created
        result.unchanged += len(latest) - applied
        if applied:
            cursor.execute("SELECT customer_id FROM sync_applied ORDER BY customer_id")
            result.changed_customer_ids = [row[0] for row in cursor.fetchall()]
            arrears = _upsert_payments(cursor, source, run_id)
            result.events += arrears
            result.events += _award_events(cursor, source, award_table, run_id)
            result.events += _customers_refresh(cursor, source, run_id)
    return result


def _stage_records(
    cursor: Any, source: str, records: list[SourceRecord], award_columns: list[tuple[str, str]]
) -> None:
    identity_ddl = ", ".join(
        f"{name} {_IDENTITY_TYPES.get(name, 'text')}" for name in IDENTITY_FIELDS
    )
    cursor.execute(
        "CREATE TEMP TABLE sync_stage (nino varchar(9) PRIMARY KEY, version bigint, "
        f"changed_at timestamptz, search_name text, customer_id bigint, restricted boolean, "
        f"{identity_ddl}) "
        "ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMP TABLE sync_stage_award (nino varchar(9) PRIMARY KEY, "
        + ", ".join(f'"{name}" {kind}' for name, kind in award_columns)
        + ") ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMP TABLE sync_stage_payment (nino varchar(9), reference varchar(60), "
        "payment_date date, amount_pence integer, kind varchar(10), status varchar(10), "
        "period_start date, period_end date, version bigint) ON COMMIT DROP"
    )
    _copy(
        cursor,
        "sync_stage",
        ["nino", "version", "changed_at", "search_name", "restricted", *IDENTITY_FIELDS],
        (
            (
                r.nino,
                r.version,
                r.changed_at,
                search_name_for(
                    r.identity.first_name, r.identity.middle_names, r.identity.last_name
                ),
                r.identity.restricted,
                *(getattr(r.identity, name) for name in IDENTITY_FIELDS),
            )
            for r in records
        ),
    )
    names = [name for name, _ in award_columns]
    _copy(
        cursor,
        "sync_stage_award",
        ["nino", *(f'"{n}"' for n in names)],
        (
            (r.nino, *(_cell(getattr(r.award, n)) for n in names[:-1]), r.identity.restricted)
            for r in records
        ),
    )

    def payment_rows() -> Iterable[tuple[Any, ...]]:
        for r in records:
            seen: set[str] = set()
            for p in r.payments:
                reference, n = p.reference, 1
                while reference in seen:  # two payments of a kind on one day: number them
                    n += 1
                    reference = f"{p.reference}{n}"
                seen.add(reference)
                yield (
                    r.nino,
                    reference,
                    p.payment_date,
                    p.amount_pence,
                    p.kind,
                    p.status,
                    p.period_start,
                    p.period_end,
                    r.version,
                )

    _copy(
        cursor,
        "sync_stage_payment",
        [
            "nino",
            "reference",
            "payment_date",
            "amount_pence",
            "kind",
            "status",
            "period_start",
            "period_end",
            "version",
        ],
        payment_rows(),
    )


def _insert_new_customers(cursor: Any, source: str, run_id: int) -> None:
    cursor.execute(
        f"""
        INSERT INTO customers_customer (public_id, nino, search_name, benefits_held, last_source,
          last_sync_run_id, created_at, updated_at, restricted, {", ".join(IDENTITY_FIELDS)})
        SELECT gen_random_uuid(), s.nino, s.search_name,
          CASE WHEN a.status = 'closed' THEN '[]'::jsonb ELSE jsonb_build_array(%(source)s) END,
          %(source)s, %(run)s, now(), now(), s.restricted,
          {", ".join(f"s.{name}" for name in IDENTITY_FIELDS)}
        FROM sync_stage s JOIN sync_stage_award a USING (nino) ORDER BY s.nino
        ON CONFLICT (nino) DO NOTHING
        """,
        {"source": source, "run": run_id},
    )


def _upsert_identities(cursor: Any, source: str, run_id: int) -> None:
    fields = ", ".join(IDENTITY_FIELDS)
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in IDENTITY_FIELDS)
    cursor.execute(
        f"""
        INSERT INTO customers_sourceidentity
          (customer_id, source, {fields}, source_version, sync_run_id, updated_at)
        SELECT customer_id, %(source)s, {fields}, version, %(run)s, now()
        FROM sync_stage ORDER BY customer_id
        ON CONFLICT (customer_id, source) DO UPDATE SET {assignments},
          source_version = EXCLUDED.source_version, sync_run_id = EXCLUDED.sync_run_id,
          updated_at = EXCLUDED.updated_at
        WHERE EXCLUDED.source_version > customers_sourceidentity.source_version
        """,
        {"source": source, "run": run_id},
    )


def _upsert_payments(cursor: Any, source: str, run_id: int) -> int:
    """Payments of the applied records; returns how many arrears events it wrote."""
    cursor.execute(
        """
        CREATE TEMP TABLE sync_new_arrears ON COMMIT DROP AS SELECT * FROM benefits_payment
        WITH NO DATA
        """
    )
    # Payments are partitioned by date, and PostgreSQL returns no system column (xmax) from a
    # partitioned table: new payments are inserted first (what that returns is the new ones),
    # then the known ones are updated. The natural key (benefit, reference, payment_date) is the
    # partitioned table's unique constraint; the reference holds the date, so a payment's date
    # never changes.
    staged = """
        FROM sync_stage_payment p JOIN sync_stage s USING (nino)
        JOIN sync_applied a ON a.customer_id = s.customer_id
    """
    cursor.execute(
        f"""
        WITH new AS (
          INSERT INTO benefits_payment (customer_id, benefit, reference, payment_date,
            amount_pence, kind, status, period_start, period_end, source_version,
            source_changed_at, sync_run_id, synced_at)
          SELECT s.customer_id, %(source)s, p.reference, p.payment_date, p.amount_pence, p.kind,
            p.status, p.period_start, p.period_end, p.version, s.changed_at, %(run)s, now()
          {staged}
          ORDER BY p.reference
          ON CONFLICT (benefit, reference, payment_date) DO NOTHING
          RETURNING id, customer_id, benefit, reference, payment_date, amount_pence, kind,
            status, period_start, period_end, source_changed_at
        )
        INSERT INTO sync_new_arrears (id, customer_id, benefit, reference, payment_date,
          amount_pence, kind, status, period_start, period_end, source_changed_at)
        SELECT * FROM new WHERE kind = 'arrears'
        """,
        {"source": source, "run": run_id},
    )
    cursor.execute(
        f"""
        UPDATE benefits_payment t SET amount_pence = p.amount_pence, kind = p.kind,
          status = p.status, period_start = p.period_start, period_end = p.period_end,
          source_version = p.version, source_changed_at = s.changed_at, sync_run_id = %(run)s,
          synced_at = now()
        {staged}
        WHERE t.benefit = %(source)s AND t.reference = p.reference
          AND t.payment_date = p.payment_date AND p.version > t.source_version
          -- Only a payment the source has changed: one that a newer version of its record
          -- carries as it was keeps when its source recorded it and when the portal synced it
          -- (and "what changed since you last looked" does not list it again).
          AND (t.amount_pence, t.kind, t.status, t.period_start, t.period_end)
              IS DISTINCT FROM (p.amount_pence, p.kind, p.status, p.period_start, p.period_end)
        """,
        {"source": source, "run": run_id},
    )
    # A payment the source no longer schedules (e.g. the award ended) was never made.
    cursor.execute(
        """
        DELETE FROM benefits_payment p USING sync_applied a, sync_stage s
        WHERE s.customer_id = a.customer_id AND p.customer_id = a.customer_id
          AND p.benefit = %(source)s AND p.status = 'scheduled'
          AND NOT EXISTS (SELECT 1 FROM sync_stage_payment sp
                          WHERE sp.nino = s.nino AND sp.reference = p.reference)
        """,
        {"source": source},
    )
    cursor.execute(
        """
        INSERT INTO benefits_benefitevent (customer_id, benefit, kind, occurred_at, summary,
          details, sync_run_id, recorded_at, synced_at)
        SELECT customer_id, benefit, 'arrears_payment', payment_date::timestamp AT TIME ZONE 'UTC',
          format('%%s arrears payment of £%%s %%s on %%s', %(label)s,
                 to_char(amount_pence / 100.0, 'FM999,999,990.00'),
                 CASE WHEN status = 'scheduled' THEN 'scheduled' ELSE 'paid' END,
                 to_char(payment_date, 'DD/MM/YYYY')),
          jsonb_build_object('amount_pence', amount_pence, 'reference', reference,
                             'status', status, 'period_start', period_start,
                             'period_end', period_end),
          %(run)s, source_changed_at, now()
        FROM sync_new_arrears
        """,
        {"label": _LABEL[source], "run": run_id},
    )
    return int(cursor.rowcount)


def _award_events(cursor: Any, source: str, table: str, run_id: int) -> int:
    """Award started/ended, PIP rate changes, ESA group changes, UC sanctions and needs."""
    start = _START_COLUMN[source]
    label = _LABEL[source]
    selects = [
        # Started: a new award that is not closed, or a closed one that opened again.
        f"""SELECT a.customer_id, 'award_started',
              coalesce(n.{start}::timestamp AT TIME ZONE 'UTC', s.changed_at),
              '{label} award started', jsonb_build_object('status', n.status)
            FROM sync_applied a JOIN {table} n USING (customer_id)
            JOIN sync_stage s ON s.customer_id = a.customer_id
            LEFT JOIN sync_prev p ON p.customer_id = a.customer_id
            WHERE n.status <> 'closed' AND (a.inserted OR p.status = 'closed')""",
        f"""SELECT a.customer_id, 'award_ended',
              coalesce(n.end_date::timestamp AT TIME ZONE 'UTC', s.changed_at),
              '{label} award ended', jsonb_build_object('end_date', n.end_date)
            FROM sync_applied a JOIN {table} n USING (customer_id)
            JOIN sync_stage s ON s.customer_id = a.customer_id
            LEFT JOIN sync_prev p ON p.customer_id = a.customer_id
            WHERE n.status = 'closed' AND (a.inserted OR p.status <> 'closed')""",
    ]
    if source == "pip":
        selects.append(
            """SELECT a.customer_id,
                 CASE WHEN n.daily_living_weekly_pence + n.mobility_weekly_pence
                           < p.daily_living_weekly_pence + p.mobility_weekly_pence
                      THEN 'pip_rate_reduced' ELSE 'pip_rate_increased' END,
                 s.changed_at,
                 format('PIP %s: daily living %s, mobility %s (£%s a week, was £%s)',
                   CASE WHEN n.daily_living_weekly_pence + n.mobility_weekly_pence
                             < p.daily_living_weekly_pence + p.mobility_weekly_pence
                        THEN 'reduced' ELSE 'increased' END,
                   n.daily_living_rate, n.mobility_rate,
                   to_char((n.daily_living_weekly_pence + n.mobility_weekly_pence) / 100.0,
                           'FM999,990.00'),
                   to_char((p.daily_living_weekly_pence + p.mobility_weekly_pence) / 100.0,
                           'FM999,990.00')),
                 jsonb_build_object('daily_living_rate', n.daily_living_rate,
                   'mobility_rate', n.mobility_rate,
                   'previous_daily_living_rate', p.daily_living_rate,
                   'previous_mobility_rate', p.mobility_rate,
                   'weekly_pence', n.daily_living_weekly_pence + n.mobility_weekly_pence,
                   'previous_weekly_pence', p.daily_living_weekly_pence + p.mobility_weekly_pence)
               FROM sync_applied a JOIN benefits_pipaward n USING (customer_id)
               JOIN sync_prev p ON p.customer_id = a.customer_id
               JOIN sync_stage s ON s.customer_id = a.customer_id
               WHERE NOT a.inserted AND p.status <> 'closed' AND n.status <> 'closed'
                 AND n.daily_living_weekly_pence + n.mobility_weekly_pence
                     <> p.daily_living_weekly_pence + p.mobility_weekly_pence"""
        )
    if source == "esa":
        selects.append(
            """SELECT a.customer_id, 'esa_group_changed', s.changed_at,
                 format('ESA group changed from %s to %s',
                   coalesce(nullif(p."group", ''), 'none'),
                   coalesce(nullif(n."group", ''), 'none')),
                 jsonb_build_object('group', n."group", 'previous_group', p."group",
                   'wca_outcome', n.wca_outcome)
               FROM sync_applied a JOIN benefits_esaaward n USING (customer_id)
               JOIN sync_prev p ON p.customer_id = a.customer_id
               JOIN sync_stage s ON s.customer_id = a.customer_id
               WHERE NOT a.inserted AND n."group" <> '' AND n."group" IS DISTINCT FROM p."group\""""
        )
    if source == "uc":
        selects.append(
            """SELECT a.customer_id, 'uc_sanction_applied', s.changed_at,
                 'Universal Credit sanction applied', jsonb_build_object('sanctions', n.sanctions)
               FROM sync_applied a JOIN benefits_universalcreditaward n USING (customer_id)
               JOIN sync_prev p ON p.customer_id = a.customer_id
               JOIN sync_stage s ON s.customer_id = a.customer_id
               WHERE NOT a.inserted
                 AND jsonb_array_length(n.sanctions) > jsonb_array_length(p.sanctions)"""
        )
        selects.append(
            """SELECT a.customer_id, 'uc_support_need_recorded', s.changed_at,
                 'Additional support need recorded in Universal Credit',
                 jsonb_build_object('support_needs', n.support_needs)
               FROM sync_applied a JOIN benefits_universalcreditaward n USING (customer_id)
               JOIN sync_prev p ON p.customer_id = a.customer_id
               JOIN sync_stage s ON s.customer_id = a.customer_id
               WHERE NOT a.inserted
                 AND jsonb_array_length(n.support_needs) > jsonb_array_length(p.support_needs)"""
        )
    # Each event was recorded in its system with the record version it comes from.
    cursor.execute(
        "INSERT INTO benefits_benefitevent (customer_id, kind, occurred_at, summary, details, "
        "benefit, sync_run_id, recorded_at, synced_at) "
        "SELECT e.*, %(source)s, %(run)s, s.changed_at, now() FROM ("
        + " UNION ALL ".join(select.replace("%s", "%%s") for select in selects)
        + ") e JOIN sync_stage s ON s.customer_id = e.customer_id",
        {"source": source, "run": run_id},
    )
    return int(cursor.rowcount)


def _customers_refresh(cursor: Any, source: str, run_id: int) -> int:
    """Recompute each touched customer from every source's copy; returns death events."""
    # Lock the customers first (in id order, as the update below does), then read every source's
    # copy. A page of another source that changed one of them then commits before this page
    # reads, and its change is seen (READ COMMITTED: each statement sees what was committed when
    # it began). Read before the lock, this page would write back a customer derived without it:
    # a UC award missing from benefits_held, an identity taken from the wrong source.
    cursor.execute(
        "SELECT c.id FROM customers_customer c JOIN sync_applied a ON a.customer_id = c.id "
        "ORDER BY c.id FOR UPDATE OF c"
    )
    fields = ", ".join(f"si.{name}" for name in IDENTITY_FIELDS)
    cursor.execute(
        f"SELECT si.customer_id, si.source, {fields} FROM customers_sourceidentity si "
        "JOIN sync_applied a USING (customer_id)"
    )
    identities: dict[int, dict[str, tuple[Any, ...]]] = {}
    for customer_id, held_by, *values in cursor.fetchall():
        identities.setdefault(customer_id, {})[held_by] = tuple(values)
    cursor.execute(
        """
        SELECT a.customer_id, uc.status, pip.status, esa.status, sp.status,
          coalesce(uc.source_restricted, false) OR coalesce(pip.source_restricted, false)
          OR coalesce(esa.source_restricted, false) OR coalesce(sp.source_restricted, false)
        FROM sync_applied a
        LEFT JOIN benefits_universalcreditaward uc ON uc.customer_id = a.customer_id
        LEFT JOIN benefits_pipaward pip ON pip.customer_id = a.customer_id
        LEFT JOIN benefits_esaaward esa ON esa.customer_id = a.customer_id
        LEFT JOIN benefits_statepensionaward sp ON sp.customer_id = a.customer_id
        """
    )
    statuses = {row[0]: (row[1:5], row[5]) for row in cursor.fetchall()}
    death_index = IDENTITY_FIELDS.index("date_of_death")
    rows = []
    for customer_id, by_source in identities.items():
        ordered = [by_source[s] for s in IDENTITY_PRECEDENCE if s in by_source]
        best = list(ordered[0])
        best[death_index] = next((i[death_index] for i in ordered if i[death_index]), None)
        award_statuses, restricted = statuses.get(customer_id, ((), False))
        held = [
            benefit
            for benefit, status in zip(BENEFIT_ORDER, award_statuses, strict=False)
            if status and status != "closed"
        ]
        search = search_name_for(best[0], best[1], best[2])
        rows.append((customer_id, *best, bool(restricted), search, Jsonb(held)))
    identity_ddl = ", ".join(
        f"{name} {_IDENTITY_TYPES.get(name, 'text')}" for name in IDENTITY_FIELDS
    )
    cursor.execute(
        f"CREATE TEMP TABLE sync_customer (id bigint PRIMARY KEY, {identity_ddl}, "
        "restricted boolean, search_name text, benefits_held jsonb) ON COMMIT DROP"
    )
    compared = [*IDENTITY_FIELDS, "restricted", "search_name", "benefits_held"]
    _copy(cursor, "sync_customer", ["id", *compared], rows)
    # Without statistics the planner joins the locked rows (a CTE) to this table in a nested
    # loop: quadratic in the page size.
    cursor.execute("ANALYZE sync_customer")
    cursor.execute(
        f"""
        WITH old AS (
          SELECT c.id, c.date_of_death FROM customers_customer c JOIN sync_customer n USING (id)
          ORDER BY c.id FOR UPDATE OF c
        ), changed AS (
          UPDATE customers_customer c SET {", ".join(f"{f} = n.{f}" for f in compared)},
            last_source = %(source)s, last_sync_run_id = %(run)s, updated_at = now()
          FROM sync_customer n JOIN old o USING (id)
          WHERE c.id = n.id
            AND ({", ".join(f"c.{f}" for f in compared)})
                IS DISTINCT FROM ({", ".join(f"n.{f}" for f in compared)})
          RETURNING c.id, o.date_of_death AS was, c.date_of_death AS now_dead
        )
        INSERT INTO benefits_benefitevent (customer_id, benefit, kind, occurred_at, summary,
          details, sync_run_id, recorded_at, synced_at)
        SELECT id, %(source)s, 'death_recorded', now_dead::timestamp AT TIME ZONE 'UTC',
          format('Date of death recorded: %%s', to_char(now_dead, 'DD/MM/YYYY')),
          jsonb_build_object('date_of_death', now_dead, 'reported_by', %(source)s), %(run)s,
          s.changed_at, now()
        FROM changed LEFT JOIN sync_stage s ON s.customer_id = changed.id
        WHERE was IS NULL AND now_dead IS NOT NULL
        """,
        {"source": source, "run": run_id},
    )
    return int(cursor.rowcount)
