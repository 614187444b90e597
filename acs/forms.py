"""Input validation for the ACS pages. The services validate again and own the rules."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from acs.models import (
    AcsCase,
    CaseCategory,
    CaseOutcome,
    Escalation,
    LearningTheme,
    PartnerOrganisation,
    PartnerReferral,
    RiskLevel,
    TrackedStatus,
    Urgency,
)
from acs.selectors import PendingItem, acs_case_owners
from core.forms import GovukDateField, GovukFormMixin


def _codes(model: Any) -> list[tuple[str, str]]:
    return list(model.objects.filter(active=True).values_list("code", "name"))


class ColleagueChoiceField(forms.ModelChoiceField):
    """A colleague, shown by name (their username if they have none)."""

    def label_from_instance(self, obj: Any) -> str:
        colleague: User = obj
        return colleague.get_full_name() or colleague.username


def _field[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's field `name`, which is a `kind` (to set its choices at run time)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form, on its field when it names one."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error.messages)  # type: ignore[attr-defined]


class AcsForm(ServiceErrorsMixin, GovukFormMixin, forms.Form):
    pass


class ReferralForm(AcsForm):
    reason = forms.CharField(
        label="Why does the customer need advanced support?",
        help_text="What the customer said or what you saw. Do not include anything not needed.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Say why the customer needs advanced support"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        help_text="If someone is in immediate danger, call 999 first.",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how urgent the referral is"},
    )
    categories = forms.MultipleChoiceField(
        label="What kind of risk is it?",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of risk"},
    )
    customer_agreed = forms.CharField(
        label="What did the customer agree to?",
        help_text="For example: to an ACSSL calling them, to sharing details with partners.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what the customer agreed to"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "categories", forms.ChoiceField).choices = _codes(CaseCategory)


class AssignForm(AcsForm):
    owner = ColleagueChoiceField(
        label="Assign to",
        queryset=acs_case_owners(),
        empty_label="Choose a colleague",
        error_messages={"required": "Choose who will own the case"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "owner", ColleagueChoiceField).queryset = acs_case_owners()


class StatusForm(AcsForm):
    status = forms.ChoiceField(
        label="Status",
        choices=[
            (AcsCase.Status.OPEN, "Open - active work"),
            (AcsCase.Status.MONITORING, "Monitoring - support in place, watching"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status"},
    )


class CloseForm(AcsForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the case"},
    )
    summary = forms.CharField(
        label="Closure summary",
        help_text="What was done and why the case can close.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Write a closure summary"},
    )
    learning = forms.CharField(
        label="What was learned from this case?",
        help_text="What went well, what could have gone better, what others should know.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    themes = forms.MultipleChoiceField(
        label="Themes of what was learned",
        help_text="Select all that apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, pending: Sequence[PendingItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "outcome", forms.ChoiceField).choices = _codes(CaseOutcome)
        _field(self, "themes", forms.ChoiceField).choices = _codes(LearningTheme)
        # One reason box for each thing still open: closing leaves it open only with a reason.
        self.pending = list(pending)
        for item in self.pending:
            self.fields[f"left_open_{item.key}"] = forms.CharField(
                label=f"Why leave it open: {item.label}",
                required=False,
                max_length=2000,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for item in self.pending:
            name = f"left_open_{item.key}"
            if not (cleaned.get(name) or "").strip() and name not in self.errors:
                self.add_error(
                    name, f"Say why the case can close with this still open: {item.label}"
                )
        return cleaned

    def left_open(self) -> dict[str, str]:
        """The reason given for each pending item, by its key."""
        return {
            item.key: self.cleaned_data.get(f"left_open_{item.key}", "") for item in self.pending
        }

    def close_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "summary": data["summary"],
            "learning": data["learning"],
            "themes": data["themes"],
            "left_open": self.left_open(),
        }


class ReasonForm(AcsForm):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Give a reason"},
    )


class RiskForm(AcsForm):
    level = forms.ChoiceField(
        label="Risk level",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a risk level"},
    )
    reason = forms.CharField(
        label="Why this level?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Say why the risk is at this level"},
    )


class CategoriesForm(AcsForm):
    categories = forms.MultipleChoiceField(
        label="Categories",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one category"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "categories", forms.ChoiceField).choices = _codes(CaseCategory)


class ReviewForm(AcsForm):
    review_on = GovukDateField(label="Next review date")


class ActionForm(AcsForm):
    description = forms.CharField(
        label="Action", max_length=500, error_messages={"required": "Describe the action"}
    )
    owner = ColleagueChoiceField(
        label="Owner",
        queryset=acs_case_owners(),
        empty_label="Choose a colleague",
        error_messages={"required": "Choose who owns the action"},
    )
    due_on = GovukDateField(label="Due date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "owner", ColleagueChoiceField).queryset = acs_case_owners()


class NoteForm(AcsForm):
    text = forms.CharField(
        label="Note",
        help_text="Notes cannot be changed once saved. To correct one, add a correction.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": "Write the note"},
    )
    corrects = forms.TypedChoiceField(
        label="Corrects an earlier note",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, notes: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "corrects", forms.ChoiceField).choices = [("", "No, this is a new note")] + [
            (note.pk, f"Note of {timezone.localtime(note.created_at):%d %b %Y %H:%M}")
            for note in notes
        ]


class PartnerReferralForm(AcsForm):
    organisation = forms.ChoiceField(
        label="Partner organisation", error_messages={"required": "Choose the organisation"}
    )
    referred_on = GovukDateField(label="Date referred")
    consent = forms.ChoiceField(
        label="Consent",
        choices=PartnerReferral.Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the customer consented"},
    )
    details = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "organisation", forms.ChoiceField).choices = [
            ("", "Choose an organisation"),
            *_codes(PartnerOrganisation),
        ]


class PartnerOutcomeForm(AcsForm):
    outcome = forms.CharField(
        label="Outcome of the referral",
        max_length=2000,
        error_messages={"required": "Say what came of the referral"},
    )


class EscalationForm(AcsForm):
    route = forms.ChoiceField(
        label="Escalate to",
        choices=Escalation.Route.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where to escalate the case"},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Say why the case is being escalated"},
    )


class TrackedItemForm(AcsForm):
    """Move a home visit request or an escalation on (acs.services.acs_tracked_item_update)."""

    status = forms.ChoiceField(
        label="Where has it got to?",
        choices=TrackedStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where it has got to"},
    )
    owner = forms.TypedChoiceField(
        label="Coordinated by", required=False, coerce=int, empty_value=None
    )
    scheduled_on = GovukDateField(
        label="Date it is set for",
        required=False,
        help_text="The visit, the panel or the review. For example, 27 3 2027",
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        help_text="What came of it, or why it was declined.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args: Any, owners: Sequence[User] | None = None, **kwargs: Any) -> None:
        """`owners`: the colleagues who may coordinate, read once for every form on a page."""
        super().__init__(*args, **kwargs)
        self.owners = {
            owner.pk: owner for owner in (owners if owners is not None else acs_case_owners())
        }
        _field(self, "owner", forms.ChoiceField).choices = [("", "Nobody")] + [
            (pk, owner.get_full_name() or owner.username) for pk, owner in self.owners.items()
        ]

    def clean_owner(self) -> User | None:
        chosen = self.cleaned_data.get("owner")
        return self.owners.get(chosen) if chosen is not None else None


class FiguresFilterForm(GovukFormMixin, forms.Form):
    date_from = GovukDateField(label="From", subject="Start date", required=False)
    date_to = GovukDateField(label="To", subject="End date", required=False)

    MAX_DAYS = 5 * 366
    # No case is older than the portal; a range far in the future would overflow the months.
    EARLIEST = dt.date(2000, 1, 1)
    LATEST_AHEAD = dt.timedelta(days=366)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        for name, given in (
            ("date_from", cleaned.get("date_from")),
            ("date_to", cleaned.get("date_to")),
        ):
            if given is not None and not self.EARLIEST <= given <= today + self.LATEST_AHEAD:
                self.add_error(
                    name,
                    f"Enter a date between {self.EARLIEST:%-d %B %Y} and "
                    f"{today + self.LATEST_AHEAD:%-d %B %Y}",
                )
        if self.errors:
            return cleaned
        date_to = cleaned.get("date_to") or today
        default_from = (date_to.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        date_from = cleaned.get("date_from") or default_from
        if date_from > date_to:
            raise ValidationError("The start date must be on or before the end date")
        if (date_to - date_from).days > self.MAX_DAYS:
            raise ValidationError("Choose a range of 5 years or less")
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned
