"""Reading the access audit: who looked at a customer's record, and the audit in admin (each
read of it audited, a restricted marker's type hidden from colleagues not cleared for markers)."""

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record

VIEW_HISTORY_PERMISSION = "audit.view_customer_access_history"


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


# --- The access audit in admin ----------------------------------------------------------------

# Who is cleared for restricted support-need markers (the permission support_needs defines).
MARKER_CLEARANCE_PERMISSION = "support_needs.view_restricted_need"
# Event kinds whose name alone tells a marker exists, shown to colleagues not cleared as this.
MARKER_WHATS = {"six point plan recorded": "restricted marker recorded"}
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


def access_event_detail_shown(*, detail: object, cleared: bool) -> object:
    """The event's detail as this colleague may read it: a marker's type hidden unless cleared."""
    if cleared or not isinstance(detail, dict):
        return detail
    return {key: HIDDEN if key in MARKER_DETAIL_KEYS else value for key, value in detail.items()}


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
