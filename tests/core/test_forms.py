"""The shared GOV.UK form pieces: date inputs, specific messages, error-summary links, markup."""

import datetime as dt
import importlib

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import timezone

from core.forms import GovukDateField, GovukDateInput, GovukDateTimeField, GovukForm


class DueForm(GovukForm):
    due_on = GovukDateField(label="Due date")


class OptionalDateForm(GovukForm):
    seen_on = GovukDateField(label="Date seen", required=False)


class WhenForm(GovukForm):
    occurred_at = GovukDateTimeField(label="When it happened", subject="The date and time")


class MixedForm(GovukForm):
    contact_number = forms.CharField(label="Contact number")
    urgency = forms.ChoiceField(
        label="How urgent", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    team = forms.ChoiceField(label="Team", choices=[("", "Choose"), ("t", "T")])
    due_on = GovukDateField(label="Due date")


FULLWIDTH_2027 = "\uff12\uff10\uff12\uff17"  # digits, but not ASCII ones


def parts(prefix: str, day: str = "", month: str = "", year: str = "") -> dict[str, str]:
    return {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}


def test_a_whole_date_is_read_from_its_three_boxes():
    form = DueForm(parts("due_on", "7", "03", "2027"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["due_on"] == dt.date(2027, 3, 7)


def test_an_iso_date_under_the_field_name_is_still_read():
    form = DueForm({"due_on": "2027-03-07"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["due_on"] == dt.date(2027, 3, 7)


@pytest.mark.parametrize(
    ("data", "message", "target"),
    [
        (parts("due_on"), "Enter the due date", "id_due_on_0"),
        (parts("due_on", "7", "", "2027"), "Due date must include a month", "id_due_on_1"),
        (parts("due_on", "", "", "2027"), "Due date must include a day and month", "id_due_on_0"),
        (parts("due_on", "7", "3", ""), "Due date must include a year", "id_due_on_2"),
        (parts("due_on", "31", "2", "2027"), "Due date must be a real date", "id_due_on_0"),
        (parts("due_on", "7", "13", "2027"), "Due date must be a real date", "id_due_on_0"),
        (parts("due_on", "x", "3", "2027"), "Due date must be a real date", "id_due_on_0"),
        (parts("due_on", "7", "3", "27"), "Year must include 4 numbers", "id_due_on_2"),
        (parts("due_on", "7", "3", "99999"), "Year must include 4 numbers", "id_due_on_2"),
        (parts("due_on", "7", "3", FULLWIDTH_2027), "Due date must be a real date", "id_due_on_0"),
        ({"due_on": "not-a-date"}, "Due date must be a real date", "id_due_on_0"),
        (parts("due_on", "1", "1", "0000"), "Due date must be a real date", "id_due_on_0"),
    ],
)
def test_a_wrong_date_gets_the_design_system_message_linked_to_the_part_at_fault(
    data, message, target
):
    form = DueForm(data)
    assert not form.is_valid()
    assert form.errors["due_on"] == [message]
    assert form.error_summary == [(target, message)]


def test_only_the_missing_part_is_marked_in_error_but_a_not_real_date_marks_all():
    missing_month = DueForm(parts("due_on", "7", "", "2027"))
    missing_month.is_valid()
    assert [p["error"] for p in missing_month["due_on"].parts] == [False, True, False]
    not_real = DueForm(parts("due_on", "31", "2", "2027"))
    not_real.is_valid()
    assert [p["error"] for p in not_real["due_on"].parts] == [True, True, True]


def test_an_optional_date_left_empty_is_none():
    form = OptionalDateForm(parts("seen_on"))
    assert form.is_valid()
    assert form.cleaned_data["seen_on"] is None


def test_a_date_and_time_is_read_in_the_service_time_zone():
    form = WhenForm({**parts("occurred_at", "29", "3", "2026"), "occurred_at_hour": "14",
                     "occurred_at_minute": "05"})  # fmt: skip
    assert form.is_valid(), form.errors
    moment = form.cleaned_data["occurred_at"]
    assert timezone.is_aware(moment)
    local = timezone.localtime(moment)
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 3, 29), 14, 5)


@pytest.mark.parametrize(
    ("hour", "minute", "message", "target"),
    [
        ("", "", "The date and time must include an hour and minute", "id_occurred_at_3"),
        ("25", "00", "The date and time must be a real date and time", "id_occurred_at_0"),
        ("14", "60", "The date and time must be a real date and time", "id_occurred_at_0"),
    ],
)
def test_a_wrong_time_is_refused_never_an_exception(hour, minute, message, target):
    data = {**parts("occurred_at", "29", "3", "2026"), "occurred_at_hour": hour}
    data["occurred_at_minute"] = minute
    form = WhenForm(data)
    assert not form.is_valid()
    assert form.error_summary == [(target, message)]


def test_an_iso_date_and_time_is_still_read():
    form = WhenForm({"occurred_at": "2026-03-29T14:05"})
    assert form.is_valid(), form.errors
    assert timezone.localtime(form.cleaned_data["occurred_at"]).hour == 14


def test_required_messages_name_what_is_missing_and_link_to_a_real_element():
    form = MixedForm({})
    assert not form.is_valid()
    assert form.error_summary == [
        ("id_contact_number", "Enter contact number"),
        ("id_urgency_0", "Select how urgent"),
        ("id_kinds_0", "Select kinds"),
        ("id_team", "Select team"),
        ("id_due_on_0", "Enter the due date"),
    ]
    html = str(form)
    for target, _ in form.error_summary:
        assert f'id="{target}"' in html


def test_the_field_template_shows_the_error_state_hint_and_message():
    form = DueForm(parts("due_on", "7", "", "2027"))
    form.is_valid()
    html = form["due_on"].as_field_group()
    assert "govuk-form-group--error" in html
    assert 'class="govuk-date-input"' in html
    assert "For example, 27 3 2007" in html
    assert 'aria-describedby="id_due_on-hint id_due_on-error"' in html
    assert 'name="due_on_month"' in html
    assert 'value="7"' in html
    assert 'value="2027"' in html
    assert "Due date must include a month" in html


def test_the_error_summary_include_links_each_error():
    form = MixedForm({"contact_number": "01234"})
    form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    assert 'data-module="govuk-error-summary"' in html
    assert '<a href="#id_urgency_0">Select how urgent</a>' in html
    assert "Enter contact number" not in html
    assert render_to_string("includes/error_summary.html", {"form": MixedForm()}).strip() == ""


PORTAL_FORMS = [
    "acs.forms.ReferralForm",
    "acs.forms.AssignForm",
    "acs.forms.StatusForm",
    "acs.forms.CloseForm",
    "acs.forms.ReasonForm",
    "acs.forms.RiskForm",
    "acs.forms.CategoriesForm",
    "acs.forms.ReviewForm",
    "acs.forms.ActionForm",
    "acs.forms.NoteForm",
    "acs.forms.PartnerReferralForm",
    "acs.forms.PartnerOutcomeForm",
    "acs.forms.EscalationForm",
    "support_needs.forms.EndForm",
    "support_needs.forms.SixPointPlanForm",
    "support_needs.forms.ReferForm",
    "support_needs.forms.DismissForm",
    "support_needs.forms.SafeguardForm",
    "accounts.forms.SignInForm",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PORTAL_FORMS)
def test_every_portal_form_names_what_is_missing_and_links_to_a_real_element(path):
    module, name = path.rsplit(".", 1)
    form_class = getattr(importlib.import_module(module), name)
    form = form_class(data={}) if name != "SignInForm" else form_class(None, data={})
    assert not form.is_valid()
    html = str(form)
    messages = [message for _, message in form.error_summary]
    assert messages
    assert "This field is required." not in messages
    assert len(set(messages)) == len(messages), messages
    for target, _ in form.error_summary:
        assert f'id="{target}"' in html, (target, path)


def test_the_six_point_plan_time_is_five_text_boxes_already_filled_with_now():
    from support_needs.forms import SixPointPlanForm

    html = SixPointPlanForm()["occurred_at"].as_field_group()
    now = timezone.localtime()
    assert html.count('type="text" inputmode="numeric"') == 5
    assert "datetime-local" not in html
    assert f'name="occurred_at_year" type="text" inputmode="numeric" value="{now.year}"' in html


class StemForm(GovukForm):
    follow_up_date = GovukDateField(
        label="Follow-up by", required=False, widget=GovukDateInput(stem="follow_up")
    )


def test_a_stem_keeps_the_boxes_names_a_form_already_uses():
    form = StemForm(parts("follow_up", "7", "3", "2027"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["follow_up_date"] == dt.date(2027, 3, 7)
    html = form["follow_up_date"].as_field_group()
    assert 'name="follow_up_day"' in html
    assert 'id="id_follow_up_date_0"' in html
    half = StemForm(parts("follow_up", "7", "", "2027"))
    assert half.error_summary == [("id_follow_up_date_1", "Follow-up by must include a month")]
