"""Session limits: an absolute 12-hour cap on top of the 30-minute idle timeout."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SIGNED_IN_AT = "signed_in_at"


class SessionLimitsMiddleware:
    """Signs a colleague out once their session is older than SESSION_ABSOLUTE_TIMEOUT_SECONDS.

    The idle timeout needs no code: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = time.time()
            elif time.time() - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, "You were signed out after 12 hours. Sign in again.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
