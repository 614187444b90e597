"""Facts about an HTTP request that more than one app needs (the colleague's address, the htmx
details)."""

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The type of a request that has passed django-htmx's middleware (`request.htmx`): every
    view's, and every middleware's placed after it in settings.MIDDLEWARE."""

    htmx: HtmxDetails


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
