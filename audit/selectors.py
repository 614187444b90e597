"""Reading the access audit: who looked at a customer's record, and the audit in admin (each
read of it audited, a restricted marker's type hidden from colleagues not cleared for markers)."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record

VIEW_HISTORY_PERMISSION = "audit.view_customer_access_history"
# "Who viewed" reads at most this many of a record's latest looks (newest first).
MAX_VIEWER_EVENTS = 2000


def can_see_customer_viewers(user: User | None) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.has_perm(VIEW_HISTORY_PERMISSION)
    )


def customer_viewers_for(*, customer_id: int, audit: AuditContext) -> QuerySet[AccessEvent]:
    """Every recorded look at (or refusal of) this customer's record, newest first. The caller
    has opened the record for this colleague (the access event for that is written there)."""
    if not can_see_customer_viewers(audit.user):
        raise PermissionDenied("Only team leaders see who viewed a record.")
    return (
        AccessEvent.objects.filter(customer_id=customer_id)
        .exclude(action=AccessEvent.Action.SEARCH)
        .only("occurred_at", "username", "action", "what", "reason")
        .order_by("-occurred_at", "-pk")
    )


# "Who viewed this record" shows one visit per colleague's signed-in session (the events'
# session_hash). Looks recorded without a session (through the API with a token, or before
# sessions were kept) are one visit when less than this far apart.
VISIT_GAP = dt.timedelta(minutes=30)
# Plain words for what an event names, where its own name would puzzle a reader.
PLAIN_WHATS = {
    "customer": "Opened the record",
    "customer page": "Opened the record",
    "customer timeline": "Read the timeline",
    "customer interactions": "Read the interactions",
    "customer acs status": "Saw the ACS case status",
    "record interaction": "Recorded an interaction",
    "restricted record reason": "Gave a reason to open the restricted record",
    "acs case": "Opened the ACS case",
    "acs referral": "Referred to an ACSSL",
    "acs referral form": "Opened the referral form",
}


@dataclass
class ViewerVisit:
    """One colleague's looks at a record in one session (or, without a session, within
    VISIT_GAP of each other), newest first."""

    user_id: int | None
    username: str
    name: str
    roles: list[str]
    first_at: dt.datetime
    last_at: dt.datetime
    count: int = 0
    what: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def access_what_plain(what: str) -> str:
    """An access event's `what` in plain words ("acs case close" -> "ACS case: close")."""
    if what in PLAIN_WHATS:
        return PLAIN_WHATS[what]
    if what.startswith("acs case "):
        return f"ACS case: {what.removeprefix('acs case ')}"
    if what.startswith("acs "):
        return f"ACS {what.removeprefix('acs ')}"
    return what[:1].upper() + what[1:]


def customer_viewer_visits(
    *,
    events: QuerySet[AccessEvent],
    audit: AuditContext,
    colleague_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    action: str = "",
) -> list[ViewerVisit]:
    """The looks at a record (`events`, from customer_viewers_for: access already checked and
    the read audited) filtered by colleague, UK date range and action, and grouped: one row per
    colleague per visit (their signed-in session; without one, looks less than VISIT_GAP
    apart), with their name, role, plain labels of what they did and reasons given. A marker's
    event name is hidden from colleagues not cleared for markers."""
    if colleague_id is not None:
        events = events.filter(user_id=colleague_id)
    if date_from is not None:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(occurred_at__date__lte=date_to)
    if action:
        events = events.filter(action=action)
    cleared = marker_cleared(audit)
    found = list(
        events.select_related("user")
        .prefetch_related("user__groups")
        .only("occurred_at", "username", "action", "what", "reason", "user", "session_hash")[
            :MAX_VIEWER_EVENTS
        ]
    )
    visits: list[ViewerVisit] = []
    open_visit: dict[object, ViewerVisit] = {}
    for event in found:  # newest first
        key = (event.user_id or event.username, event.session_hash)
        visit = open_visit.get(key)
        gap_too_long = (
            not event.session_hash
            and visit is not None
            and visit.first_at - event.occurred_at > VISIT_GAP
        )
        if visit is None or gap_too_long:
            user = event.user
            visit = ViewerVisit(
                user_id=event.user_id,
                username=event.username,
                name=(user.get_full_name() if user else "") or event.username,
                roles=sorted(group.name for group in user.groups.all()) if user else [],
                first_at=event.occurred_at,
                last_at=event.occurred_at,
            )
            visits.append(visit)
            open_visit[key] = visit
        visit.first_at = event.occurred_at
        visit.count += 1
        label = access_what_plain(access_event_what_shown(what=event.what, cleared=cleared))
        if label not in visit.what:
            visit.what.append(label)
        if event.get_action_display() not in visit.actions:
            visit.actions.append(event.get_action_display())
        if event.reason and event.reason not in visit.reasons:
            visit.reasons.append(event.reason)
    return visits


