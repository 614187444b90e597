"""Every date and time a colleague types goes into the GOV.UK date input (core.forms): no form of
the portal's apps, nor any form their Django admin builds, has a plain DateField, DateTimeField
or TimeField, or a date widget (a text box with no hint and no standard messages, or a browser
picker). Walked from the code, so a new form is checked without a test of its own."""

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

from accounts.models import User
from core.forms import GovukDateField, GovukDateInput
from tests.test_architecture import APPS

# Settings and server entry points hold no forms and are not imported outside their own process.
NOT_IMPORTED = {"dwpportal.settings", "dwpportal.wsgi", "dwpportal.asgi"}
DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField, forms.SplitDateTimeField)
DATE_WIDGETS = (
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.SelectDateWidget,
    forms.SplitDateTimeWidget,
)


def _import_all(package_name: str) -> None:
    """Import every module of a package (not its migrations), so each form class exists."""
    package = importlib.import_module(package_name)
    for module in pkgutil.iter_modules(package.__path__, f"{package_name}."):
        if module.name in NOT_IMPORTED or module.name.endswith(".migrations"):
            continue
        if module.ispkg:
            _import_all(module.name)
        else:
            importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _in_project(cls: type) -> bool:
    return cls.__module__.split(".")[0] in APPS


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def project_admins() -> "list[admin.ModelAdmin[Any]]":
    registered = admin.site._registry.values()
    return [model_admin for model_admin in registered if _in_project(type(model_admin))]


def project_form_classes() -> list[type[forms.BaseForm]]:
    """The form classes written in the portal's apps, but those a ModelAdmin uses as its form:
    the admin shows only some of their fields (the rest read-only), so they are checked as the
    admin builds them."""
    for app in APPS:
        _import_all(app)
    admin_bases = {getattr(model_admin, name, None) for model_admin in project_admins()
                   for name in ("form", "add_form")}  # fmt: skip
    found = {cls for cls in _subclasses(forms.BaseForm) if _in_project(cls)}
    return sorted(found - admin_bases, key=_name)


def admin_form_classes() -> list[tuple[str, type[forms.BaseForm]]]:
    """The forms the portal's ModelAdmins build (add and change, inlines, editable lists), each
    with the name it is reported by."""
    request: Any = RequestFactory().get("/admin/")
    request.user = User(username="date-input-check", is_active=True, is_staff=True,
                        is_superuser=True)  # fmt: skip
    built: list[tuple[str, type[forms.BaseForm]]] = []
    for model_admin in project_admins():
        shown_as = f"the admin's form for {model_admin.model.__name__}"
        adding = (None,) if model_admin.has_add_permission(request) else ()
        for obj in (*adding, model_admin.model()):
            built.append((shown_as, model_admin.get_form(request, obj, change=obj is not None)))
            for inline in model_admin.get_inline_instances(request, obj):
                built.append((f"{shown_as}, inline", inline.get_formset(request, obj).form))
        if model_admin.list_editable:
            built.append((f"{shown_as}, list", model_admin.get_changelist_formset(request).form))
    return built


def dates_not_govuk(form_class: type[forms.BaseForm], shown_as: str = "") -> list[str]:
    """The fields of a form class for a date or time that are not the GOV.UK date input."""
    wrong = []
    fields: dict[str, forms.Field] = getattr(form_class, "base_fields", {})
    for name, field in fields.items():
        if isinstance(field, GovukDateField):
            plain = not isinstance(field.widget, GovukDateInput)
        else:
            plain = isinstance(field, DATE_FIELDS) or isinstance(field.widget, DATE_WIDGETS)
        if plain:
            where = shown_as or _name(form_class)
            wrong.append(f"{where}.{name}: {type(field).__name__}, {type(field.widget).__name__}")
    return wrong


def test_every_portal_form_takes_dates_in_the_govuk_date_input():
    classes = project_form_classes()
    # The walk finds the forms (a search form, a referral, a support need and a sign-in).
    names = {cls.__name__ for cls in classes}
    assert {"CustomerSearchForm", "ReferralForm", "SupportNeedForm", "SignInForm"} <= names
    wrong = [problem for cls in classes for problem in dates_not_govuk(cls)]
    assert wrong == [], "Use core.forms.GovukDateField / GovukDateTimeField:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_every_admin_form_takes_dates_in_the_govuk_date_input():
    built = admin_form_classes()
    assert len(built) >= len(project_admins())
    wrong = [problem for shown_as, cls in built for problem in dates_not_govuk(cls, shown_as)]
    advice = "Make the field read-only, or a core.forms.GovukDateField:\n"
    assert wrong == [], advice + "\n".join(wrong)


class _PlainDates(forms.Form):
    born_on = forms.DateField()
    seen_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    called_at = forms.TimeField()
    typed = forms.CharField(widget=forms.DateInput)
    fine = GovukDateField(label="Due date")
    wrong_widget = GovukDateField(label="Due date", widget=forms.TextInput)


def test_the_check_finds_each_kind_of_plain_date():
    found = dates_not_govuk(_PlainDates)
    assert [problem.split(":")[0].rsplit(".", 1)[1] for problem in found] == [
        "born_on",
        "seen_at",
        "called_at",
        "typed",
        "wrong_widget",
    ]
