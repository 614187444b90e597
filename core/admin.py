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


_calendar_safe: dict[type[ChangeList], type[ChangeList]] = {}


def calendar_safe(change_list: type[ChangeList]) -> type[ChangeList]:
    """`change_list` (an admin's own ChangeList subclass, or Django's) made calendar-safe."""
    if issubclass(change_list, CalendarSafeChangeList):
        return change_list
    if change_list not in _calendar_safe:
        made = type(change_list.__name__, (CalendarSafeChangeList, change_list), {})
        _calendar_safe[change_list] = made
    return _calendar_safe[change_list]


class CalendarSafeDateHierarchy:
    """Mixed into every ModelAdmin by the portal's admin site (dwpportal.admin): whatever change
    list the admin uses (its own subclass, or Django's), made calendar-safe."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        chosen: type[ChangeList] = super().get_changelist(request, **kwargs)  # type: ignore[misc]
        return calendar_safe(chosen)


class LabelledListEditable:
    """For a ModelAdmin with list_editable: each input in the change list gets an accessible
    name, the column's title and the row's object ("Order for Shelter"), as a table cell's
    input has no label of its own."""

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        formset = super().get_changelist_formset(request, **kwargs)  # type: ignore[misc]
        base_form = formset.form

        class LabelledForm(base_form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                for name, form_field in self.fields.items():
                    if form_field.widget.is_hidden:
                        continue
                    title = str(form_field.label or name).capitalize()
                    form_field.widget.attrs["aria-label"] = f"{title} for {self.instance}"

        formset.form = LabelledForm
        return formset
