"""Writing access events. Every read of customer data calls access_record (selectors do it)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from audit.models import AccessEvent


def client_address_of(request: HttpRequest) -> str | None:
    """The colleague's address. X-Forwarded-For is believed only behind our own proxies.

    With TRUSTED_PROXY_HOPS = n (production: the number of proxies in front of the portal) the
    address is the n-th entry from the right of X-Forwarded-For, the one our outermost proxy saw;
    anything further left was written by the client and could be forged (e.g. to dodge lockout).
    """
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops] or None
    return request.META.get("REMOTE_ADDR") or None


_READS = {
    AccessEvent.Action.VIEW_CUSTOMER,
    AccessEvent.Action.VIEW_FRAGMENT,
    AccessEvent.Action.SEARCH,
}


def _through_api(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and "api" in match.namespaces


def access_record(
    *,
    request: HttpRequest,
    action: str,
    what: str,
    customer: Any = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AccessEvent:
    """Append one access event for the signed-in colleague making `request`.

    A read through the REST API (a view, fragment or search under the "api" URL namespace) is
    recorded as API_READ, with the read it was in detail["read"], so the trail tells a colleague
    at the screen from a service holding a token. Refusals and changes keep their action.
    """
    user = request.user
    detail = dict(detail or {})
    if action in _READS and _through_api(request):
        detail["read"] = str(action)
        action = AccessEvent.Action.API_READ
    return AccessEvent.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "(anonymous)",
        action=action,
        what=what,
        customer=customer,
        detail=detail,
        reason=reason,
        request_id=getattr(request, "request_id", ""),
        client_address=client_address_of(request),
    )
