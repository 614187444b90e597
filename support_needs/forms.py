"""Input validation for the support-needs pages (the services validate again and decide)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.forms import GovukDateField, GovukDateTimeField, GovukFormMixin
from support_needs.models import Consent, FieldSet, HowLearned, NeedType
from support_needs.services.safeguards import SAFEGUARD_CHECKS

TYPE_FIELDS = {
    FieldSet.REPRESENTATIVE: (
        "representative_name",
        "representative_relationship",
        "representative_contact",
        "representative_corporate",
    ),
    FieldSet.ALTERNATIVE_FORMAT: ("format_detail",),
    FieldSet.INTERPRETER: ("interpreter_language",),
    FieldSet.VISIT: ("visit_reason",),
}
ALL_TYPE_FIELDS = tuple(name for names in TYPE_FIELDS.values() for name in names)
COLLEAGUE_HOW_LEARNED = [c for c in HowLearned.choices if c[0] != HowLearned.UC]
COLLEAGUE_CONSENT = [c for c in Consent.choices if c[0] != Consent.UC]


class NeedTypeChoiceForm(GovukFormMixin, forms.Form):
    """Step one of recording a need: which type (its fields follow in step two)."""

    need_type = forms.ModelChoiceField(
        queryset=NeedType.objects.none(),
        to_field_name="code",
        label="Type of need",
        empty_label="Choose a type of need",
        error_messages={"required": "Choose the type of need.", "invalid_choice": "Choose a type."},
    )

    def __init__(self, *args: Any, need_types: QuerySet[NeedType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        need_type = self.fields["need_type"]
        assert isinstance(need_type, forms.ModelChoiceField)  # declared above
        need_type.queryset = need_types


class SupportNeedForm(GovukFormMixin, forms.Form):
    """The details of a need; only the fields its type asks for are shown and kept."""

    details = forms.CharField(
        label="Details",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the customer told us, in their words where possible.",
    )
    representative_name = forms.CharField(
        label="Name of the person or organisation", required=False, max_length=200
    )
    representative_relationship = forms.CharField(
        label="Relationship to the customer", required=False, max_length=100
    )
    representative_contact = forms.CharField(
        label="How to contact them", required=False, max_length=200
    )
    representative_corporate = forms.BooleanField(
        label="This is an organisation (for example, a local authority)", required=False
    )
    format_detail = forms.CharField(
        label="Format detail",
        required=False,
        max_length=200,
        help_text="For example, the print size (18 point), Braille grade or paper colour.",
    )
    interpreter_language = forms.CharField(label="Language", required=False, max_length=100)
    visit_reason = forms.CharField(
        label="Why a home visit is needed",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    how_learned = forms.ChoiceField(
        label="How we learned about the need",
        choices=COLLEAGUE_HOW_LEARNED,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how we learned about the need."},
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=COLLEAGUE_CONSENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Say what the customer agreed to."},
    )

    def __init__(self, *args: Any, need_type: NeedType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.need_type = need_type
        keep = TYPE_FIELDS.get(FieldSet(need_type.field_set), ())
        for name in ALL_TYPE_FIELDS:
            if name not in keep:
                del self.fields[name]
        # The same rules as the service, so every missing field is named at once.
        required = {
            "representative_name": "Enter who acts for the customer.",
            "representative_contact": "Enter how to contact them.",
            "format_detail": (
                f"Enter the detail for {need_type.name.lower()} (for example, the print size)."
            ),
            "interpreter_language": "Enter the language.",
            "visit_reason": "Say why a home visit is needed.",
        }
        for name, message in required.items():
            if name in self.fields:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
        if need_type.field_set == FieldSet.INTERPRETER and need_type.code == "bsl-interpreter":
            self.fields["interpreter_language"].initial = "British Sign Language"


class ReviewForm(GovukFormMixin, forms.Form):
    next_review = GovukDateField(
        label="Next review date",
        required=False,
        help_text=(
            "For example, 31 3 2027. Leave empty to use the usual review period for this type "
            "of need."
        ),
    )
    note = forms.CharField(
        label="Review note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the customer confirmed.",
    )


class EndForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why the need no longer applies",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the need no longer applies."},
    )


class SixPointPlanForm(GovukFormMixin, forms.Form):
    occurred_at = GovukDateTimeField(
        label="When the customer said it",
        subject="The date and time",
        error_messages={"required": "Enter the date and time the customer said it"},
    )
    support_partner = forms.CharField(
        label="Support partner",
        max_length=200,
        help_text="The colleague you brought in.",
        error_messages={"required": "Enter the support partner you brought in"},
    )
    location = forms.CharField(label="Where the customer is", required=False, max_length=300)
    contact_number = forms.CharField(label="Contact number", required=False, max_length=40)
    intent = forms.CharField(
        label="What the customer said they intend",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what the customer said they intend"},
    )
    already_acted = forms.BooleanField(
        label="The customer said they had already acted", required=False
    )
    immediate_risk = forms.BooleanField(label="The risk was immediate", required=False)
    emergency_services_called = forms.BooleanField(
        label="Emergency services were called", required=False
    )
    emergency_reference = forms.CharField(
        label="Emergency services reference or who you spoke to", required=False, max_length=100
    )
    signposting = forms.CharField(
        label="Support signposted",
        max_length=2000,
        help_text="For example, Samaritans 116 123.",
        error_messages={"required": "Enter the support you signposted"},
    )
    escalated_to = forms.CharField(
        label="Manager or ACSSL you escalated to",
        max_length=200,
        error_messages={"required": "Enter the manager or ACSSL you escalated to"},
    )
    outcome = forms.CharField(
        label="Outcome",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the outcome of the call"},
    )
    customer_agreed = forms.CharField(
        label="What the customer agreed to",
        max_length=2000,
        help_text="For example, to an ACSSL calling them.",
        error_messages={"required": "Enter what the customer agreed to"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ReferForm(GovukFormMixin, forms.Form):
    urgency = forms.ChoiceField(
        label="How urgent",
        choices=[
            ("immediate", "Immediate: risk to life or of serious harm today"),
            ("urgent", "Urgent: within 1 working day"),
            ("standard", "Standard: within 5 working days"),
        ],
        initial="standard",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent the referral is"},
    )
    customer_agreed = forms.CharField(
        label="What the customer agreed to",
        max_length=2000,
        error_messages={"required": "Enter what the customer agreed to"},
    )
    note = forms.CharField(
        label="Note for the ACSSL",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DismissForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why no referral is needed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why no referral is needed."},
    )


def _safeguard_check(name: str) -> forms.ChoiceField:
    question, answers = SAFEGUARD_CHECKS[name]
    return forms.ChoiceField(
        label=question,
        choices=list(answers.items()),
        widget=forms.RadioSelect,
        required=False,
    )


class SafeguardForm(GovukFormMixin, forms.Form):
    needs_checked = _safeguard_check("needs_checked")
    acting_for = _safeguard_check("acting_for")
    bank_details = _safeguard_check("bank_details")
    contact_made = _safeguard_check("contact_made")
    outcome = forms.CharField(
        label="Support offered and the customer's answer",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Record what support was offered, and the answer."},
    )
    cancelled = forms.BooleanField(
        label="No longer needed (for example, the payment was cancelled)", required=False
    )

    def clean(self) -> dict[str, Any]:
        """Every check answered unless the safeguard is no longer needed (as the service asks)."""
        cleaned = super().clean() or {}
        if not cleaned.get("cancelled"):
            for name, (question, _) in SAFEGUARD_CHECKS.items():
                if not cleaned.get(name):
                    self.add_error(name, f"Answer: {question.lower()}")
        return cleaned
