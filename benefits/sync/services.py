"""Sync services: start a run, process one page of it, dispatch schedules, correct and resolve
quarantine.

A run is processed one page per Celery task. A page is fetched (retries inside the client),
parsed, and then written in ONE transaction together with the watermark and the run's counters:
if the worker dies before the commit nothing of the page is kept and the redelivered task redoes
it; after the commit the run's page count says it is done, so a redelivery does nothing twice.
"""

import logging
from datetime import datetime, timedelta

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from benefits.hooks import SyncPageApplied, sync_page_applied
from benefits.models import Payment, QuarantinedRecord, SourceWatermark, SyncRun, SyncSchedule
from benefits.sources import SOURCES, client_for, high_water_mark
from benefits.sources.base import ParsedPage, RecordError, Rejected
from benefits.sync.apply import AWARD_MODELS, ApplyResult, records_apply
from benefits.sync.locks import SourceLock, source_lock_holder
from benefits.sync.selectors import quarantined_record_customer
from customers.models import Customer, SourceIdentity

logger = logging.getLogger(__name__)
ACTIVE = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)
START_SYNC = "benefits.start_sync"
RESOLVE_QUARANTINE = "benefits.change_quarantinedrecord"


class PageRetry(Exception):
    """The page could not be written now (e.g. a deadlock with another source): try again."""


def _enqueue_page(run_id: int, page: int, *, source: str) -> None:
    from benefits.tasks import sync_page

    # `source` routes the task to that source's queue (benefits.sync.queues).
    sync_page.delay_on_commit(run_id, page, source=source)


def sync_start(*, source: str, audit: AuditContext, full: bool = False) -> SyncRun:
    """Queue a run for `source`, or return the one already queued or running (one at a time).

    A colleague needs benefits.start_sync; a task or command with no colleague acts for the
    system (beat's schedules, an operator's sync_legacy)."""
    if audit.user is not None and not audit.has_perm(START_SYNC):
        raise PermissionDenied("Your role cannot start a sync.")
    if source not in SOURCES:
        raise ValidationError(f"unknown source {source!r}")
    try:
        with transaction.atomic():
            watermark, _ = SourceWatermark.objects.get_or_create(source=source)
            run = SyncRun.objects.create(
                source=source,
                full=full,
                started_by=audit.user,
                watermark_from="" if full else watermark.position,
            )
            _enqueue_page(run.pk, 1, source=source)
            return run
    except IntegrityError:
        # The partial unique index refused a second active run for this source.
        return SyncRun.objects.get(source=source, status__in=ACTIVE)


def sync_run_fail(*, run_id: int, error: str) -> None:
    SyncRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
        status=SyncRun.Status.FAILED, finished_at=timezone.now(), error=error[:5000]
    )


def _numeric(position: str, default: int) -> int:
    return int(position) if position.isdigit() else default


def _quarantine(run: SyncRun, rejected: list[Rejected]) -> None:
    """Keep every rejected record, once: a full re-read does not re-open what an admin resolved."""
    if not rejected:
        return
    versions = [r.version for r in rejected if r.version is not None]
    existing = set(
        QuarantinedRecord.objects.filter(
            source=run.source, record_version__in=versions
        ).values_list("record_version", "raw_payload")
    )
    QuarantinedRecord.objects.bulk_create(
        QuarantinedRecord(
            source=run.source,
            sync_run=run,
            position=r.position[:200],
            record_key=r.record_key[:100],
            record_version=r.version,
            raw_payload=r.raw_payload,
            reason=r.reason,
        )
        for r in rejected
        if (r.version, r.raw_payload) not in existing
    )


