"""Start a sync of one or all legacy sources from a shell; --wait prints progress to the end."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import AuditContext
from benefits.models import SyncRun
from benefits.sources import SOURCES
from benefits.sync.selectors import run_progress_percent
from benefits.sync.services import sync_page_process, sync_start

FINISHED = (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED)


class Command(BaseCommand):
    help = "Sync the legacy systems into the portal (incremental unless --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=[*SOURCES, "all"], default="all")
        parser.add_argument("--full", action="store_true", help="read each feed from its start")
        parser.add_argument("--wait", action="store_true", help="wait and print progress")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="process the pages in this process instead of the Celery workers",
        )
        parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait")

    def handle(self, *args: object, **options: object) -> None:
        if options["source"] not in (*SOURCES, "all"):
            raise CommandError(f"--source must be one of {', '.join(SOURCES)} or all")
        sources = SOURCES if options["source"] == "all" else (str(options["source"]),)
        full = bool(options["full"])
        audit = AuditContext.for_command(command="sync_legacy")
        runs = [sync_start(source=source, audit=audit, full=full) for source in sources]
        for run in runs:
            self.stdout.write(f"{run.source}: sync run #{run.pk} {run.status}")
        if options["inline"]:
            self._inline(runs)
        elif options["wait"]:
            self._wait(runs, float(options["timeout"]))  # type: ignore[arg-type]
        else:
            return
        failed = [
            r for r in SyncRun.objects.filter(pk__in=[r.pk for r in runs]) if r.status == "failed"
        ]
        if failed:
            raise CommandError(
                "; ".join(f"{r.source} run #{r.pk} failed: {r.error}" for r in failed)
            )

    def _inline(self, runs: list[SyncRun]) -> None:
        started = time.monotonic()
        for run in runs:
            page = run.pages + 1
            while True:
                outcome = sync_page_process(run_id=run.pk, page=page)
                run.refresh_from_db()
                self._print(run, started)
                if run.status in FINISHED or outcome not in ("page done", "finished"):
                    break
                page += 1

    def _wait(self, runs: list[SyncRun], timeout: float) -> None:
        started = time.monotonic()
        last: dict[int, tuple[int, str]] = {}
        while True:
            current = list(SyncRun.objects.filter(pk__in=[r.pk for r in runs]).order_by("pk"))
            for run in current:
                if last.get(run.pk) != (run.pages, run.status):
                    last[run.pk] = (run.pages, run.status)
                    self._print(run, started)
            if all(run.status in FINISHED for run in current):
                return
            if time.monotonic() - started > timeout:
                raise CommandError(f"the sync did not finish within {timeout:.0f} s")
            time.sleep(0.5)

    def _print(self, run: SyncRun, started: float) -> None:
        percent = run_progress_percent(run)
        shown = f"{percent:3d}%" if percent is not None else "  ?%"
        self.stdout.write(
            f"[{time.monotonic() - started:6.1f}s] {run.source:>3} #{run.pk} {run.status:<9} "
            f"{shown} pages {run.pages}, fetched {run.fetched:,} (created {run.created:,}, "
            f"updated {run.updated:,}, unchanged {run.unchanged:,}, "
            f"quarantined {run.quarantined:,})" + (f" error: {run.error}" if run.error else "")
        )
        self.stdout.flush()
