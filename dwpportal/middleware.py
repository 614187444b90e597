"""Request-wide middleware: request ids and the one-line request log, and no-store caching."""

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("dwpportal.request")


class IdentifiedRequest(HttpRequest):
    """A request once RequestLogMiddleware has given it its id (audit.context reads it)."""

    request_id: str


class RequestLogMiddleware:
    """Gives each request an id (X-Request-ID) and logs one line when it ends.

    The line holds the resolved route pattern, never the raw path or query, so a NINO or a name
    typed into a URL cannot reach the logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: IdentifiedRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "ctx_request_id": request.request_id,
                "ctx_method": request.method,
                "ctx_route": match.route if match else "(unresolved)",
                "ctx_view": match.view_name if match else None,
                "ctx_status": response.status_code,
                "ctx_duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "ctx_user_id": user.pk if user is not None and user.is_authenticated else None,
                "ctx_htmx": bool(request.headers.get("HX-Request")),
            },
        )
        response["X-Request-ID"] = request.request_id
        return response


class NoStoreMiddleware:
    """Any page may hold customer data: never let a browser or proxy keep a copy.

    Static files never reach it (WhiteNoise answers them first), so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


class PermissionsPolicyMiddleware:
    """Turns off browser features the portal never uses (camera, microphone, location, payment…),
    so injected or third-party content could not use them either (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
