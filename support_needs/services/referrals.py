"""Referring a customer to an ACSSL: support needs announce it (support_needs.hooks) and the
ACS app, which listens, opens or joins the customer's case."""

from audit.context import AuditContext
from customers.models import Customer
from support_needs.hooks import ReferralRequested, referral_requested


def acs_referral_request(
    *,
    customer: Customer,
    audit: AuditContext,
    reason: str,
    urgency: str,
    categories: tuple[str, ...],
    customer_agreed: str,
    source: str,
) -> int | None:
    """The id of the referral the listener created, or None when nothing listens (the ACS app
    is not installed). Runs in the caller's transaction: a refused referral rolls back the
    write that asked for it."""
    answers = referral_requested.announce(
        ReferralRequested(
            customer=customer,
            audit=audit,
            reason=reason,
            urgency=urgency,
            categories=categories,
            customer_agreed=customer_agreed,
            source=source,
        )
    )
    return answers[0] if answers else None
