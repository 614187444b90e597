"""What the support_needs app announces to the apps above it (see core/hooks.py)."""

from dataclasses import dataclass

from audit.context import AuditContext
from core.hooks import Hook
from customers.models import Customer


@dataclass(frozen=True, slots=True)
class ReferralRequested:
    """A customer must be referred to an ACSSL: a Six Point Plan, or a support signal."""

    customer: Customer
    audit: AuditContext  # the colleague (or the sync task) the referral comes from
    reason: str
    urgency: str  # acs Urgency code
    categories: tuple[str, ...]  # acs CaseCategory codes
    customer_agreed: str
    source: str  # "six_point_plan" or "signal"


referral_requested: Hook[ReferralRequested, int] = Hook(
    "support_needs.referral_requested",
    "Support needs want a customer referred to an ACSSL, inside the recording transaction. "
    "acs answers with the id of the referral it created (joining the customer's open case, "
    "or starting one).",
)


@dataclass(frozen=True, slots=True)
class RestrictedContactAsked:
    """The support-needs panel hides a restricted marker from a colleague and must say whom
    to speak to before any decision or contact."""

    customer: Customer
    audit: AuditContext  # the colleague the panel is for


restricted_contact_asked: Hook[RestrictedContactAsked, str | None] = Hook(
    "support_needs.restricted_contact_asked",
    "The support-needs panel (page or API) hides something restricted and names whom to speak "
    "to. acs answers with the name of the ACSSL who owns the customer's active ACS case, or "
    "None when no one does.",
)