def sync_page_process(*, run_id: int, page: int) -> str:
    """Process page `page` (1-based) of run `run_id`; safe to call twice for the same page."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None:
        return "no such run"
    if run.status not in ACTIVE:
        return "inactive"
    if run.pages >= page:
        # A redelivery of a page already committed: make sure the run goes on.
        if run.pages == page:
            with transaction.atomic():
                _enqueue_page(run_id, page + 1, source=run.source)
        return "already done"
    if run.pages < page - 1:
        return "out of sequence"
    lock = SourceLock(run.source, run_id=run_id, page=page)
    with lock:
        now = timezone.now()
        SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.RUNNING, started_at=now
        )
        SyncRun.objects.filter(pk=run_id).update(heartbeat_at=now)
        position = run.watermark_to if run.pages else run.watermark_from
        client = client_for(run.source)
        total = run.progress_total
        if page == 1 and run.source != "pip":
            latest = high_water_mark(run.source)
            start = _numeric(position, 0)
            total = max(0, latest - start) if latest is not None else None
        parsed = client.read_page(position)
        try:
            return _page_commit(run_id, page, parsed, total, lock)
        except OperationalError as error:  # e.g. deadlock with another source's page
            raise PageRetry(str(error)) from error


def _changes_announce(run: SyncRun, customer_ids: list[int]) -> None:
    """Tell the apps above (support needs: UC's needs into the panel, the signals recomputed)
    which customers this page changed, inside the page's transaction."""
    sync_page_applied.announce(
        SyncPageApplied(source=run.source, sync_run_id=run.pk, customer_ids=tuple(customer_ids))
    )


def _page_commit(
    run_id: int, page: int, parsed: ParsedPage, total: int | None, lock: SourceLock
) -> str:
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run_id)
        if run.status not in ACTIVE or run.pages != page - 1:
            return "already done"
        if lock.lost:
            raise PageRetry("lost the source lock while fetching")
        watermark, _ = SourceWatermark.objects.select_for_update().get_or_create(source=run.source)
        _quarantine(run, parsed.rejected)
        # Every row the page writes carries this run in its change history (pghistory).
        with pghistory.context(sync_run=run.pk, source=run.source):
            result = records_apply(source=run.source, records=parsed.records, run_id=run.pk)
            _quarantine(run, [parsed.rejection(r, reason) for r, reason in result.refused])
            _changes_announce(run, result.changed_customer_ids)
        now = timezone.now()
        start = run.watermark_from
        if run.source == "pip":
            done = run.progress_done + parsed.raw_items
            if page == 1:
                total = (parsed.expected_records or 0) + parsed.raw_items
        else:
            done = max(0, _numeric(parsed.next_position, 0) - _numeric(start, 0))
        finished = not parsed.has_more
        SyncRun.objects.filter(pk=run.pk).update(
            pages=page,
            fetched=F("fetched") + parsed.fetched,
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            unchanged=F("unchanged") + result.unchanged,
            quarantined=F("quarantined") + len(parsed.rejected) + len(result.refused),
            watermark_to=parsed.next_position,
            progress_done=done,
            progress_total=total,
            expected=parsed.expected_records,
            heartbeat_at=now,
            status=SyncRun.Status.SUCCEEDED if finished else SyncRun.Status.RUNNING,
            finished_at=now if finished else None,
        )
        watermark.position = parsed.next_position
        if finished:
            watermark.last_success_at = now
        watermark.save(update_fields=["position", "updated_at", "last_success_at"])
        # Release before queueing the next page, so it does not find the source busy.
        transaction.on_commit(lock.release)
        if not finished:
            _enqueue_page(run.pk, page + 1, source=run.source)
    if finished and run.created + result.created >= BULK_LOAD_ROWS:
        _statistics_refresh(run.source)
    return "finished" if finished else "page done"


# A run that created this many awards changed its tables enough that the planner's statistics
# are stale until autovacuum gets round to them (a minute or more); searches meanwhile fall back
# to sequential scans (650 ms instead of 20 ms at 50,000 customers, measured).
BULK_LOAD_ROWS = 5000


def _statistics_refresh(source: str) -> None:
    """ANALYZE the tables a large run has just filled (seconds at 1M rows; sampled)."""
    tables = [
        Customer._meta.db_table,
        SourceIdentity._meta.db_table,
        AWARD_MODELS[source]._meta.db_table,
        Payment._meta.db_table,
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def sync_schedules_dispatch(*, now: datetime | None = None) -> list[SyncRun]:
    """Start every enabled source whose interval has passed; resume runs whose worker died."""
    audit = AuditContext.for_task(task_name="benefits.sync_dispatch")
    now = now or timezone.now()
    started = []
    for schedule in SyncSchedule.objects.filter(enabled=True).order_by("source"):
        due = schedule.last_dispatched_at is None or schedule.last_dispatched_at + timedelta(
            minutes=schedule.interval_minutes
        ) <= now + timedelta(seconds=5)
        if not due:
            continue
        if SyncRun.objects.filter(source=schedule.source, status__in=ACTIVE).exists():
            continue
        started.append(sync_start(source=schedule.source, audit=audit))
        SyncSchedule.objects.filter(pk=schedule.pk).update(last_dispatched_at=now)
    sync_runs_resume_stalled(now=now)
    return started


def sync_runs_resume_stalled(*, now: datetime | None = None) -> list[int]:
    """Re-queue the next page of active runs nobody is working on (their worker died).

    A page task killed with its whole worker stays unacknowledged in Redis until the broker's
    visibility timeout; this brings the run back much sooner. Duplicates are harmless: a page
    already committed is not processed twice.
    """
    now = now or timezone.now()
    stall = timedelta(seconds=float(settings.SYNC_STALL_SECONDS))
    resumed = []
    for run in SyncRun.objects.filter(status__in=ACTIVE):
        last_sign = run.heartbeat_at or run.queued_at
        if last_sign > now - stall or source_lock_holder(run.source):
            continue
        with transaction.atomic():
            SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=now)
            _enqueue_page(run.pk, run.pages + 1, source=run.source)
        resumed.append(run.pk)
        logger.warning("resumed stalled %s sync run %s at page %s", run.source, run.pk, run.pages)
    return resumed


def _resolver_require(audit: AuditContext) -> None:
    if audit.user is not None and not audit.has_perm(RESOLVE_QUARANTINE):
        raise PermissionDenied("Your role cannot resolve quarantined records.")


