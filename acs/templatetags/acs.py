"""Template tags for other pages: the customer page shows "ACS case exists: status"."""

from typing import Any

from django import template

from acs.selectors import acs_case_owner_for_customer, acs_case_summary_for_customer

register = template.Library()


@register.inclusion_tag("acs/includes/customer_case_status.html", takes_context=True)
def acs_case_status(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    """{% acs_case_status customer %}: whether an ACS case exists and its status (one query),
    with a link to refer; colleagues who manage cases also get a link to the case."""
    user = context["request"].user
    return {
        "customer": customer,
        "case_summary": acs_case_summary_for_customer(customer=customer, user=user),
        "can_refer": user.has_perm("acs.refer_customer"),
    }


@register.simple_tag
def acs_case_owner_name(customer: Any) -> str:
    """{% acs_case_owner_name customer as owner %}: the name of the ACSSL who owns the
    customer's active case, or "" (one query)."""
    owner = acs_case_owner_for_customer(customer=customer)
    return (owner.get_full_name() or owner.get_username()) if owner else ""
