"""What a customer-timeline entry is: the value every source (benefit events, payments,
interactions, support-need changes, ACS case events) returns, whichever app it lives in.

The timeline itself — which sources there are, merged newest first — is assembled above
every app, in customer_view.timeline.
"""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: dt.datetime
    type: str  # the source's type
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
    # The colleague who did it in the portal (their id), when it was a colleague: "what changed
    # since you last looked" leaves out the colleague's own actions.
    actor_id: int | None = None
    # A synced fact: the legacy system it came from ("PIPCS"), when that system recorded it
    # (None: not known) and when the portal synced it.
    source_label: str = ""
    recorded_at: dt.datetime | None = None
    synced_at: dt.datetime | None = None