def customer_viewer_colleagues(*, events: QuerySet[AccessEvent]) -> list[tuple[int, str]]:
    """The colleagues who looked at the record (`events` as above), for the colleague filter."""
    rows = (
        events.filter(user__isnull=False)
        .order_by()
        .values_list("user_id", "user__first_name", "user__last_name", "username")
        .distinct()
    )
    return sorted(
        ((pk, f"{first} {last}".strip() or username) for pk, first, last, username in rows),
        key=lambda row: row[1],
    )


# --- The access audit in admin ----------------------------------------------------------------

# Who is cleared for restricted support-need markers (the permission support_needs defines).
MARKER_CLEARANCE_PERMISSION = "support_needs.view_restricted_need"
# Event kinds whose name alone tells which marker a customer has (every one support_needs
# writes: a Six Point Plan recorded, read, or refused), shown to colleagues not cleared as this.
# Other events name no marker: a need's or signal's type is in the detail (MARKER_DETAIL_KEYS).
MARKER_WHATS = {
    "six point plan recorded": "restricted marker recorded",
    "six point plans": "restricted marker records read",
    "six point plan record": "restricted marker record",
}
# Detail keys that name a need type or a support-signal rule (a marker's type).
MARKER_DETAIL_KEYS = ("type", "rule")
HIDDEN = "(hidden: restricted marker)"

ADMIN_CSV_COLUMNS = (
    "occurred_at",
    "username",
    "action",
    "what",
    "customer_id",
    "reason",
    "request_id",
    "client_address",
    "detail",
)


def marker_cleared(audit: AuditContext) -> bool:
    return audit.has_perm(MARKER_CLEARANCE_PERMISSION)


def access_event_what_shown(*, what: str, cleared: bool) -> str:
    return what if cleared else MARKER_WHATS.get(what, what)


def access_event_lookup_allowed(*, lookup: str, value: object, cleared: bool) -> bool:
    """Whether the admin list may filter events by `lookup` from its address: never by the
    detail (a marker's type is there, hidden on the page, but a filter would still find the
    customers who have it); by what an event was only where its name cannot tell a marker to a
    colleague not cleared (an exact name that is not one of MARKER_WHATS)."""
    field, _, rest = lookup.partition("__")
    if field == "detail":
        return False
    if field == "what" and not cleared:
        return rest in ("", "exact") and value not in MARKER_WHATS
    return True


def access_event_detail_shown(*, detail: object, cleared: bool) -> object:
    """The event's detail as this colleague may read it: a marker's type hidden unless cleared."""
    if cleared or not isinstance(detail, dict):
        return detail
    return {key: HIDDEN if key in MARKER_DETAIL_KEYS else value for key, value in detail.items()}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _colleague_of(detail: dict[str, Any]) -> str:
    """The colleague as "Wendy Coach (coach1)", or by username alone when no name was kept."""
    username, name = detail.get("colleague", "a colleague"), detail.get("colleague_name")
    return f"{name} ({username})" if name else str(username)


def _roles_of(names: list[str]) -> str:
    return " and ".join(names) if names else "no role"


