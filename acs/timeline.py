"""ACS case events on the customer's timeline (a source for customers.timeline's registry)."""

import datetime as dt
from typing import Any

from acs.selectors import acs_timeline_events


def acs_case_event_entries(
    *, customer: Any, user: Any, benefit: str, limit: int, since: dt.datetime | None
) -> list[Any]:
    from customers.timeline import TimelineEntry

    if benefit:
        return []  # case events are not about one benefit
    return [
        TimelineEntry(
            occurred_at=event.occurred_at,
            type="acs_case",
            title=f"{event.case.reference}: {event.summary}",
            # The colleague's name, as on every other entry; the username if they have gone.
            byline=(event.actor.get_full_name() if event.actor else "") or event.actor_username,
        )
        for event in acs_timeline_events(customer=customer, user=user, limit=limit, since=since)
    ]


def acs_timeline_source_register() -> None:
    try:
        from customers.timeline import TimelineSource, timeline_source_register
    except ImportError:  # the customer page's timeline is not installed
        return
    timeline_source_register(
        TimelineSource(type="acs_case", label="ACS case", entries=acs_case_event_entries)
    )
