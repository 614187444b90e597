"""Reads for the sync: ops page, progress, quarantine (customer pages: benefits.selectors).

A quarantined record holds customer data as its legacy system sent it (names, dates of birth,
needs, the restricted flag): every read of the quarantine by a colleague is audited here, and a
restricted customer's record shows its payload only to colleagues cleared for restricted records.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from benefits import labels
from benefits.models import (
    LEGACY_SOURCES,
    QuarantinedRecord,
    SourceWatermark,
    SyncRun,
    SyncSchedule,
    UniversalCreditAward,
)
from benefits.sources import SOURCES, payload_restricted
from customers.models import Customer
from customers.selectors import restricted_record_cleared

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


# What the ops page's progress poll announces (a screen reader hears it once, through the page's
# live region): a run that starts, passes another quarter of its progress, finishes or fails. The
# page carries what it last showed (`seen`, one "source.run.stage" per active run) into the next
# poll, so an unchanged answer says nothing.
PROGRESS_STEP = 25
_QUEUED, _RUNNING = "q", "r"


@dataclass(frozen=True)
class SyncProgressNews:
    announcement: str  # "" when nothing worth saying changed since `seen`
    seen: str  # what this answer shows, for the next poll to compare with


def _stage(run: SyncRun) -> str:
    if run.status == SyncRun.Status.QUEUED:
        return _QUEUED
    percent = run_progress_percent(run)
    return _RUNNING if percent is None else str(percent // PROGRESS_STEP * PROGRESS_STEP)


def _parse_seen(seen: str) -> dict[str, tuple[int, str]]:
    """source -> (run id, stage); anything malformed is ignored (it only makes a poll quieter)."""
    parsed: dict[str, tuple[int, str]] = {}
    for part in seen.split(",")[: len(SOURCES)]:
        source, _, rest = part.partition(".")
        run_id, _, stage = rest.partition(".")
        if source in SOURCES and run_id.isdigit() and len(run_id) < 19 and len(stage) <= 3:
            parsed[source] = (int(run_id), stage)
    return parsed


def sync_progress_news(*, sources: list[SourceStatus], seen: str | None) -> SyncProgressNews:
    """What changed in the active runs since the page showed `seen` (None: a first look, which
    announces nothing), and what this answer shows."""
    now = {
        row.source: (row.active_run.pk, _stage(row.active_run))
        for row in sources
        if row.active_run is not None
    }
    token = ",".join(f"{source}.{run_id}.{stage}" for source, (run_id, stage) in now.items())
    if seen is None:
        return SyncProgressNews(announcement="", seen=token)
    before = _parse_seen(seen)
    ended = {run_id for source, (run_id, _) in before.items() if now.get(source, (0,))[0] != run_id}
    outcomes = SyncRun.objects.in_bulk(ended) if ended else {}
    sentences: list[str] = []
    for row in sources:
        name = f"{row.source.upper()} sync"
        if row.source in before and before[row.source][0] in outcomes:
            run = outcomes[before[row.source][0]]
            if run.status == SyncRun.Status.SUCCEEDED:
                sentences.append(f"{name} finished.")
            elif run.status == SyncRun.Status.FAILED:
                reason = " ".join(run.error.split())[:200] or "no reason given"
                sentences.append(f"{name} failed: {reason.rstrip('.')}.")
        if row.active_run is None:
            continue
        run_id, stage = now[row.source]
        was = before[row.source][1] if before.get(row.source, (0,))[0] == run_id else None
        if stage == was:
            continue
        passed = int(was) if was and was.isdigit() else 0  # the last quarter announced
        if stage == _QUEUED:
            sentences.append(f"{name} queued.")
        elif stage.isdigit() and int(stage) > passed:
            sentences.append(f"{name}: {row.progress_percent}% done.")
        elif was in (None, _QUEUED):
            sentences.append(f"{name} started.")
    return SyncProgressNews(announcement=" ".join(sentences), seen=token)


def sync_runs_recent(*, limit: int = 20) -> list[SyncRun]:
    return list(SyncRun.objects.select_related("started_by").order_by("-queued_at", "-pk")[:limit])


def sync_any_active() -> bool:
    return SyncRun.objects.filter(status__in=ACTIVE).exists()


# --- The quarantine as colleagues read it --------------------------------------------------

PAYLOAD_HIDDEN_NOTE = (
    "Hidden: this may be a restricted customer's record, and your role is not cleared to see "
    "restricted records. You can still discard it with a note."
)
# What stands in for a value a parser quoted in its reason ('…', "…" or (…): a NINO as sent, a
# date of birth) when the record is hidden.
REASON_VALUE_HIDDEN = "(hidden)"
_REASON_VALUES = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\([^)]*\)")


def _nino_key(record_key: str) -> str:
    return record_key.replace(" ", "").upper()


def quarantined_records_annotated() -> QuerySet[QuarantinedRecord]:
    """Quarantined records, each knowing (`customer_restricted`) whether its key is the NINO of a
    restricted customer in the portal. Reads nothing of a customer: callers audit the read."""
    restricted = Customer.objects.filter(
        nino=Upper(Replace(OuterRef("record_key"), Value(" "), Value(""))), restricted=True
    )
    return QuarantinedRecord.objects.annotate(customer_restricted=Exists(restricted))


def quarantined_record_customer(record: QuarantinedRecord) -> Customer | None:
    """The portal's customer whose NINO is the record's key, if there is one (for the audit)."""
    if not record.record_key:
        return None
    return Customer.objects.filter(nino=_nino_key(record.record_key)).first()


def quarantined_record_restricted(record: QuarantinedRecord) -> bool:
    """Whether the record may be a restricted customer's: its key is a restricted customer's
    NINO in the portal, or its payload (or an admin's correction) marks the customer restricted
    or is too damaged to say."""
    known: bool | None = getattr(record, "customer_restricted", None)
    if known is None:
        known = Customer.objects.filter(nino=_nino_key(record.record_key), restricted=True).exists()
    return known or any(
        payload_restricted(record.source, payload) is not False
        for payload in (record.raw_payload, record.corrected_payload)
        if payload.strip()
    )


@dataclass(frozen=True)
class QuarantineShown:
    """What one colleague may see of quarantined records: a record that may be a restricted
    customer's (quarantined_record_restricted) shows its payloads, and the values its reason
    quotes, only to colleagues cleared for restricted records."""

    cleared: bool

    def hidden(self, record: QuarantinedRecord) -> bool:
        return not self.cleared and quarantined_record_restricted(record)

    def reason(self, record: QuarantinedRecord) -> str:
        if not self.hidden(record):
            return record.reason
        return quarantine_reason_values_hidden(record.reason)


def quarantine_reason_values_hidden(reason: str) -> str:
    """A hidden record's reason: its words, without the values it quotes."""
    return _REASON_VALUES.sub(REASON_VALUE_HIDDEN, reason)


def quarantine_shown_for(audit: AuditContext) -> QuarantineShown:
    """What the colleague in `audit` may see of quarantined records (the restricted-record
    clearance of customers.selectors)."""
    return QuarantineShown(cleared=restricted_record_cleared(audit))


def quarantined_records_for_admin(
    *,
    audit: AuditContext,
    search: str = "",
    filters: Iterable[str] = (),
    source: str = "",
    open_only: bool = False,
) -> QuerySet[QuarantinedRecord]:
    """Quarantined records, newest first (of one source, open ones only, if asked), for Django
    admin's list or the API; show them through quarantine_shown_for. The read is audited
    (VIEW_FRAGMENT, SEARCH when `search` is given; API_READ through the API) with whether there
    was a search and the names of the filters, never the terms: a search is by NINO."""
    named = set(filters) | ({"source"} if source else set()) | ({"status"} if open_only else set())
    access_record(
        audit=audit,
        action=AccessEvent.Action.SEARCH if search else AccessEvent.Action.VIEW_FRAGMENT,
        what="quarantined records",
        detail={"search": bool(search), "filters": sorted(named)},
    )
    records = quarantined_records_annotated()
    if source:
        records = records.filter(source=source)
    if open_only:
        records = records.filter(status=QuarantinedRecord.Status.OPEN)
    return records.order_by("-created_at", "-pk")


def quarantined_record_for_admin(*, audit: AuditContext, pk: str) -> QuarantinedRecord | None:
    """A quarantined record, for its admin page (`pk` from its URL; the raw legacy payload: names,
    dates of birth, needs): the look is audited, against the customer when the record's key is a
    known NINO, with whether the colleague was shown the payload."""
    record = quarantined_records_annotated().filter(pk=pk).first() if pk.isdigit() else None
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what="quarantined record (admin)",
        customer=quarantined_record_customer(record) if record is not None else None,
        detail={
            "record": record.pk if record is not None else None,
            "payload_shown": record is not None and not quarantine_shown_for(audit).hidden(record),
        },
    )
    return record


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
