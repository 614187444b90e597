"""Partitions of the big tables: list, make ahead, detach past retention, archive, restore.

Runs as the owner role (DATABASE_OWNER_URL), as `migrate` does: the app role can neither make,
detach nor drop a partition. docs/scaling.md ("Partitioning") says when to run each.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from audit.db_roles import grants_reapply, owner_connection
from core.partition_archive import (
    ArchiveError,
    manifest_path,
    partition_archive,
    partition_drop_archived,
    partition_restore,
)
from core.partitioning import (
    RangePartitioning,
    detached_partitions,
    partition_detach,
    partitioned_tables,
    partitions_ensure_all,
    partitions_of,
    partitions_past_retention,
    retention_cutoff,
    rows_in,
)

ACTIONS = ("list", "ensure", "detach", "archive", "restore")


class Command(BaseCommand):
    help = (
        "Partitions of the access audit, the change history and payments. "
        "list: each table's partitions and what is past its retention. "
        "ensure: make the partitions the policy wants (every migrate does too). "
        "detach --older-than-policy (or NAME ...): take old partitions out of their tables. "
        "archive NAME ... (or --all-detached): write detached partitions to compressed files, "
        "prove them, then drop them (--keep keeps them). "
        "restore MANIFEST: load an archive into a new table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("names", nargs="*", help="partitions (detach, archive); a manifest")
        parser.add_argument(
            "--older-than-policy",
            action="store_true",
            help="detach every partition past settings.PARTITION_RETENTION_MONTHS",
        )
        parser.add_argument("--all-detached", action="store_true", help="archive every one")
        parser.add_argument(
            "--to",
            default="",
            help="the archive directory (default settings.PARTITION_ARCHIVE_DIR)",
        )
        parser.add_argument("--keep", action="store_true", help="archive without dropping")
        parser.add_argument("--as", dest="restore_as", default="", help="restore under a name")
        parser.add_argument("--dry-run", action="store_true", help="detach: only say what")
        parser.add_argument(
            "--lock-timeout",
            default="5s",
            help="give up waiting for a table's lock after this long (detach)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections["default"]
        with owner_connection(connection):
            try:
                getattr(self, f"_{options['action']}")(connection, options)
            except (ArchiveError, ValueError) as error:
                raise CommandError(str(error)) from error

    def _list(self, connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        today = timezone.now().date()
        with connection.cursor() as cursor:
            for table, how in partitioned_tables():
                cutoff = self._cutoff(how, today)
                self.stdout.write(
                    f"{table} by {how.column}, a {how.interval} each; keeps "
                    f"{settings.PARTITION_RETENTION_MONTHS[how.retention]} months "
                    f"(partitions ending by {cutoff} are past it)"
                )
                for partition in partitions_of(cursor, table):
                    if partition.is_default:
                        rows = f"{rows_in(cursor, partition.name)} rows"
                        where = "DEFAULT (rows outside every range)"
                    else:
                        rows = f"about {partition.estimated_rows} rows"
                        where = f"{partition.lower} to {partition.upper}"
                    past = partitions_past_retention([partition], cutoff)
                    note = "  past retention" if past else ""
                    self.stdout.write(f"  {partition.name}  {where}  {rows}{note}")
            waiting = detached_partitions(cursor)
        if waiting:
            self.stdout.write("Detached, waiting for `partitions archive`:")
            for detached in waiting:
                self.stdout.write(
                    f"  {detached.name} (from {detached.parent}, {detached.lower} to "
                    f"{detached.upper})"
                )

    def _ensure(self, connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        with transaction.atomic(using=connection.alias):
            self._lock_timeout(connection, options)
            made = partitions_ensure_all(connection)
        grants_reapply(connection)
        names = [name for names in made.values() for name in names]
        self.stdout.write(f"made {len(names)} partitions{': ' if names else ''}{', '.join(names)}")

    def _detach(self, connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        if bool(options["names"]) == bool(options["older_than_policy"]):
            raise CommandError("name the partitions to detach, or give --older-than-policy")
        today = timezone.now().date()
        wanted = set(options["names"])
        chosen = []
        with connection.cursor() as cursor:
            for table, how in partitioned_tables():
                partitions = partitions_of(cursor, table)
                if options["older_than_policy"]:
                    picked = partitions_past_retention(partitions, self._cutoff(how, today))
                else:
                    picked = [p for p in partitions if p.name in wanted]
                chosen += [(table, how, partition) for partition in picked]
        unknown = wanted - {partition.name for _, _, partition in chosen}
        if unknown:
            raise CommandError(f"not a partition of a partitioned table: {', '.join(unknown)}")
        for table, how, partition in chosen:
            if options["dry_run"]:
                self.stdout.write(f"would detach {partition.name} from {table}")
                continue
            # One transaction each: a lock not granted in time leaves the others detached.
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                self._lock_timeout(connection, options)
                partition_detach(cursor, table, how, partition)
            self.stdout.write(f"detached {partition.name} from {table}")
        if chosen and not options["dry_run"]:
            grants_reapply(connection)
            self.stdout.write("next: manage.py partitions archive --all-detached")
        elif not chosen:
            self.stdout.write("nothing to detach")

    def _archive(self, connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        names = list(options["names"])
        if options["all_detached"]:
            with connection.cursor() as cursor:
                names += [detached.name for detached in detached_partitions(cursor)]
        if not names:
            raise CommandError("name the detached partitions to archive, or give --all-detached")
        directory = Path(options["to"] or settings.PARTITION_ARCHIVE_DIR)
        for name in dict.fromkeys(names):
            # Written, then read back whole and compared with the table before it may go.
            manifest = partition_archive(connection, table=name, directory=directory)
            self.stdout.write(
                f"archived {name}: {manifest.rows} rows, {manifest.file_bytes} bytes, "
                f"sha256 {manifest.data_sha256} ({manifest_path(directory, name)})"
            )
            if not options["keep"]:
                partition_drop_archived(connection, manifest=manifest)
                self.stdout.write(f"dropped {name}")

    def _restore(self, connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        if len(options["names"]) != 1:
            raise CommandError("restore takes one manifest file")
        restored = partition_restore(
            connection, manifest_file=Path(options["names"][0]), table=options["restore_as"]
        )
        grants_reapply(connection)
        self.stdout.write(
            f"restored {restored.rows} rows into {restored.table} (checksum and count match the "
            "manifest); query it there, or attach it again: docs/scaling.md"
        )

    @staticmethod
    def _cutoff(how: RangePartitioning, today: date) -> date:
        return retention_cutoff(today, settings.PARTITION_RETENTION_MONTHS[how.retention])

    @staticmethod
    def _lock_timeout(connection: BaseDatabaseWrapper, options: dict[str, Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [options["lock_timeout"]])
