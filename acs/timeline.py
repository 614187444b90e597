"""ACS case events as customer timeline entries (customer_view lists this source)."""

import datetime as dt

from acs.selectors import acs_timeline_events
from audit.context import AuditContext
from customers.models import Customer
from customers.timeline import TimelineEntry


def acs_case_event_entries(
    *,
    customer: Customer,
    audit: AuditContext,
    benefit: str,
    limit: int,
    since: dt.datetime | None,
) -> list[TimelineEntry]:
    """The customer's case events, newest first; colleagues who cannot read cases get only the
    existence and status events. `customer` was opened through the customer selector."""
    if benefit:
        return []  # case events are not about one benefit
    return [
        TimelineEntry(
            occurred_at=event.occurred_at,
            type="acs_case",
            title=f"{event.case.reference}: {event.summary}",
            # The colleague's name, as on every other entry; the username if they have gone.
            byline=(event.actor.get_full_name() if event.actor else "") or event.actor_username,
            actor_id=event.actor_id,
        )
        for event in acs_timeline_events(customer=customer, audit=audit, limit=limit, since=since)
    ]
