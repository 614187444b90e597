"""Template tags for the support-needs panel and need icons, for other apps' pages to include.

{% load support_needs %}
{% support_needs_panel customer %}          the whole panel (the customer page)
{% need_icons customer %}                   icons for one customer (the identity bar)
{% need_icons_load customers as icons %}    icons for a page of search results, one query,
{% need_icons customer icons %}             then per result without another query
{% six_point_plans customer %}              what each Six Point Plan captured (cleared only)
"""

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from audit.context import AuditContext
from support_needs.models import SupportNeed
from support_needs.selectors import (
    need_icons_for_customers,
    six_point_plans_for_customer,
    support_need_panel,
)

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    return "" if pence is None else f"£{pence / 100:,.2f}"


@register.filter
def field_label(name: str) -> str:
    """A need's field name as history shows it (e.g. format_detail -> Format detail)."""
    try:
        model_field = SupportNeed._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(model_field, models.Field):
        return str(model_field.verbose_name).capitalize()
    return name.replace("_", " ").capitalize()


def _audit(context: template.Context) -> AuditContext:
    """The audit context of the page being rendered: its view's, when it passed one."""
    given = context.get("audit")
    if isinstance(given, AuditContext):
        return given
    return AuditContext.from_request(context["request"])


@register.inclusion_tag("support_needs/_panel.html", takes_context=True)
def support_needs_panel(context: template.Context, customer: Any) -> dict[str, Any]:
    request = context["request"]
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "customer": customer,
        "panel": support_need_panel(customer=customer, audit=_audit(context)),
    }


@register.inclusion_tag("support_needs/_six_point_plans.html", takes_context=True)
def six_point_plans(context: template.Context, customer: Any) -> dict[str, Any]:
    """What each Six Point Plan captured, for colleagues cleared to read it (the selector
    decides and logs the look); nothing at all for anyone else."""
    return {"plans": six_point_plans_for_customer(customer=customer, audit=_audit(context))}


@register.simple_tag(takes_context=True)
def need_icons_load(context: template.Context, customers: Any) -> dict[int, list]:
    ids = [getattr(c, "customer", c).pk for c in customers]
    return need_icons_for_customers(customer_ids=ids, audit=_audit(context))


@register.inclusion_tag("support_needs/_need_icons.html", takes_context=True)
def need_icons(context: template.Context, customer: Any, loaded: dict | None = None) -> dict:
    if loaded is None:
        loaded = need_icons_for_customers(customer_ids=[customer.pk], audit=_audit(context))
    return {"icons": loaded.get(customer.pk, [])}
