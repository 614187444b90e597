"""Bytes on disk per customer: the bench database's tables, their indexes, the change history
and the access audit, each table summed over its partitions.

A partitioned table keeps no rows itself (`pg_table_size` of the parent is 0): its partitions
do, and a partition can be partitioned again. Every table is therefore summed over its tree in
`pg_inherits`, which holds declarative partitions and inheritance children alike, so the
figures are the same whether a big table is one table or a partitioned one.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

# Each top-level table of the current schema (not itself a partition or an inheritance child),
# summed over every relation below it in pg_inherits, at any depth.
TREE_SIZES_SQL = """
WITH RECURSIVE tree(root, rel) AS (
    SELECT c.oid, c.oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema()
      AND c.relkind IN ('r', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
    UNION ALL
    SELECT tree.root, i.inhrelid FROM tree JOIN pg_inherits i ON i.inhparent = tree.rel
)
SELECT root.relname, count(*), sum(pg_table_size(tree.rel)), sum(pg_indexes_size(tree.rel))
FROM tree JOIN pg_class root ON root.oid = tree.root
GROUP BY root.relname
ORDER BY root.relname
"""

DATA, HISTORY, AUDIT = "customer data", "change history", "access audit"
CATEGORIES = (DATA, HISTORY, AUDIT)


@dataclass(frozen=True)
class TableSize:
    """One table with its partitions (`relations` counts the table and each partition)."""

    name: str
    relations: int
    table_bytes: int  # heap, TOAST, free-space and visibility maps
    index_bytes: int


def table_sizes(cursor: Any) -> list[TableSize]:
    """Every table of the current schema, each summed over its partitions (a DB-API cursor)."""
    cursor.execute(TREE_SIZES_SQL)
    return [
        TableSize(name, int(relations), int(table or 0), int(index or 0))
        for name, relations, table, index in cursor.fetchall()
    ]


def disk_summary(
    sizes: Iterable[TableSize],
    *,
    history: Collection[str],
    audit: Collection[str],
    customers: int,
    database_bytes: int,
) -> dict[str, Any]:
    """Bytes per category (tables and indexes apart) and per customer.

    `history` and `audit` name the change-history and access-audit tables; everything else is
    customer data (the sync's tables, the name lexicon, interactions, and the framework's small
    tables). The audit grows with colleagues' use, not with customers, so it is given in bytes
    only.
    """
    categories = {c: {"tables": 0, "indexes": 0, "partitions": 0} for c in CATEGORIES}
    for size in sizes:
        category = HISTORY if size.name in history else AUDIT if size.name in audit else DATA
        totals = categories[category]
        totals["tables"] += size.table_bytes
        totals["indexes"] += size.index_bytes
        totals["partitions"] += size.relations - 1
    summary: dict[str, Any] = {
        "customers": customers,
        "database_bytes": database_bytes,
        "categories": categories,
    }
    if customers:
        data_and_history = sum(
            categories[c]["tables"] + categories[c]["indexes"] for c in (DATA, HISTORY)
        )
        summary["per_customer"] = {
            "data_tables": categories[DATA]["tables"] / customers,
            "data_indexes": categories[DATA]["indexes"] / customers,
            "history_tables": categories[HISTORY]["tables"] / customers,
            "history_indexes": categories[HISTORY]["indexes"] / customers,
            "total": data_and_history / customers,
            "database": database_bytes / customers,
        }
    return summary
