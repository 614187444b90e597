"""The customer timeline: a small registry of sources (benefit events, payments, interactions,
and later support-need changes and ACS case events) merged newest first.

A source is registered once, at start-up (an AppConfig.ready()):

    from customers.timeline import TimelineEntry, TimelineSource, timeline_source_register

    def support_need_entries(*, customer, user, benefit, limit, since):
        ...  # one query, newest first, at most `limit` entries, access rules applied for `user`
        return [TimelineEntry(...), ...]

    timeline_source_register(
        TimelineSource(type="support_need", label="Support needs", entries=support_need_entries)
    )

Each source runs one query per timeline page, so the page's query count grows with the number
of sources, never with the number of rows.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from customers.models import Customer

MAX_PAGE = 50  # deeper than this, a colleague should filter instead


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: dt.datetime
    type: str  # the registering source's type
    title: str
    description: str = ""
    benefits: tuple[str, ...] = ()
    byline: str = ""
    # Something a colleague must not miss (e.g. "Large arrears payment"); shown as a red tag.
    warning: str = ""
    # True when the source only knows the day (e.g. a payment date): shown without a time.
    date_only: bool = False
    # Extra facts for the source's own rendering, as (label, value) pairs.
    facts: tuple[tuple[str, str], ...] = field(default_factory=tuple)


# (customer, user, benefit, limit, since) -> newest-first entries. `benefit` is "" for all
# benefits; a source with nothing per benefit returns [] when one is asked for. `since`, when
# given, asks only for entries recorded in the portal after it ("what has changed").
EntriesFunction = Callable[..., list[TimelineEntry]]


@dataclass(frozen=True)
class TimelineSource:
    type: str
    label: str
    entries: EntriesFunction


_SOURCES: dict[str, TimelineSource] = {}


def timeline_source_register(source: TimelineSource) -> None:
    """Add (or replace, by type) a timeline source."""
    _SOURCES[source.type] = source


def timeline_sources() -> list[TimelineSource]:
    return list(_SOURCES.values())


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
    user: Any,
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
            source.entries(customer=customer, user=user, benefit=benefit, limit=wanted, since=None)
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
    *, customer: Customer, user: Any, since: dt.datetime, per_source: int = 5
) -> list[ChangeGroup]:
    """What each source recorded after `since`: a few entries each, and whether there are more."""
    groups = []
    for source in timeline_sources():
        entries = source.entries(
            customer=customer, user=user, benefit="", limit=per_source + 1, since=since
        )
        if entries:
            groups.append(
                ChangeGroup(
                    label=source.label,
                    entries=entries[:per_source],
                    more=len(entries) > per_source,
                )
            )
    return groups
