"""Reading the access audit: who looked at a customer's record."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from audit.models import AccessEvent

VIEW_HISTORY_PERMISSION = "audit.view_customer_access_history"


def can_see_customer_viewers(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(VIEW_HISTORY_PERMISSION))


def customer_viewers_for_user(*, customer: Any, user: Any) -> QuerySet[AccessEvent]:
    """Every recorded look at (or refusal of) this customer's record, newest first."""
    if not can_see_customer_viewers(user):
        raise PermissionDenied("Only team leaders see who viewed a record.")
    return (
        AccessEvent.objects.filter(customer=customer)
        .exclude(action=AccessEvent.Action.SEARCH)
        .only("occurred_at", "username", "action", "what", "reason")
        .order_by("-occurred_at", "-pk")
    )
