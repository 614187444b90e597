"""Who may open a customer record: the role, the restricted-record clearance and the reason.

Every function here that returns a customer writes the access event (or the refusal) from the
AuditContext it is given; callers never check access themselves.
"""

import uuid
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Customer

VIEW_CUSTOMER_PERMISSION = "customers.view_customer"
VIEW_RESTRICTED_PERMISSION = "customers.view_restricted_customer"
RECORD_INTERACTION_PERMISSION = "customers.add_interaction"


class RestrictedRecord(PermissionDenied):
    """The record is restricted and the colleague is not cleared to open it."""


class ReasonNotNeeded(Exception):
    """The record is not restricted: it opens without a reason."""


class ReasonRequired(Exception):
    """The colleague may open this restricted record, but must first say why."""

    def __init__(self, customer: Customer) -> None:
        super().__init__("A reason is needed to open this restricted record.")
        self.customer = customer


def restricted_record_cleared(audit: AuditContext) -> bool:
    """Whether the colleague's role is cleared for restricted records (ACSSLs and team leaders:
    accounts.roles). Cleared colleagues still give a reason to open one; anything else that
    shows a restricted customer's data hides it from those not cleared."""
    return audit.has_perm(VIEW_RESTRICTED_PERMISSION)


def customer_access_require(*, audit: AuditContext, what: str) -> None:
    """Refuse (and log the refusal) unless the colleague's role opens customer records."""
    if not audit.has_perm(VIEW_CUSTOMER_PERMISSION):
        customer_access_refuse(
            audit=audit,
            what=what,
            why="role may not view customers",
            message="Your role does not open customer records.",
        )


def customer_access_refuse(
    *,
    audit: AuditContext,
    what: str,
    why: str,
    customer: Customer | None = None,
    public_id: uuid.UUID | str | None = None,
    message: str = "",
    refusal: type[PermissionDenied] = PermissionDenied,
) -> NoReturn:
    """Refuse `what` for a reason decided above (`why`: e.g. the colleague's role may not see
    who viewed a record): the one way a refusal is logged, as a REFUSED access event against the
    customer (`customer`, or the one with `public_id`; none for a refusal about no customer).
    Raises `refusal` with `message` (by default `why` as a sentence). Nothing of the record is
    read, so no reason for a restricted record is asked first."""
    if customer is None and public_id is not None:
        customer = Customer.objects.filter(public_id=public_id).only("pk").first()
    access_record(
        audit=audit,
        action=AccessEvent.Action.REFUSED,
        what=what,
        customer=customer,
        detail={"why": why},
    )
    raise refusal(message or why[:1].upper() + why[1:] + ".")


def _restricted_refuse(*, audit: AuditContext, customer: Customer, what: str) -> NoReturn:
    customer_access_refuse(
        audit=audit,
        what=what,
        why="restricted record",
        customer=customer,
        message="This record is restricted.",
        refusal=RestrictedRecord,
    )


def customer_get_for_user(
    *,
    public_id: uuid.UUID | str,
    audit: AuditContext,
    what: str = "customer page",
    action: str = AccessEvent.Action.VIEW_CUSTOMER,
) -> Customer:
    """The customer, with every award loaded, if the colleague in `audit` may see it; audited
    either way. The reason for a restricted record is `audit.reason_for(public_id)`.

    Raises PermissionDenied (role without customer access), RestrictedRecord (restricted and
    not cleared; the refusal is logged), ReasonRequired (cleared, but no reason given yet in
    this session) or Http404.
    """
    customer_access_require(audit=audit, what=what)
    customer = (
        Customer.objects.select_related(*_one_to_one_relations())
        .filter(public_id=public_id)
        .first()
    )
    if customer is None:
        raise Http404("No such customer.")
    given = ""
    if customer.restricted:
        if not restricted_record_cleared(audit):
            _restricted_refuse(audit=audit, customer=customer, what=what)
        given = audit.reason_for(customer.public_id)
        if not given:
            raise ReasonRequired(customer)
    access_record(audit=audit, action=action, what=what, customer=customer, reason=given)
    return customer


def _one_to_one_relations() -> list[str]:
    """The rows that hang one-to-one off a customer (each benefit's award, defined in apps
    above this one), loaded with it in the same query as the customer page needs them."""
    return [
        rel.get_accessor_name() or rel.name
        for rel in Customer._meta.related_objects
        if rel.one_to_one
    ]


def customer_get_for_reason(*, public_id: uuid.UUID | str, audit: AuditContext) -> Customer:
    """The customer whose restricted record a cleared colleague is about to give a reason for.

    Shows nothing of the record (the reason page shows no customer data), so it is not a view;
    a colleague who is not cleared is refused and the refusal logged. ReasonNotNeeded: the
    record is not restricted.
    """
    what = "restricted record reason"
    customer_access_require(audit=audit, what=what)
    customer = Customer.objects.filter(public_id=public_id).only("public_id", "restricted").first()
    if customer is None:
        raise Http404("No such customer.")
    if not customer.restricted:
        raise ReasonNotNeeded()
    if not restricted_record_cleared(audit):
        _restricted_refuse(audit=audit, customer=customer, what=what)
    return customer
