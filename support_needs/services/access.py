"""Who may change support needs, signals and safeguards: the checks every write makes first,
and the access-audit entry every write leaves."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Customer
from support_needs.models import SupportNeed, SupportSignal
from support_needs.selectors import RECORD_NEED, VIEW_RESTRICTED_CUSTOMER, VIEW_RESTRICTED_NEED


def recorder_require(*, audit: AuditContext, customer: Customer) -> User:
    """The colleague, whose role records support needs and who may open this customer's record."""
    if audit.user is None or not audit.has_perm(RECORD_NEED):
        raise PermissionDenied("Your role cannot record support needs.")
    if customer.restricted and not audit.has_perm(VIEW_RESTRICTED_CUSTOMER):
        raise PermissionDenied("Restricted record: you are not cleared to open it.")
    return audit.user


def restricted_needs_cleared(audit: AuditContext) -> bool:
    return audit.has_perm(VIEW_RESTRICTED_NEED)


def need_access_require(*, audit: AuditContext, need: SupportNeed) -> None:
    recorder_require(audit=audit, customer=need.customer)
    if need.need_type.restricted and not restricted_needs_cleared(audit):
        raise PermissionDenied("Restricted marker: only an ACSSL or team leader can change it.")


def signal_access_require(*, audit: AuditContext, signal: SupportSignal) -> None:
    recorder_require(audit=audit, customer=signal.customer)
    if signal.restricted and not restricted_needs_cleared(audit):
        raise PermissionDenied("Restricted signal: only an ACSSL or team leader can act on it.")


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