def _role_change_described(detail: dict[str, Any]) -> str:
    who = _colleague_of(detail)
    roles, team = detail["role"], detail["team"]
    if detail.get("added"):
        in_team = f" in team {team['to']}" if team["to"] else ""
        return f"Added {who} as {_roles_of(roles['to'])}{in_team}"
    changes = []
    if roles["from"] != roles["to"]:
        changes.append(f"role from {_roles_of(roles['from'])} to {_roles_of(roles['to'])}")
    if team["from"] != team["to"]:
        changes.append(f"team from {team['from'] or 'no team'} to {team['to'] or 'no team'}")
    return f"Changed {who}'s {' and '.join(changes) or 'role and team'}"


def _access_change_described(detail: dict[str, Any]) -> str:
    who = _colleague_of(detail)
    change = detail["change"]
    sessions = _plural(detail.get("sessions_ended", 0), "session")
    if change == "disabled":
        ended = f" and ended {sessions}" if detail.get("sessions_ended") else ""
        return f"Disabled {who}{ended}"
    if change == "enabled":
        return f"Enabled {who} again"
    if change == "sessions ended":
        return f"Ended {sessions} of {who}"
    token = detail["token"]
    named = f"the API token “{token['name']}” (starting {token['prefix']})"
    if change == "API token issued":
        expires = timezone.localtime(dt.datetime.fromisoformat(token["expires_at"]))
        return f"Issued {named} to {who}, expiring {expires.day} {expires:%B %Y}"
    if change == "API token revoked":
        return f"Revoked {named} of {who}"
    raise ValueError(change)


_DESCRIBED: dict[str, Callable[[dict[str, Any]], str]] = {
    AccessEvent.Action.COLLEAGUE_CHANGE: _role_change_described,
    AccessEvent.Action.COLLEAGUE_ACCESS: _access_change_described,
}


def access_event_described(*, event: AccessEvent, cleared: bool) -> str:
    """What an event was about, as the admin's audit list shows it: a change to a colleague's
    role, team or access in a plain sentence saying to whom and what ("Disabled Wendy Coach
    (coach1) and ended 2 sessions"; who did it is the event's username); any other event's
    `what` (a restricted marker's hidden unless `cleared`)."""
    describe = _DESCRIBED.get(event.action)
    if describe is not None and isinstance(event.detail, dict):
        try:
            return describe(event.detail)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # an event written before its facts were kept: its `what` says enough
    return access_event_what_shown(what=event.what, cleared=cleared)


def access_events_for_admin(*, audit: AuditContext, search: str, filters: list[str]) -> None:
    """Note that the colleague read the access audit list (searching for `search`, if given).
    The list is the admin's own queryset; the terms are not kept, only that there were some."""
    access_record(
        audit=audit,
        action=AccessEvent.Action.SEARCH if search else AccessEvent.Action.VIEW_FRAGMENT,
        what="access audit list",
        detail={"search": bool(search), "filters": sorted(filters)},
    )


def access_event_for_admin(*, audit: AuditContext, pk: str) -> AccessEvent | None:
    """One access event, for its admin page (`pk` from its URL); the look is audited against its
    customer."""
    event = AccessEvent.objects.filter(pk=pk).first() if pk.isdigit() else None
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what="access audit event",
        customer=event.customer if event is not None else None,
        detail={"event": event.pk if event is not None else None},
    )
    return event


def access_events_export(
    *, audit: AuditContext, queryset: QuerySet[AccessEvent]
) -> Iterator[tuple[object, ...]]:
    """The selected events as CSV rows (a header first), markers hidden unless cleared; the
    export is audited with its row count."""
    access_record(
        audit=audit,
        action=AccessEvent.Action.EXPORT,
        what="access audit CSV",
        detail={"rows": queryset.count()},
    )
    cleared = marker_cleared(audit)
    what_at = ADMIN_CSV_COLUMNS.index("what")
    detail_at = ADMIN_CSV_COLUMNS.index("detail")
    yield ADMIN_CSV_COLUMNS
    for row in queryset.order_by("occurred_at").values_list(*ADMIN_CSV_COLUMNS).iterator():
        cells = list(row)
        cells[what_at] = access_event_what_shown(what=cells[what_at], cleared=cleared)
        cells[detail_at] = access_event_detail_shown(detail=cells[detail_at], cleared=cleared)
        yield tuple(cells)
