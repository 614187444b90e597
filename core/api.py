"""API plumbing shared by every app's endpoints: problem-details errors and per-token throttling."""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, pagination, parsers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

PROBLEM_CONTENT_TYPE = "application/problem+json"
BODY_TOO_LARGE = "The request body is larger than this service accepts."
TOO_DEEP = "The JSON is nested too deeply."
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
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(BODY_TOO_LARGE)
    elif isinstance(exc, DjangoValidationError):
        # A service refused the input: the same messages the HTML forms show, as field errors.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (also problem+json for /api/)
    request = context.get("request")
    body = problem(response.status_code, _detail_text(exc))
    if isinstance(exc, exceptions.ValidationError):
        # field -> messages, for the caller to show (a bare list is about the whole request)
        detail = exc.detail
        body["errors"] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    if slug := getattr(exc, "problem_slug", ""):
        body["type"] = PROBLEM_TYPE_BASE + slug
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


class StrictJSONParser(parsers.JSONParser):
    """JSON whose text PostgreSQL can store: a lone surrogate ("\\ud800" is valid JSON) would
    otherwise fail only when saved, as a 500. JSON nested deeper than Python's recursion limit
    (100,000 "[") is refused as a parse error rather than a RecursionError."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError as error:
            raise exceptions.ParseError(TOO_DEEP) from error
        except UnicodeEncodeError as error:
            raise exceptions.ParseError("The JSON holds text that is not valid Unicode.") from error
        return data


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


# --- For the endpoints: the error body and pages as the schema documents them --------------


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every API error is answered."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    # The field shadows Serializer.errors in the stubs; this serializer only documents the schema.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        required=False,
        help_text="For 400: each field's messages (non_field_errors: about the whole request).",
    )


PROBLEM_DESCRIPTIONS = {
    400: "Invalid input: see `errors`.",
    401: "No valid credentials (a bearer token or a session).",
    403: "The colleague's role or clearance does not allow it (or a reason is needed).",
    404: "No such object, or an invalid page.",
    415: "Send JSON (`Content-Type: application/json`).",
    429: "Too many requests for this token: wait for `Retry-After` seconds.",
}


def problem_responses(*codes: int) -> dict[Any, OpenApiResponse]:
    """The problem answers an operation can give, for extend_schema(responses=...).

    401 and 429 are always possible (every endpoint needs credentials and is throttled).
    """
    wanted = sorted({401, 429, *codes})
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=PROBLEM_DESCRIPTIONS[code]
        )
        for code in wanted
    }


class ApiPagination(pagination.PageNumberPagination):
    """?page=N (25 a page, or ?page_size= up to 100)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class AccessReasonRequired(exceptions.PermissionDenied):
    """A cleared colleague opens a restricted record: the request must say why."""

    default_detail = "This record is restricted: say why you need it in the X-Access-Reason header."
    problem_slug = "access-reason-required"
