"""Partitioned tables: where rows land, partitions made ahead, detach, archive and restore.

The suite connects as the owner role (it makes and drops partitions as `manage.py partitions`
does); what the app role may not do is in tests/security/test_database_roles.py.
"""

import datetime as dt
import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.models import AccessEvent
from benefits.models import Payment
from core.partition_archive import ArchiveError, Manifest, partition_restore
from core.partitioning import (
    partition_create,
    partitioned_tables,
    partitions_ensure,
    partitions_of,
)
from tests.factories import CustomerFactory
from tests.factories.customers import PaymentFactory

pytestmark = pytest.mark.django_db

TABLES = dict(partitioned_tables())
HISTORY_TABLES = sorted(t for t, how in TABLES.items() if how.column == "pgh_created_at")


def _scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def partition_names(table: str) -> set[str]:
    return {p.name for p in partitions_of(connection.cursor(), table)}


def _partition_of(table: str, key: str, value) -> str:
    return _scalar(f"SELECT tableoid::regclass::text FROM {table} WHERE {key} = %s", [value])


@pytest.fixture
def today() -> dt.date:
    """Partitions for now and ahead, as every migrate makes them (a reused test database may
    have been made months ago)."""
    call_command("partitions", "ensure", stdout=io.StringIO())
    return timezone.now().date()


def test_each_partitioned_model_has_a_range_partitioned_table_with_a_default():
    assert {"audit_accessevent", "benefits_payment", "customers_customerevent"} <= set(TABLES)
    assert len(HISTORY_TABLES) == 11
    for table, how in TABLES.items():
        key = _scalar(
            "SELECT a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
            "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = %s::regclass AND p.partstrat = 'r'",
            [table],
        )
        assert key == how.column, table
        assert any(p.is_default for p in partitions_of(connection.cursor(), table)), table


def test_history_and_audit_ids_are_64_bit_to_their_sequences_end():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = ANY(%s) "
            "AND column_name IN ('id', 'pgh_id')",
            [sorted(TABLES)],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT t, s.seqmax FROM unnest(%s::text[], %s::text[]) ids(t, c) "
            "JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence(t, c)::regclass",
            [[*HISTORY_TABLES, "audit_accessevent"], ["pgh_id"] * 11 + ["id"]],
        )
        sequences = cursor.fetchall()
    ids = {(table, column) for table, column, _ in columns}
    assert {(t, "pgh_id") for t in HISTORY_TABLES} | {("audit_accessevent", "id")} <= ids
    assert {kind for _, _, kind in columns} == {"bigint"}
    assert len(sequences) == 12
    assert {maximum for _, maximum in sequences} == {2**63 - 1}


def test_rows_land_in_their_periods_partition_and_the_default_keeps_the_rest(today):
    event = AccessEvent.objects.create(username="x", action="search", what="search")
    assert _partition_of("audit_accessevent", "id", event.pk) == f"audit_accessevent_p{today:%Y_%m}"
    customer = CustomerFactory()
    assert (
        _partition_of("customers_customerevent", "pgh_obj_id", customer.pk)
        == f"customers_customerevent_p{today:%Y_%m}"
    )
    this_year = PaymentFactory(payment_date=today)
    long_ago = PaymentFactory(payment_date=dt.date(1990, 4, 1))
    assert _partition_of("benefits_payment", "id", this_year.pk) == f"benefits_payment_p{today:%Y}"
    assert _partition_of("benefits_payment", "id", long_ago.pk) == "benefits_payment_default"
    # The ORM still finds and saves a payment by its id alone (Django's primary key).
    long_ago.amount_pence = 1
    long_ago.save()
    assert Payment.objects.get(pk=long_ago.pk).amount_pence == 1


