"""Reads for the sync: ops page, progress, quarantine (customer pages: benefits.selectors)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q

from benefits import labels
from benefits.models import (
    LEGACY_SOURCES,
    QuarantinedRecord,
    SourceWatermark,
    SyncRun,
    SyncSchedule,
    UniversalCreditAward,
)
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
    labels = dict(LEGACY_SOURCES)  # SyncRun.source's choices
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


@dataclass(frozen=True)
class UnrecognisedCode:
    """A code the portal has no plain-English label for, and how many awards hold it (such an
    award shows it as "<code> (not recognised)")."""

    what: str
    code: str
    awards: int


# The synced codes the parsers accept as free text (every other code is checked as it is
# parsed, and an unknown one is quarantined): (what, UC award column, item key, label family).
_FREE_TEXT_CODES = (
    ("Universal Credit element", "elements", "type", "element"),
    ("Universal Credit deduction", "deductions", "type", "deduction"),
    ("Universal Credit sanction level", "sanctions", "level", "sanction_level"),
)
UNRECOGNISED_CACHE_SECONDS = 300


def unrecognised_codes() -> list[UnrecognisedCode]:
    """Codes held on synced awards that have no label, most held first. One query over the UC
    awards, kept for a few minutes (the ops page does not need it to the second)."""

    def count() -> list[tuple[str, str, int]]:
        selects: list[str] = []
        params: list[str | list[str]] = []
        for what, column, key, family in _FREE_TEXT_CODES:
            selects.append(
                "SELECT %s, item->>%s, count(DISTINCT a.id) "
                f"FROM {UniversalCreditAward._meta.db_table} a, "
                f"jsonb_array_elements(a.{column}) item "
                "WHERE NOT (coalesce(item->>%s, '') = ANY(%s)) GROUP BY 2"
            )
            params += [what, key, key, list(labels.UC[family])]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects) + " ORDER BY 3 DESC, 1, 2", params)
            return [(row[0], row[1] or "", row[2]) for row in cursor.fetchall()]

    rows = cache.get_or_set("benefits:unrecognised-codes", count, UNRECOGNISED_CACHE_SECONDS)
    return [UnrecognisedCode(what=what, code=code, awards=n) for what, code, n in rows or []]
