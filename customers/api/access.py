"""The customer access rule for API endpoints: the UI's own selector, with the reason a cleared
colleague gives for a restricted record sent in a header instead of a form."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request

from audit.context import AuditContext
from audit.models import AccessEvent
from core.api import AccessReasonRequired
from customers.models import Customer
from customers.selectors import ReasonRequired, customer_get_for_user
from customers.services import MIN_REASON_LENGTH

ACCESS_REASON_HEADER = "X-Access-Reason"
MAX_REASON_LENGTH = 1000  # as the reason form

ACCESS_REASON_PARAMETER = OpenApiParameter(
    name=ACCESS_REASON_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Why you need this restricted record (at least "
        f"{MIN_REASON_LENGTH} characters). Required for restricted records, which only "
        "cleared colleagues open; kept in the access audit with every read it allows. "
        "Ignored for other records."
    ),
)


def access_reason(request: Request) -> str:
    reason = request.headers.get(ACCESS_REASON_HEADER, "").strip()
    if reason and not MIN_REASON_LENGTH <= len(reason) <= MAX_REASON_LENGTH:
        raise exceptions.ValidationError(
            {
                ACCESS_REASON_HEADER: [
                    f"Say why you need to open this record, in {MIN_REASON_LENGTH} to "
                    f"{MAX_REASON_LENGTH} characters."
                ]
            }
        )
    return reason


def api_audit(request: Request) -> AuditContext:
    """The audit context of an API request, with the access reason sent in its header."""
    return AuditContext.from_request(request, reason=access_reason(request))


def customer_for_api(
    request: Request,
    public_id: uuid.UUID,
    *,
    what: str = "customer page",
    action: str = AccessEvent.Action.VIEW_CUSTOMER,
    audit: AuditContext | None = None,
) -> Customer:
    """customers.selectors.customer_get_for_user (role, restriction, audit), for the API.

    Its refusals become 403 (role, or restricted and not cleared: logged by the selector),
    403 access-reason-required (cleared, no reason sent) and 404. `audit` is the request's
    api_audit, when the endpoint has built it already.
    """
    if audit is None:
        audit = api_audit(request)
    with reason_refusals():
        return customer_get_for_user(public_id=public_id, audit=audit, what=what, action=action)


@contextmanager
def reason_refusals() -> Iterator[None]:
    """The selectors' ReasonRequired as the API's 403 access-reason-required problem."""
    try:
        yield
    except ReasonRequired as missing:
        raise AccessReasonRequired() from missing