def test_ensure_makes_partitions_ahead_and_moves_in_what_the_default_caught(today):
    later = (today.replace(day=1) + dt.timedelta(days=32 * 5)).replace(day=1)  # 5 months on
    payment = PaymentFactory(payment_date=later.replace(year=later.year + 1))
    assert _partition_of("benefits_payment", "id", payment.pk) == "benefits_payment_default"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent (occurred_at, username, action, channel, what, "
            "detail, reason, request_id) VALUES (%s, 'x', 'search', '', 'later', '{}', '', '') "
            "RETURNING id",
            [dt.datetime.combine(later, dt.time(12), tzinfo=dt.UTC)],
        )
        audit_id = cursor.fetchone()[0]
    assert _partition_of("audit_accessevent", "id", audit_id) == "audit_accessevent_default"

    # A year on, with nothing made ahead: the partitions for the rows the DEFAULT caught.
    a_year_on = later.replace(year=later.year + 1)
    with connection.cursor() as cursor:
        how = TABLES["audit_accessevent"]
        policy = {"today": a_year_on, "retention_months": 84, "ahead_months": 0}
        made = partitions_ensure(cursor, "audit_accessevent", how, **policy)
        assert made == [
            f"audit_accessevent_p{later:%Y_%m}",
            f"audit_accessevent_p{a_year_on:%Y_%m}",
        ]
        assert partitions_ensure(cursor, "audit_accessevent", how, **policy) == []
        # Payments are made back to the retention horizon, which the first migrate covered.
        how = TABLES["benefits_payment"]
        made = partitions_ensure(cursor, "benefits_payment", how, **policy)
        assert made == [f"benefits_payment_p{a_year_on:%Y}"]
        assert partitions_ensure(cursor, "benefits_payment", how, **policy) == []
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger "
            "WHERE tgrelid = 'audit_accessevent_default'::regclass AND NOT tgisinternal"
        )
        assert cursor.fetchall() == [("O",)]  # the append-only guard is on again
    assert _partition_of("audit_accessevent", "id", audit_id) == f"audit_accessevent_p{later:%Y_%m}"
    assert (
        _partition_of("benefits_payment", "id", payment.pk) == f"benefits_payment_p{a_year_on:%Y}"
    )
    assert AccessEvent.objects.filter(pk=audit_id).count() == 1


AWKWARD = 'line one\nline two, "quoted"; naïve ✓'


def _old_audit_partition() -> tuple[str, str]:
    """An audit partition for March 2015, long past any retention, with three awkward rows;
    returns its name and a checksum of its rows."""
    name = partition_create(
        connection.cursor(), "audit_accessevent", TABLES["audit_accessevent"], dt.date(2015, 3, 1)
    )
    with connection.cursor() as cursor:
        for day, reason, address in ((2, AWKWARD, None), (15, "", "10.0.0.1"), (31, ",", "::1")):
            cursor.execute(
                "INSERT INTO audit_accessevent (occurred_at, username, action, channel, what, "
                "detail, reason, request_id, client_address) "
                "VALUES (%s, 'old', 'view_customer', 'page', 'customer page', %s, %s, '', %s)",
                [
                    dt.datetime(2015, 3, day, 23, 59, 59, 999999, tzinfo=dt.UTC),
                    json.dumps({"note": AWKWARD, "n": day}),
                    reason,
                    address,
                ],
            )
    return name, _checksum(name)


def _checksum(table: str) -> str:
    return _scalar(f"SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM {table} t")


def test_detach_archive_and_restore_round_trip(tmp_path, capsys):
    name, checksum = _old_audit_partition()
    assert _scalar("SELECT count(*) FROM audit_accessevent WHERE username = 'old'") == 3

    call_command("partitions", "detach", "--older-than-policy")
    assert f"detached {name} from audit_accessevent" in capsys.readouterr().out
    assert name not in partition_names("audit_accessevent")
    assert _scalar("SELECT count(*) FROM audit_accessevent WHERE username = 'old'") == 0

    call_command("partitions", "archive", name, "--to", str(tmp_path))
    out = capsys.readouterr().out
    assert f"archived {name}: 3 rows" in out
    assert f"dropped {name}" in out
    assert _scalar("SELECT to_regclass(%s) IS NULL", [name])
    manifest = Manifest.read(tmp_path / f"{name}.manifest.json")
    assert (manifest.parent, manifest.column, manifest.rows) == (
        "audit_accessevent",
        "occurred_at",
        3,
    )
    assert (manifest.range_from, manifest.range_to) == ("2015-03-01", "2015-04-01")
    with gzip.open(tmp_path / manifest.data_file, "rt", encoding="utf-8") as data:
        assert data.readline().startswith("id,occurred_at,")

    call_command("partitions", "restore", str(tmp_path / f"{name}.manifest.json"))
    assert "restored 3 rows" in capsys.readouterr().out
    assert _checksum(name) == checksum


def test_an_attached_partition_is_never_archived_or_dropped(tmp_path, today):
    current = f"audit_accessevent_p{today:%Y_%m}"
    with pytest.raises(CommandError, match="not a detached partition"):
        call_command("partitions", "archive", current, "--to", str(tmp_path))
    assert current in partition_names("audit_accessevent")
    assert not list(tmp_path.iterdir())


def test_a_damaged_archive_is_refused(tmp_path):
    name, _ = _old_audit_partition()
    call_command("partitions", "detach", name, stdout=io.StringIO())
    call_command("partitions", "archive", name, "--to", str(tmp_path), stdout=io.StringIO())
    data = tmp_path / f"{name}.csv.gz"
    damaged = bytearray(data.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    data.write_bytes(bytes(damaged))
    with pytest.raises(ArchiveError, match="checksum"):
        partition_restore(connection, manifest_file=tmp_path / f"{name}.manifest.json")
    assert _scalar("SELECT to_regclass(%s) IS NULL", [name])