def quarantine_replay(
    *, record: QuarantinedRecord, audit: AuditContext, corrected_payload: str | None = None
) -> ApplyResult:
    """Parse the (corrected) payload again and apply it like a feed record.

    Raises ValidationError with the parser's reason if it still cannot be trusted (the entry
    stays open, keeping the correction). The version guard still applies: if a newer version
    arrived meanwhile, the replay changes nothing and says so. The change is audited, and
    announced like a sync page's.
    """
    _resolver_require(audit)
    with transaction.atomic():
        entry = QuarantinedRecord.objects.select_for_update().get(pk=record.pk)
        if entry.status != QuarantinedRecord.Status.OPEN:
            raise ValidationError("This record has already been resolved.")
        if corrected_payload is not None:
            entry.corrected_payload = corrected_payload
            entry.save(update_fields=["corrected_payload"])
        payload = entry.corrected_payload or entry.raw_payload
        try:
            parsed = client_for(entry.source).parse_replay(payload, entry.position)
        except RecordError as error:
            raise ValidationError(f"Still not trustworthy: {error}") from error
        now = timezone.now()
        run = SyncRun.objects.create(
            source=entry.source,
            status=SyncRun.Status.SUCCEEDED,
            started_by=audit.user,
            started_at=now,
            finished_at=now,
            watermark_from=f"quarantine #{entry.pk}",
            watermark_to=f"quarantine #{entry.pk}",
        )
        result = records_apply(source=entry.source, records=[parsed], run_id=run.pk)
        if result.refused:
            raise ValidationError(f"Still not trustworthy: {result.refused[0][1]}")
        SyncRun.objects.filter(pk=run.pk).update(
            pages=1,
            fetched=1,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
        outcome = (
            "created"
            if result.created
            else "updated"
            if result.updated
            else "unchanged (the portal already holds this or a newer version)"
        )
        entry.status = QuarantinedRecord.Status.REPLAYED
        entry.resolved_by = audit.user
        entry.resolved_at = now
        entry.resolution_note = f"Replayed in sync run #{run.pk}: {outcome}."
        entry.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        _quarantine_audit(
            audit=audit,
            entry=entry,
            what="quarantined record replayed",
            customer_ids=result.changed_customer_ids,
        )
    record.refresh_from_db()
    return result


def quarantine_correction_save(
    *, record: QuarantinedRecord, audit: AuditContext, corrected_payload: str, resolution_note: str
) -> list[str]:
    """Keep an admin's corrected payload and resolution note on an open quarantined record
    without replaying it (Django admin's ordinary Save). Returns the names of the fields that
    changed (none: nothing is written); a change is audited, as the correction of customer data
    it is."""
    _resolver_require(audit)
    wanted = {"corrected_payload": corrected_payload, "resolution_note": resolution_note}
    with transaction.atomic():
        entry = QuarantinedRecord.objects.select_for_update().get(pk=record.pk)
        changed = sorted(name for name, value in wanted.items() if getattr(entry, name) != value)
        if not changed:
            return []
        if entry.status != QuarantinedRecord.Status.OPEN:
            raise ValidationError("This record has already been resolved.")
        for name in changed:
            setattr(entry, name, wanted[name])
        entry.full_clean()
        entry.save(update_fields=changed)
        _quarantine_audit(
            audit=audit,
            entry=entry,
            what="quarantined record corrected",
            customer_ids=[],
            fields=changed,
        )
    return changed


def quarantine_discard(*, record: QuarantinedRecord, audit: AuditContext, note: str) -> None:
    """Close a quarantined record without applying it; the note says why (required)."""
    _resolver_require(audit)
    if not note.strip():
        raise ValidationError("Say why the record is discarded.")
    with transaction.atomic():
        entry = QuarantinedRecord.objects.select_for_update().get(pk=record.pk)
        if entry.status != QuarantinedRecord.Status.OPEN:
            raise ValidationError("This record has already been resolved.")
        entry.status = QuarantinedRecord.Status.DISCARDED
        entry.resolved_by = audit.user
        entry.resolved_at = timezone.now()
        entry.resolution_note = note.strip()
        entry.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        _quarantine_audit(
            audit=audit, entry=entry, what="quarantined record discarded", customer_ids=[]
        )
    record.refresh_from_db()


def _quarantine_audit(
    *,
    audit: AuditContext,
    entry: QuarantinedRecord,
    what: str,
    customer_ids: list[int],
    fields: list[str] | None = None,
) -> None:
    """A quarantined record holds customer data: correcting or resolving it is a change to
    customer data, recorded against the customer it changed (else the one its key names)."""
    detail: dict[str, object] = {"record": entry.pk, "source": entry.source, "status": entry.status}
    if fields is not None:
        detail["fields"] = fields
    access_record(
        audit=audit,
        action=AccessEvent.Action.CHANGE,
        what=what,
        customer=(
            Customer.objects.get(pk=customer_ids[0])
            if len(customer_ids) == 1
            else quarantined_record_customer(entry)
        ),
        detail=detail,
    )
