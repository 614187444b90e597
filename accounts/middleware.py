"""Session limits: the 30-minute idle timeout and an absolute 12-hour cap.

Idle means no request the colleague made. A page's timed htmx polls (the ACSSL's untriaged
count, the sync progress) send `X-Poll: 1` and are not activity: without that, a page left open
on a polling screen would keep its session for ever.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVE_AT = "last_active_at"
POLL_HEADER = "X-Poll"


def is_poll(request: HttpRequest) -> bool:
    """A request the page makes on a timer, not one the colleague made (see the module)."""
    return request.headers.get(POLL_HEADER) == "1"


class SessionLimitsMiddleware:
    """Signs a colleague out after SESSION_COOKIE_AGE seconds with no request of theirs (polls
    do not count), or once their session is older than SESSION_ABSOLUTE_TIMEOUT_SECONDS.

    SESSION_SAVE_EVERY_REQUEST still renews the cookie and the stored session on each request;
    the idle rule is the last-activity time kept here, which only the colleague's requests move.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.get(SIGNED_IN_AT)
            last_active_at = request.session.get(LAST_ACTIVE_AT)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                return _sign_out(request, "You were signed out after 12 hours. Sign in again.")
            if last_active_at is not None and now - last_active_at > settings.SESSION_COOKIE_AGE:
                minutes = round(settings.SESSION_COOKIE_AGE / 60)
                return _sign_out(
                    request,
                    f"You were signed out after {minutes} minutes without activity. Sign in again.",
                )
            if not is_poll(request):
                request.session[LAST_ACTIVE_AT] = now
        return self.get_response(request)


def _sign_out(request: HttpRequest, message: str) -> HttpResponse:
    logout(request)
    messages.info(request, message)
    if request.headers.get("HX-Request") == "true":
        # The whole page goes to sign-in, not the sign-in page into the fragment htmx asked for.
        return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
    return redirect(settings.LOGIN_URL)
