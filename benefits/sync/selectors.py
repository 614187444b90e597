"""Reads for the sync: ops page, progress, quarantine (customer pages: benefits.selectors)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from benefits.models import QuarantinedRecord, SourceWatermark, SyncRun, SyncSchedule
from benefits.sources import SOURCES

ACTIVE = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)


def run_progress_percent(run: SyncRun) -> int | None:
    """0-100 for a run that knows how far it has to go; 100 once it succeeded; else None."""
    if run.status == SyncRun.Status.SUCCEEDED:
        return 100
    if not run.progress_total:
        return None
    return max(0, min(99, run.progress_done * 100 // run.progress_total))


@dataclass
class SourceStatus:
    source: str
    label: str
    last_run: SyncRun | None
    active_run: SyncRun | None
    last_success_at: datetime | None
    open_quarantine: int
    schedule: SyncSchedule | None

    @property
    def progress_percent(self) -> int | None:
        return run_progress_percent(self.active_run) if self.active_run else None


def sync_sources_status() -> list[SourceStatus]:
    """One row per legacy source for the ops page, in a fixed handful of queries."""
    labels = dict(SyncRun._meta.get_field("source").choices)  # type: ignore[arg-type]
    latest: dict[str, SyncRun] = {}
    for run in SyncRun.objects.order_by("source", "-queued_at", "-pk").distinct("source"):
        latest[run.source] = run
    active = {r.source: r for r in SyncRun.objects.filter(status__in=ACTIVE)}
    watermarks = {w.source: w for w in SourceWatermark.objects.all()}
    counts = dict(
        QuarantinedRecord.objects.filter(status=QuarantinedRecord.Status.OPEN)
        .values_list("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    schedules = {s.source: s for s in SyncSchedule.objects.all()}
    return [
        SourceStatus(
            source=source,
            label=str(labels.get(source, source)),
            last_run=latest.get(source),
            active_run=active.get(source),
            last_success_at=watermarks[source].last_success_at if source in watermarks else None,
            open_quarantine=counts.get(source, 0),
            schedule=schedules.get(source),
        )
        for source in SOURCES
    ]


def sync_runs_recent(*, limit: int = 20) -> list[SyncRun]:
    return list(SyncRun.objects.select_related("started_by").order_by("-queued_at", "-pk")[:limit])


def sync_any_active() -> bool:
    return SyncRun.objects.filter(status__in=ACTIVE).exists()


def quarantine_open_for(*, source: str) -> list[QuarantinedRecord]:
    return list(
        QuarantinedRecord.objects.filter(source=source, status=QuarantinedRecord.Status.OPEN)
    )


def quarantine_explains(*, source: str, nino: str, version: int | None) -> bool:
    """Is an open quarantined record the reason the portal lacks this version?"""
    query = Q(record_key=nino) | Q(record_key__startswith=nino[:8])
    if version is not None:
        query |= Q(record_version=version)
    return QuarantinedRecord.objects.filter(
        query, source=source, status=QuarantinedRecord.Status.OPEN
    ).exists()
