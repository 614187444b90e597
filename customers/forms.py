"""Input validation for the customer pages: search, record an interaction, restricted reason.

Error messages follow the GOV.UK Design System's wording patterns.
"""

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html

from core.forms import GovukDateField, GovukDateInput, GovukFormMixin
from customers.models import Benefit, Channel, search_name_for
from customers.nino import InvalidNino, validate_nino
from customers.services import MIN_REASON_LENGTH


class CustomerSearchForm(GovukFormMixin, forms.Form):
    """One box for a NINO or a name, with an optional date of birth and postcode; a postcode
    alone (or with a date of birth) is a search too."""

    query = forms.CharField(
        required=False,
        max_length=200,
        error_messages={"max_length": "Enter a name of 200 characters or fewer"},
    )
    # The GOV.UK date input; its boxes keep the names the page has always posted (dob_day,
    # dob_month, dob_year). The API and the search results page send an ISO date instead.
    date_of_birth = GovukDateField(
        label="Date of birth",
        required=False,
        help_text="For example, 27 3 1985",
        widget=GovukDateInput(stem="dob"),
    )
    postcode = forms.CharField(
        required=False,
        max_length=10,
        error_messages={"max_length": "Enter a postcode of 10 characters or fewer"},
    )

    # Where each field's error links to in the error summary.
    error_targets = {"query": "search-query", "postcode": "search-postcode"}

    def clean_query(self) -> str:
        query = self.cleaned_data["query"].strip()
        if not query:
            return query  # a postcode alone may do: clean() decides
        if any(ch.isdigit() for ch in query):
            # Digits: the colleague is typing a NINO. Say exactly what is wrong with it.
            try:
                self.cleaned_data["nino"] = validate_nino(query)
            except InvalidNino as error:
                raise forms.ValidationError(str(error)) from error
        elif len(search_name_for(query, "", "").replace(" ", "")) < 2:
            raise forms.ValidationError("Enter at least 2 letters of a name")
        return query

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not re.fullmatch(r"[A-Za-z0-9 ]{2,10}", postcode):
            raise forms.ValidationError("Enter a postcode using only letters, numbers and spaces")
        return postcode

    def clean_date_of_birth(self) -> dt.date | None:
        dob: dt.date | None = self.cleaned_data["date_of_birth"]
        if dob and dob > timezone.localdate():
            raise forms.ValidationError("Date of birth must be in the past")
        return dob

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        nothing_to_search = "query" in cleaned and not cleaned["query"]
        if nothing_to_search and not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("query", "Enter a National Insurance number, a name or a postcode")
        return cleaned

    @property
    def nino(self) -> str:
        return self.cleaned_data.get("nino", "")

    @property
    def by(self) -> str:
        """What a valid search is by: "nino", "name", or "postcode" (alone or with a date of
        birth). The search page and the API both read it here."""
        if self.nino:
            return "nino"
        return "name" if self.cleaned_data.get("query") else "postcode"

    def name_criteria(self) -> dict[str, Any]:
        """The arguments of customers.selectors.customer_search_by_name for a search not by
        NINO: the one place both the search page and the API take them from."""
        return {
            "name": self.cleaned_data.get("query", ""),
            "date_of_birth": self.cleaned_data.get("date_of_birth"),
            "postcode": self.cleaned_data.get("postcode", ""),
        }

    def criteria(self) -> dict[str, str]:
        """What to remember server-side (behind an opaque token) to show the results again."""
        dob = self.cleaned_data.get("date_of_birth")
        return {
            "query": self.cleaned_data.get("query", ""),
            "date_of_birth": dob.isoformat() if dob else "",
            "postcode": self.cleaned_data.get("postcode", ""),
        }


def _short_benefit_label(benefit: Benefit) -> str:
    """A benefit as colleagues call it ("PIP"), its full name for screen readers as well: short
    labels keep the interaction form on a laptop's screen beside the record."""
    if benefit == Benefit.SP:
        return benefit.label
    return format_html(
        '{}<span class="govuk-visually-hidden"> ({})</span>', benefit.value.upper(), benefit.label
    )


class InteractionForm(GovukFormMixin, forms.Form):
    """A contact with the customer; the follow-up date's boxes keep the names the interaction
    API fills in (follow_up_day, follow_up_month, follow_up_year)."""

    channel = forms.ChoiceField(
        label="How were you in contact?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you were in contact"},
    )
    benefits = forms.MultipleChoiceField(
        label="Which benefits was it about?",
        help_text="Select all that apply",
        choices=[(benefit.value, _short_benefit_label(benefit)) for benefit in Benefit],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select benefits from the list"},
    )
    summary = forms.CharField(
        label="Summary",
        help_text="What the customer needed and what you did",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter a summary of the contact",
            "max_length": "Summary must be 2000 characters or fewer",
        },
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Outcome must be 2000 characters or fewer"},
    )
    follow_up_action = forms.CharField(
        label="Follow-up action",
        required=False,
        max_length=300,
        error_messages={"max_length": "Follow-up action must be 300 characters or fewer"},
    )
    follow_up_date = GovukDateField(
        label="Follow-up by",
        subject="Follow-up date",
        required=False,
        help_text="For example, 27 3 2027",
        widget=GovukDateInput(stem="follow_up"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "interaction-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        when = cleaned.get("follow_up_date")
        if when and when < timezone.localdate():
            self.add_error("follow_up_date", "Follow-up date must be today or in the future")
        elif when and not (cleaned.get("follow_up_action") or "").strip():
            self.add_error("follow_up_action", "Enter the follow-up action for that date")
        return cleaned


class RestrictedReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this restricted record?",
        help_text=(
            "This record is restricted. Your reason is kept with a record of every page you see. "
            'For example, "Customer phoned about a missing UC payment; identity confirmed".'
        ),
        max_length=1000,
        min_length=MIN_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you need to open this restricted record",
            "min_length": f"Reason must be at least {MIN_REASON_LENGTH} characters",
            "max_length": "Reason must be 1000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "restricted-%s")
        super().__init__(*args, **kwargs)
