"""Writing access events. Every read of customer data calls access_record (selectors do it),
and every write of it too (services do it), from the AuditContext they were given. Changes to a
colleague's role or team and to their access are recorded here too, as accounts announces them
(colleague_role_change_record, colleague_access_change_record)."""

from typing import Any

from accounts.hooks import AccessChanged, ColleagueChangeSource, RoleChanged
from accounts.models import User
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


def _audit_of(source: ColleagueChangeSource) -> AuditContext:
    """The audit context of a change accounts announced."""
    return AuditContext(
        user=source.by,
        channel=Channel(source.via),
        request_id=source.request_id,
        client_address=source.client_address,
        actor_label=source.label,
    )


def _colleague_named(colleague: User) -> dict[str, Any]:
    """Whose role or access changed, as the event keeps it: readable even if they are renamed."""
    return {
        "colleague": colleague.get_username(),
        "colleague_id": colleague.pk,
        "colleague_name": colleague.get_full_name(),
    }


def colleague_role_change_record(change: RoleChanged) -> None:
    """accounts.hooks.colleague_role_changed: who changed whose role and team, from what to
    what, as an access event (COLLEAGUE_CHANGE) in the admin's access audit."""
    access_record(
        audit=_audit_of(change.source),
        action=AccessEvent.Action.COLLEAGUE_CHANGE,
        what="colleague role and team",
        detail={
            **_colleague_named(change.colleague),
            "added": change.added,
            "role": {"from": list(change.roles_before), "to": list(change.roles_after)},
            "team": {"from": change.team_before, "to": change.team_after},
        },
    )


def colleague_access_change_record(change: AccessChanged) -> None:
    """accounts.hooks.colleague_access_changed: who disabled or enabled a colleague, ended their
    sessions, or issued or revoked their API token, as an access event (COLLEAGUE_ACCESS) in the
    admin's access audit. A token is named by its name and prefix, never its secret."""
    detail: dict[str, Any] = {**_colleague_named(change.colleague), "change": str(change.change)}
    if change.sessions_ended:
        detail["sessions_ended"] = change.sessions_ended
    if change.token is not None:
        detail["token"] = {
            "name": change.token.name,
            "prefix": change.token.prefix,
            "expires_at": change.token.expires_at.isoformat(),
        }
    access_record(
        audit=_audit_of(change.source),
        action=AccessEvent.Action.COLLEAGUE_ACCESS,
        what=f"colleague {change.change}",
        detail=detail,
    )
