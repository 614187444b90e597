"""API plumbing shared by every app's endpoints: problem-details errors and per-token throttling."""

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://dwpportal.example/problems/"

TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal error",
}


def problem(status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem-details body."""
    slug = TITLES.get(status_code, "error").lower().replace(" ", "-")
    return {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        **extra,
    }


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: rest_framework.views reads the API settings, which name this module.
    from rest_framework.views import exception_handler

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (also problem+json for /api/)
    request = context.get("request")
    body = problem(response.status_code, _detail_text(exc))
    if isinstance(exc, exceptions.ValidationError):
        body["errors"] = exc.detail  # field -> messages, for the caller to show
    if request is not None:
        body["instance"] = request.path
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _detail_text(exc: Exception) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "The request has invalid fields; see errors."
    if isinstance(exc, exceptions.APIException):
        return str(exc.detail)
    return str(exc)


def problem_response(request: HttpRequest, status_code: int, detail: str) -> JsonResponse:
    """For Django's own 404/500 handlers when the path is under /api/."""
    return JsonResponse(
        problem(status_code, detail, instance=request.path),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


class PerTokenRateThrottle(SimpleRateThrottle):
    """Rate limit per API token (or per colleague for browser sessions), counted in Redis."""

    scope = "per_token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if token is not None and hasattr(token, "prefix"):
            ident = f"token:{token.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
