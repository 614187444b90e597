"""Template tags for other pages: the customer page shows "ACS case exists: status"."""

from typing import Any

from django import template

from acs.selectors import REFER, acs_case_owner_for_customer, acs_case_summary_for_customer
from audit.context import AuditContext

register = template.Library()


def _audit(context: dict[str, Any]) -> AuditContext:
    """The audit context of the page being rendered: its view's, when it passed one."""
    given = context.get("audit")
    if isinstance(given, AuditContext):
        return given
    return AuditContext.from_request(context["request"])


@register.inclusion_tag("acs/includes/customer_case_status.html", takes_context=True)
def acs_case_status(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    """{% acs_case_status customer %}: whether an ACS case exists and its status (one query),
    with a link to refer; colleagues who manage cases also get a link to the case."""
    audit = _audit(context)
    return {
        "customer": customer,
        "case_summary": acs_case_summary_for_customer(customer=customer, audit=audit),
        "can_refer": audit.has_perm(REFER),
    }


@register.simple_tag(takes_context=True)
def acs_case_owner_name(context: dict[str, Any], customer: Any) -> str:
    """{% acs_case_owner_name customer as owner %}: the name of the ACSSL who owns the
    customer's active case, or "" (one query)."""
    owner = acs_case_owner_for_customer(customer=customer, audit=_audit(context))
    return (owner.get_full_name() or owner.get_username()) if owner else ""
