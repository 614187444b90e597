"""Archiving a detached partition to a compressed file, and restoring one (docs/scaling.md).

An archive is two files in the archive directory:
- `<partition>.csv.gz`: the rows as PostgreSQL's CSV (with a header line), in primary-key order,
  written with fixed output settings (UTC, ISO dates) so the same rows always give the same
  bytes; CSV because it outlives any PostgreSQL version and any tool can read it;
- `<partition>.manifest.json`: where the rows came from (table, key column, range), the columns
  and their types, the row count, the SHA-256 of the CSV and of the compressed file.

`partition_archive` writes both and proves them (decompress, count the CSV records, compare the
checksum) before anything may drop the table. `partition_restore` loads an archive into a new
table and proves the same: its row count, and its rows exported again give the same checksum.
"""

import csv
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from core.partitioning import column_list, detached_partitions, quote, table_columns

FORMAT = "dwpportal-partition-archive/1"
# Output settings fixed for the export, so a value is always written the same way.
EXPORT_SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'iso_8601'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)
CHUNK = 1 << 20


class ArchiveError(Exception):
    """The archive cannot be written, read or trusted; nothing was dropped."""


@dataclass(frozen=True)
class Manifest:
    format: str
    partition: str
    parent: str
    column: str
    range_from: str
    range_to: str
    columns: list[tuple[str, str]]
    order_by: list[str]
    rows: int
    data_file: str
    data_sha256: str
    file_sha256: str
    file_bytes: int
    archived_at: str
    server_version: str

    def write(self, path: Path) -> None:
        _write_durably(path, json.dumps(asdict(self), indent=2).encode() + b"\n")

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        try:
            values = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise ArchiveError(f"cannot read the manifest {path}: {error}") from error
        if values.get("format") != FORMAT:
            raise ArchiveError(f"{path} is not a partition archive manifest ({FORMAT})")
        values["columns"] = [tuple(column) for column in values["columns"]]
        return cls(**values)


