"""Template filters for legacy codes: `{{ a.group|code_label:"esa.group" }}` (benefits.labels)."""

import datetime as dt
from collections.abc import Mapping

from django import template

from benefits.labels import code_label as _code_label
from benefits.labels import item_code

register = template.Library()


@register.filter
def code_label(value: object, family: str) -> str:
    """The plain-English label of a source's code; `family` is "<source>.<family>". A synced
    list item (a UC element, deduction or sanction) is labelled by its code."""
    source, _, name = family.partition(".")
    code = item_code(value) if isinstance(value, Mapping) else value
    return _code_label(source, name, code)


@register.filter
def iso_day(value: object) -> dt.date | str:
    """A date a source sent as ISO text inside a list item ("2026-05-01"), as a date."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
