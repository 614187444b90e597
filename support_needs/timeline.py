"""Support-need changes as customer timeline entries (customer_view lists this source)."""

import datetime as dt

from audit.context import AuditContext
from customers.models import Customer
from customers.timeline import TimelineEntry
from support_needs.models import Sensitivity, SupportNeedChange
from support_needs.selectors import can_view_restricted_needs

# A change to a need as the timeline words it after the need's name ("Mental health: received
# from Universal Credit"); the action labels themselves start sentences elsewhere.
ACTION_PHRASES: dict[str, str] = {
    SupportNeedChange.Action.RECORDED: "recorded",
    SupportNeedChange.Action.UPDATED: "updated",
    SupportNeedChange.Action.REVIEWED: "reviewed",
    SupportNeedChange.Action.ENDED: "ended",
    SupportNeedChange.Action.UC_ADDED: "received from Universal Credit",
    SupportNeedChange.Action.UC_CHANGED: "changed in Universal Credit",
    SupportNeedChange.Action.UC_REMOVED: "removed in Universal Credit",
    SupportNeedChange.Action.EXPIRED: "marker lapsed",
}


def support_need_entries(
    *,
    customer: Customer,
    audit: AuditContext,
    benefit: str,
    limit: int,
    since: dt.datetime | None,
) -> list[TimelineEntry]:
    """Newest-first changes to the customer's needs, in one query. A colleague without clearance
    sees that a restricted marker changed, never which one or what. `customer` was opened
    through the customer selector, which audited the read."""
    if benefit:
        return []  # needs apply across every benefit
    changes = (
        SupportNeedChange.objects.filter(need__customer=customer)
        .select_related("need__need_type", "by")
        .order_by("-at", "-pk")
    )
    if since is not None:
        changes = changes.filter(at__gt=since)
    cleared = can_view_restricted_needs(audit.user)
    entries = []
    for change in changes[:limit]:
        need_type = change.need.need_type
        restricted = need_type.sensitivity == Sensitivity.RESTRICTED
        if restricted and not cleared:
            title, description = "Restricted marker changed", "Ask an ACSSL or team leader."
        else:
            action = ACTION_PHRASES.get(change.action, change.get_action_display().lower())
            title = f"{need_type.name}: {action}"
            description = change.note
        if change.by:
            byline = change.by.get_full_name() or change.by.get_username()
        else:
            byline = "UC sync" if change.sync_run_id else ""
        entries.append(
            TimelineEntry(
                occurred_at=change.at,
                type="support_need",
                title=title,
                description=description,
                byline=byline,
                warning="Restricted marker" if restricted else "",
                actor_id=change.by_id,
            )
        )
    return entries
