"""Bytes per customer on disk: every table summed over its partitions, by category."""

import pytest
from django.db import connection

from benchmarks.disk import AUDIT, DATA, HISTORY, TableSize, disk_summary, table_sizes


def test_the_summary_sums_by_category_and_divides_by_the_customers():
    sizes = [
        TableSize("customers_customer", 1, table_bytes=4_000, index_bytes=2_000),
        TableSize("benefits_payment", 5, table_bytes=10_000, index_bytes=6_000),  # 4 partitions
        TableSize("benefits_paymentevent", 13, table_bytes=3_000, index_bytes=1_000),
        TableSize("audit_accessevent", 3, table_bytes=9_000, index_bytes=9_000),
    ]
    summary = disk_summary(
        sizes,
        history={"benefits_paymentevent"},
        audit={"audit_accessevent"},
        customers=10,
        database_bytes=50_000,
    )
    assert summary["categories"] == {
        DATA: {"tables": 14_000, "indexes": 8_000, "partitions": 4},
        HISTORY: {"tables": 3_000, "indexes": 1_000, "partitions": 12},
        AUDIT: {"tables": 9_000, "indexes": 9_000, "partitions": 2},
    }
    # The audit grows with use, not customers: it is not in the per-customer total.
    assert summary["per_customer"] == {
        "data_tables": 1_400,
        "data_indexes": 800,
        "history_tables": 300,
        "history_indexes": 100,
        "total": (14_000 + 8_000 + 3_000 + 1_000) / 10,
        "database": 5_000,
    }
    assert "per_customer" not in disk_summary(
        sizes, history=set(), audit=set(), customers=0, database_bytes=0
    )


@pytest.mark.django_db
def test_a_partitioned_table_is_the_sum_of_its_partitions_at_any_depth():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TABLE bench_parted (day date NOT NULL, note text) PARTITION BY RANGE (day);
            CREATE INDEX ON bench_parted (day);
            CREATE TABLE bench_parted_2025 PARTITION OF bench_parted
                FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE TABLE bench_parted_2026 PARTITION OF bench_parted
                FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY RANGE (day);
            CREATE TABLE bench_parted_2026_h1 PARTITION OF bench_parted_2026
                FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
            CREATE TABLE bench_parent (id int);
            CREATE TABLE bench_child () INHERITS (bench_parent);
            INSERT INTO bench_parted
                SELECT d, repeat('x', 200) FROM generate_series(
                    '2025-01-01'::date, '2026-06-30'::date, interval '1 day') d;
            INSERT INTO bench_child SELECT generate_series(1, 1000);
            """
        )
        leaves = ("bench_parted_2025", "bench_parted_2026_h1")
        cursor.execute(
            "SELECT sum(pg_table_size(t::regclass)), sum(pg_indexes_size(t::regclass)) "
            "FROM unnest(%s::text[]) t",
            [list(leaves)],
        )
        leaf_tables, leaf_indexes = cursor.fetchone()
        cursor.execute("SELECT pg_table_size('bench_child')")
        (child_table,) = cursor.fetchone()
        sizes = {size.name: size for size in table_sizes(cursor)}

    assert leaf_tables > 0
    assert leaf_indexes > 0
    assert child_table > 0
    # One row per table: its partitions and children are summed into it, never listed apart.
    assert not {"bench_parted_2025", "bench_parted_2026", "bench_child"} & set(sizes)
    assert sizes["bench_parted"] == TableSize("bench_parted", 4, leaf_tables, leaf_indexes)
    assert sizes["bench_parent"] == TableSize("bench_parent", 2, child_table, 0)
    assert sizes["customers_customer"].relations == 1
