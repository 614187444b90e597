"""The session timeout warning's server side: when the warning shows, and "Stay signed in".

A colleague is signed out after SESSION_COOKIE_AGE seconds without a request (the idle timeout,
30 minutes). templates/includes/timeout_warning.html warns SESSION_TIMEOUT_WARNING_SECONDS (two
minutes) before; "Stay signed in" posts here, which is itself a request, so the session's expiry
starts again (SESSION_SAVE_EVERY_REQUEST). The page is not reloaded: what the colleague typed
stays where it is.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

DEFAULT_WARNING_SECONDS = 2 * 60


def timeout_settings() -> dict[str, int]:
    """Seconds of idleness before sign-out, and how long before it the warning shows."""
    timeout = int(settings.SESSION_COOKIE_AGE)
    warning = int(getattr(settings, "SESSION_TIMEOUT_WARNING_SECONDS", DEFAULT_WARNING_SECONDS))
    return {"timeout": timeout, "warning": min(warning, timeout)}


@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """Starts the idle timeout again for a signed-in colleague; 401 once they are signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session.modified = True
    return JsonResponse({"signed_in": True, "expires_in": timeout_settings()["timeout"]})
