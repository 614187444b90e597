"""Writing access events. Every read of customer data calls access_record (selectors do it),
and every write of it too (services do it), from the AuditContext they were given. A change to a
colleague's role or team is recorded here too (colleague_role_change_record)."""

from typing import Any

from accounts.hooks import RoleChanged
from audit.context import AuditContext, Channel
from audit.models import AccessEvent

_READS = {
    AccessEvent.Action.VIEW_CUSTOMER,
    AccessEvent.Action.VIEW_FRAGMENT,
    AccessEvent.Action.SEARCH,
}


def access_record(
    *,
    action: str,
    what: str,
    audit: AuditContext,
    customer: Any = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AccessEvent:
    """Append one access event for the colleague (or task) acting in `audit`.

    A read through the REST API (a view, fragment or search) is recorded as API_READ, with the
    read it was in detail["read"], so the trail tells a colleague at the screen from a service
    holding a token. Refusals and changes keep their action.
    """
    detail = dict(detail or {})
    if action in _READS and audit.channel == Channel.API:
        detail["read"] = str(action)
        action = AccessEvent.Action.API_READ
    return AccessEvent.objects.create(
        user=audit.user,
        username=audit.username,
        action=action,
        channel=audit.channel,
        what=what,
        customer=customer,
        detail=detail,
        reason=reason,
        request_id=audit.request_id,
        client_address=audit.client_address,
        session_hash=audit.session_hash,
    )


def colleague_role_change_record(change: RoleChanged) -> None:
    """accounts.hooks.colleague_role_changed: who changed whose role and team, from what to
    what, as an access event (COLLEAGUE_CHANGE) in the admin's access audit."""
    source = change.source
    audit = AuditContext(
        user=source.by,
        channel=Channel(source.via),
        request_id=source.request_id,
        client_address=source.client_address,
    )
    access_record(
        audit=audit,
        action=AccessEvent.Action.COLLEAGUE_CHANGE,
        what="colleague role and team",
        detail={
            "colleague": change.colleague.get_username(),
            "colleague_id": change.colleague.pk,
            "added": change.added,
            "role": {"from": list(change.roles_before), "to": list(change.roles_after)},
            "team": {"from": change.team_before, "to": change.team_after},
        },
    )
