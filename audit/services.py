"""Writing access events. Every read of customer data calls access_record (selectors do it)."""

from typing import Any

from django.http import HttpRequest

from audit.models import AccessEvent


def client_address_of(request: HttpRequest) -> str | None:
    # Behind the production proxy REMOTE_ADDR is the proxy; it sets X-Forwarded-For, whose
    # last entry is the address the proxy saw. Locally there is no proxy.
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def access_record(
    *,
    request: HttpRequest,
    action: str,
    what: str,
    customer: Any = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AccessEvent:
    """Append one access event for the signed-in colleague making `request`."""
    user = request.user
    return AccessEvent.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "(anonymous)",
        action=action,
        what=what,
        customer=customer,
        detail=detail or {},
        reason=reason,
        request_id=getattr(request, "request_id", ""),
        client_address=client_address_of(request),
    )
