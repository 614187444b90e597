"""Reading the access audit: who looked at a customer's record."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccessEvent

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
