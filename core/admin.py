"""Admin plumbing every app's ModelAdmin can share."""

from typing import Any

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest


class CalendarSafeChangeList(ChangeList):
    """A change list whose date hierarchy treats a year, month or day past the calendar
    (?occurred_at__year=99999999999999999999999, or 9999 whose next year does not exist) as an
    incorrect lookup: the admin shows the list again with its "invalid filter" notice, never a
    500. Django catches only the ValueError of an impossible date, not the OverflowError of a
    huge number nor the end of the calendar reached when it works out where the range ends."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class CalendarSafeDateHierarchy:
    """Mixed into every ModelAdmin by the portal's admin site (dwpportal.admin)."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CalendarSafeChangeList
