"""The customer timeline: every source of entries, merged newest first.

The sources are listed here, imported from the apps that own the data (this app sits above
them all). Each source runs one query per timeline page, so the page's query count grows with
the number of sources, never with the number of rows.
A source is `entries(*, customer, audit, benefit, limit, since) -> list[TimelineEntry]`:
newest first, at most `limit`, the access rules for the colleague acting in `audit` applied
(what a colleague not cleared for restricted markers may not learn is left out, or told only in
general terms, by the source itself); `benefit` is "" for all benefits (a source with nothing
per benefit returns [] when one is asked for); `since`, when given, asks only for entries
recorded in the portal after it ("what has changed").
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from acs.timeline import acs_case_event_entries
from audit.context import AuditContext
from customer_view.timeline_sources import (
    benefit_event_entries,
    interaction_entries,
    payment_entries,
)
from customers.models import Customer
from customers.timeline import TimelineEntry
from support_needs.timeline import support_need_entries

MAX_PAGE = 50  # deeper than this, a colleague should filter instead
# "What changed" reads this many more entries per source than it shows, for the colleague's own.
OWN_ACTIONS_ALLOWANCE = 20


class EntriesFunction(Protocol):
    def __call__(
        self,
        *,
        customer: Customer,
        audit: AuditContext,
        benefit: str,
        limit: int,
        since: dt.datetime | None,
    ) -> list[TimelineEntry]: ...


@dataclass(frozen=True)
class TimelineSource:
    type: str
    label: str
    entries: EntriesFunction


SOURCES = (
    TimelineSource(type="benefit_event", label="Benefit changes", entries=benefit_event_entries),
    TimelineSource(type="payment", label="Payments", entries=payment_entries),
    TimelineSource(type="interaction", label="Interactions", entries=interaction_entries),
    TimelineSource(type="support_need", label="Support needs", entries=support_need_entries),
    TimelineSource(type="acs_case", label="ACS case", entries=acs_case_event_entries),
)


def timeline_sources() -> list[TimelineSource]:
    return list(SOURCES)


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    has_next: bool
    type: str
    benefit: str

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def timeline_page_get(
    *,
    customer: Customer,
    audit: AuditContext,
    type: str = "",
    benefit: str = "",
    page: int = 1,
    per_page: int = 20,
) -> TimelinePage:
    """One page of the merged timeline, newest first, optionally one type and/or one benefit."""
    page = max(1, min(page, MAX_PAGE))
    wanted = page * per_page + 1
    entries: list[TimelineEntry] = []
    for source in timeline_sources():
        if type and source.type != type:
            continue
        entries.extend(
            source.entries(
                customer=customer, audit=audit, benefit=benefit, limit=wanted, since=None
            )
        )
    entries.sort(key=lambda e: e.occurred_at, reverse=True)
    start = (page - 1) * per_page
    return TimelinePage(
        entries=entries[start : start + per_page],
        page=page,
        has_next=len(entries) > start + per_page,
        type=type,
        benefit=benefit,
    )


@dataclass
class ChangeGroup:
    label: str
    entries: list[TimelineEntry]
    more: bool


def timeline_changes_since(
    *, customer: Customer, audit: AuditContext, since: dt.datetime, per_source: int = 5
) -> list[ChangeGroup]:
    """What each source recorded after `since`: a few entries each, and whether there are more.
    The colleague's own actions are left out (they know what they did); a source is asked for
    enough more entries to make up for them."""
    own = audit.user.pk if audit.user is not None else None
    groups = []
    for source in timeline_sources():
        entries = [
            entry
            for entry in source.entries(
                customer=customer,
                audit=audit,
                benefit="",
                limit=per_source + 1 + OWN_ACTIONS_ALLOWANCE,
                since=since,
            )
            if own is None or entry.actor_id != own
        ]
        if entries:
            groups.append(
                ChangeGroup(
                    label=source.label,
                    entries=entries[:per_source],
                    more=len(entries) > per_source,
                )
            )
    return groups
