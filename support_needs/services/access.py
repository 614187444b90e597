"""Who may change support needs, signals and safeguards: the checks every write makes first
(each refusal logged), and the access-audit entry every write leaves."""

from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Customer
from customers.selectors.access import customer_access_refuse
from support_needs.models import SupportNeed, SupportSignal
from support_needs.selectors import (
    RECORD_NEED,
    ROLE_MAY_NOT_RECORD,
    ROLE_MAY_NOT_RECORD_MESSAGE,
    VIEW_RESTRICTED_CUSTOMER,
    VIEW_RESTRICTED_NEED,
)


def recorder_require(*, audit: AuditContext, customer: Customer, what: str) -> User:
    """The colleague, whose role records support needs and who may open this customer's record.
    A refusal of `what` is logged against the customer."""
    if audit.user is None or not audit.has_perm(RECORD_NEED):
        customer_access_refuse(
            audit=audit,
            what=what,
            why=ROLE_MAY_NOT_RECORD,
            customer=customer,
            message=ROLE_MAY_NOT_RECORD_MESSAGE,
        )
    if customer.restricted and not audit.has_perm(VIEW_RESTRICTED_CUSTOMER):
        customer_access_refuse(
            audit=audit,
            what=what,
            why="restricted record",
            customer=customer,
            message="Restricted record: you are not cleared to open it.",
        )
    return audit.user


def marker_clearance_require(
    *, audit: AuditContext, customer: Customer, what: str, message: str
) -> None:
    """Refuse (and log) `what`, about something restricted, unless the colleague is cleared
    for markers. The refusal says a restricted marker stood in the way, never which one."""
    if not audit.has_perm(VIEW_RESTRICTED_NEED):
        customer_access_refuse(
            audit=audit, what=what, why="restricted marker", customer=customer, message=message
        )


def need_access_require(*, audit: AuditContext, need: SupportNeed, what: str) -> None:
    recorder_require(audit=audit, customer=need.customer, what=what)
    if need.need_type.restricted:
        marker_clearance_require(
            audit=audit,
            customer=need.customer,
            what=what,
            message="Restricted marker: only an ACSSL or team leader can change it.",
        )


def signal_access_require(*, audit: AuditContext, signal: SupportSignal, what: str) -> None:
    recorder_require(audit=audit, customer=signal.customer, what=what)
    if signal.restricted:
        marker_clearance_require(
            audit=audit,
            customer=signal.customer,
            what=what,
            message="Restricted signal: only an ACSSL or team leader can act on it.",
        )


def text_require(value: str | None, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    return value


def change_record(
    *, audit: AuditContext, customer: Customer, what: str, detail: dict[str, Any]
) -> None:
    """The access-audit entry for a change to the customer's support needs."""
    access_record(
        audit=audit,
        action=AccessEvent.Action.CHANGE,
        what=what,
        customer=customer,
        detail=detail,
    )
