"""Template filters for customer pages: money in pence, ages, NINOs, benefit names."""

import datetime as dt

from django import template
from django.utils import timezone

from customers.models import Benefit
from customers.nino import format_nino

register = template.Library()


@register.filter
def pounds(pence: int | str | None) -> str:
    """12345 -> "£123.45"; -500 -> "-£5.00"; None or "" (a missing template value) -> ""."""
    if pence is None or pence == "":
        return ""
    pence = int(pence)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) / 100:,.2f}"


@register.filter
def age(date_of_birth: dt.date | None, on: dt.date | None = None) -> int | str:
    """Age in whole years today (or on `on`, e.g. the date of death)."""
    if not date_of_birth:
        return ""
    today = on or timezone.localdate()
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@register.filter
def moment(value: dt.datetime | None, style: str = "long") -> str:
    """A moment in London time, GOV.UK style: "1 December 2026 at 4:47pm" ("short": "1 Dec").

    Django's "a" gives "p.m.", which doubles up before a full stop.
    """
    if not value:
        return ""
    local = timezone.localtime(value)
    day = f"{local.day} {local:%b %Y}" if style == "short" else f"{local.day} {local:%B %Y}"
    return f"{day} at {local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def nino(value: str) -> str:
    return format_nino(value or "")


@register.filter
def benefit_label(code: str) -> str:
    try:
        return Benefit(code).label
    except ValueError:
        return code


@register.filter
def benefit_short(code: str) -> str:
    return code.upper() if code in Benefit.values else code