def _write_durably(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _primary_key(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attnum = k.n "
        "WHERE i.indrelid = to_regclass(%s) AND i.indisprimary AND a.attrelid = i.indrelid "
        "ORDER BY k.o",
        [quote(table)],
    )
    return [row[0] for row in cursor.fetchall()]


def _export(cursor: Any, table: str, columns: list[str], order_by: list[str]) -> Iterator[bytes]:
    """The table's rows as CSV, in `order_by` order, with the fixed output settings (the caller
    holds a transaction)."""
    for statement in EXPORT_SETTINGS:
        cursor.execute(statement)
    names = ", ".join(quote(c) for c in columns)
    order = ", ".join(quote(c) for c in order_by)
    with cursor.copy(
        f"COPY (SELECT {names} FROM {quote(table)} ORDER BY {order}) "
        "TO STDOUT WITH (FORMAT csv, HEADER true)"
    ) as copy:
        for chunk in copy:
            yield bytes(chunk)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def archive_check(manifest: Manifest, directory: Path) -> None:
    """Read the archive back whole: the file's checksum, the CSV's checksum and its record count
    (quoted newlines in a value do not count as records) must be the manifest's."""
    data = directory / manifest.data_file
    if not data.exists():
        raise ArchiveError(f"{data} is missing")
    if _file_sha256(data) != manifest.file_sha256:
        raise ArchiveError(f"{data} does not match its manifest's checksum")
    digest = hashlib.sha256()
    # A value may be long (an audit event's detail): no record is refused for its size.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    try:
        with gzip.open(data, "rb") as raw:
            while block := raw.read(CHUNK):
                digest.update(block)
        with gzip.open(data, "rt", encoding="utf-8", newline="") as text:
            records = sum(1 for _ in csv.reader(text)) - 1  # the header line
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise ArchiveError(f"{data} cannot be read back: {error}") from error
    if digest.hexdigest() != manifest.data_sha256:
        raise ArchiveError(f"{data}'s rows do not match the manifest's checksum")
    if records != manifest.rows:
        raise ArchiveError(f"{data} holds {records} rows, the manifest says {manifest.rows}")


def partition_archive(connection: BaseDatabaseWrapper, *, table: str, directory: Path) -> Manifest:
    """Write a detached partition to `directory` and prove the archive; the table stays."""
    with connection.cursor() as cursor:
        detached = {d.name: d for d in detached_partitions(cursor)}
    if table not in detached:
        raise ArchiveError(
            f"{table} is not a detached partition: detach it first (`partitions detach`)"
        )
    marker = detached[table]
    directory.mkdir(parents=True, exist_ok=True)
    data_name = f"{table}.csv.gz"
    data = directory / data_name
    partial = data.with_name(data_name + ".partial")
    digest = hashlib.sha256()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # No writer can slip in between the count and the copy.
        cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE MODE")
        columns = table_columns(cursor, table)
        names = [name for name, _ in columns]
        order_by = _primary_key(cursor, table) or names
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        rows = int(cursor.fetchone()[0])
        cursor.execute("SHOW server_version")
        server_version = str(cursor.fetchone()[0])
        with partial.open("wb") as out:
            with gzip.GzipFile(filename=data_name.removesuffix(".gz"), fileobj=out, mode="wb") as z:
                for chunk in _export(cursor, table, names, order_by):
                    digest.update(chunk)
                    z.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    partial.replace(data)
    manifest = Manifest(
        format=FORMAT,
        partition=table,
        parent=marker.parent,
        column=marker.column,
        range_from=marker.lower.isoformat(),
        range_to=marker.upper.isoformat(),
        columns=columns,
        order_by=order_by,
        rows=rows,
        data_file=data_name,
        data_sha256=digest.hexdigest(),
        file_sha256=_file_sha256(data),
        file_bytes=data.stat().st_size,
        archived_at=timezone.now().isoformat(),
        server_version=server_version,
    )
    archive_check(manifest, directory)
    manifest.write(manifest_path(directory, table))
    _fsync_directory(directory)
    return manifest


def manifest_path(directory: Path, table: str) -> Path:
    return directory / f"{table}.manifest.json"


def partition_drop_archived(connection: BaseDatabaseWrapper, *, manifest: Manifest) -> None:
    """Drop a detached partition whose archive has been proved (its manifest's row count is the
    table's, under a lock that keeps it so)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        detached = {d.name for d in detached_partitions(cursor)}
        if manifest.partition not in detached:
            raise ArchiveError(f"{manifest.partition} is not a detached partition")
        cursor.execute(f"LOCK TABLE {quote(manifest.partition)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"SELECT count(*) FROM {quote(manifest.partition)}")
        if cursor.fetchone()[0] != manifest.rows:
            raise ArchiveError(f"{manifest.partition} changed since it was archived")
        cursor.execute(f"DROP TABLE {quote(manifest.partition)}")


@dataclass(frozen=True)
class Restored:
    table: str
    rows: int


def partition_restore(
    connection: BaseDatabaseWrapper, *, manifest_file: Path, table: str = ""
) -> Restored:
    """Load an archive into a new table (named as the partition was, unless `table` is given),
    with the archive's own columns and types, and prove it: the same row count, and the rows
    exported again give the manifest's checksum."""
    manifest = Manifest.read(manifest_file)
    directory = manifest_file.parent
    data = directory / manifest.data_file
    if not data.exists() or _file_sha256(data) != manifest.file_sha256:
        raise ArchiveError(f"{data} is missing or does not match its manifest's checksum")
    table = table or manifest.partition
    names = [name for name, _ in manifest.columns]
    definition = ", ".join(f"{quote(name)} {kind}" for name, kind in manifest.columns)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [quote(table)])
        if cursor.fetchone()[0]:
            raise ArchiveError(f"a table {table} exists already: restore --as another name")
        cursor.execute(f"CREATE TABLE {quote(table)} ({definition})")
        for statement in EXPORT_SETTINGS:
            cursor.execute(statement)
        with (
            gzip.open(data, "rb") as source,
            cursor.copy(
                f"COPY {quote(table)} ({column_list(manifest.columns)}) FROM STDIN "
                "WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while block := source.read(CHUNK):
                copy.write(block)
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        rows = int(cursor.fetchone()[0])
        digest = hashlib.sha256()
        for chunk in _export(cursor, table, names, manifest.order_by):
            digest.update(chunk)
        if rows != manifest.rows or digest.hexdigest() != manifest.data_sha256:
            raise ArchiveError(
                f"{table} restored {rows} rows (manifest: {manifest.rows}) and they do not "
                "export to the manifest's checksum: rolled back"
            )
        mark = {
            "detached_from": manifest.parent,
            "column": manifest.column,
            "from": manifest.range_from,
            "to": manifest.range_to,
            "restored_from": manifest_file.name,
        }
        cursor.execute(f"COMMENT ON TABLE {quote(table)} IS %s", [json.dumps(mark)])
    return Restored(table=table, rows=rows)
