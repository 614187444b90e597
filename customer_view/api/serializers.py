"""What the customer endpoints read and answer. The answers are the customer page's own data
(customer_view.selectors.CustomerPage and friends), never a second query of the models."""

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from acs.api import AcsCaseSummarySerializer
from benefits.models import EsaAward, Payment, PipAward, StatePensionAward, UniversalCreditAward
from customers.forms import CustomerSearchForm, InteractionForm
from customers.models import Benefit, Channel, Customer, Interaction
from support_needs.api import NeedPanelSerializer

# --- Search --------------------------------------------------------------------------------


class CustomerSearchRequestSerializer(serializers.Serializer):
    """A NINO; or a name, a postcode or both, with an optional date of birth. In the body only:
    a NINO or a name never goes into a URL. Parsed by the search page's own form, so the page
    and the API accept the same searches and search the same way."""

    nino = serializers.CharField(required=False, max_length=20, help_text="e.g. QQ 12 34 56 C")
    name = serializers.CharField(required=False, max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    postcode = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="A whole postcode or its start (e.g. LS1 or LS1 4AP); alone, or with a name "
        "or a date of birth.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        nino, name = (attrs.get("nino") or "").strip(), (attrs.get("name") or "").strip()
        postcode = (attrs.get("postcode") or "").strip()
        if nino and name:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send a nino or a name (not both)."]}
            )
        if not (nino or name or postcode):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send a nino, a name or a postcode."]}
            )
        query_field = "nino" if nino else "name"
        dob: dt.date | None = attrs.get("date_of_birth")
        # The HTML search form's own validation: one rule for what a search may be.
        form = CustomerSearchForm(
            {
                "query": nino or name,
                "date_of_birth": dob.isoformat() if dob else "",
                "postcode": postcode,
            }
        )
        if not form.is_valid():
            errors: dict[str, list[str]] = {}
            for field, messages in form.errors.items():
                key = query_field if field == "query" else field
                errors.setdefault(key, []).extend(messages)
            raise serializers.ValidationError(errors)
        if nino and not form.nino:
            raise serializers.ValidationError({"nino": ["Enter a National Insurance number."]})
        if name and form.nino:
            raise serializers.ValidationError({"name": ["A name has no digits."]})
        # by: "nino" (then `nino`), else "name" or "postcode" (then the name search's criteria).
        return {"by": form.by, "nino": form.nino, "criteria": form.name_criteria()}


class NeedIconSerializer(serializers.Serializer):
    code = serializers.CharField()
    icon = serializers.CharField()
    name = serializers.CharField()
    restricted = serializers.BooleanField()


class SearchCustomerSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField()

    class Meta:
        model = Customer
        fields = [
            "public_id",
            "full_name",
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "date_of_death",
            "postcode",
            "restricted",
            "benefits_held",
        ]


HIDDEN_RESULT_NOTICE = (
    "A restricted record matched. Its details are hidden. If you need to act for this customer, "
    "contact your team leader or your team's ACSSL, who can open restricted records."
)


class SearchResultSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(
        help_text="A restricted record you are not cleared to open matched: nothing else is shown."
    )
    notice = serializers.SerializerMethodField()
    customer = serializers.SerializerMethodField()
    need_icons = NeedIconSerializer(many=True)

    def get_notice(self, result: Any) -> str | None:
        return HIDDEN_RESULT_NOTICE if result.hidden else None

    @extend_schema_field(SearchCustomerSerializer(allow_null=True))
    def get_customer(self, result: Any) -> dict[str, Any] | None:
        return None if result.hidden else SearchCustomerSerializer(result.customer).data


class SearchResultsSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=["nino", "name", "postcode"])
    count = serializers.IntegerField()
    truncated = serializers.BooleanField(
        help_text="More matched than are returned: add a date of birth or a postcode."
    )
    results = SearchResultSerializer(many=True)


# --- The customer record -------------------------------------------------------------------


# A declared field named `source` or `label` shadows the serializer's own Field attribute only in
# the DRF stubs (DRF moves declared fields off the class): hence the narrow ignores below.
class SourceFreshnessSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_run_status = serializers.CharField()
    last_run_finished_at = serializers.DateTimeField(allow_null=True)
    never_synced = serializers.BooleanField()
    stale = serializers.BooleanField()
    warning = serializers.CharField(help_text="What to know before trusting this source, or ''.")


class PaymentSerializer(serializers.ModelSerializer):
    benefit_label = serializers.CharField(source="get_benefit_display")

    class Meta:
        model = Payment
        fields = [
            "benefit",
            "benefit_label",
            "reference",
            "payment_date",
            "amount_pence",
            "kind",
            "status",
            "period_start",
            "period_end",
            "source_changed_at",
            "synced_at",
        ]


AWARD_EXCLUDE = ["id", "customer", "sync_run", "source_version"]


class UcAwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = UniversalCreditAward
        # UC's additional support area reaches the colleague through the support-needs panel.
        exclude = [*AWARD_EXCLUDE, "support_needs"]


class PipAwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = PipAward
        exclude = AWARD_EXCLUDE


class EsaAwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = EsaAward
        exclude = AWARD_EXCLUDE


class SpAwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatePensionAward
        exclude = AWARD_EXCLUDE


AWARD_SERIALIZERS = {
    Benefit.UC: UcAwardSerializer,
    Benefit.PIP: PipAwardSerializer,
    Benefit.ESA: EsaAwardSerializer,
    Benefit.SP: SpAwardSerializer,
}


class BenefitCardSerializer(serializers.Serializer):
    """One benefit the customer holds (benefits.selectors.BenefitCard)."""

    benefit = serializers.ChoiceField(choices=Benefit.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField()
    status_label = serializers.CharField(help_text="The status in plain English, as the page says.")
    in_payment = serializers.BooleanField()
    source = serializers.CharField(source="freshness.source")  # type: ignore[assignment]
    source_label = serializers.CharField()
    source_warning = serializers.CharField(source="freshness.warning")
    next_payment = PaymentSerializer(allow_null=True)


class AwardsSerializer(serializers.Serializer):
    """Each award in full, by benefit; null when the customer has none of that benefit."""

    uc = UcAwardSerializer(allow_null=True)
    pip = PipAwardSerializer(allow_null=True)
    esa = EsaAwardSerializer(allow_null=True)
    sp = SpAwardSerializer(allow_null=True)


class PaymentsSerializer(serializers.Serializer):
    next_payment = PaymentSerializer(allow_null=True)
    scheduled = PaymentSerializer(many=True)
    recent = PaymentSerializer(many=True)
    large_arrears = PaymentSerializer(many=True)


class SourceValueSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()
    differs = serializers.BooleanField()


class DifferenceSerializer(serializers.Serializer):
    field = serializers.CharField()
    portal_value = serializers.CharField()
    sources = serializers.SerializerMethodField()

    @extend_schema_field(SourceValueSerializer(many=True))
    def get_sources(self, difference: Any) -> list[dict[str, Any]]:
        return [
            {"source": source, "value": value, "differs": differs}
            for source, value, differs in difference.sources
        ]


class IdentitySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField()
    nino_display = serializers.CharField()

    class Meta:
        model = Customer
        fields = [
            "public_id",
            "nino",
            "nino_display",
            "full_name",
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "date_of_death",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "restricted",
            "benefits_held",
        ]


class CustomerRecordSerializer(serializers.Serializer):
    """customer_view.selectors.CustomerPage: everything the customer page shows this colleague."""

    identity = IdentitySerializer(source="customer")
    benefits = BenefitCardSerializer(source="cards", many=True)
    awards = serializers.SerializerMethodField()
    payments = PaymentsSerializer()
    support_needs = NeedPanelSerializer(source="need_panel")
    acs_case = serializers.SerializerMethodField()
    source_freshness = serializers.SerializerMethodField()
    stale_sources = SourceFreshnessSerializer(many=True)
    differences = DifferenceSerializer(many=True)
    can_record_interaction = serializers.BooleanField()

    @extend_schema_field(AwardsSerializer)
    def get_awards(self, page: Any) -> dict[str, Any]:
        by_benefit = {card.benefit: card.award for card in page.cards}
        return {
            benefit.value: (
                serializer(by_benefit[benefit.value]).data if benefit.value in by_benefit else None
            )
            for benefit, serializer in AWARD_SERIALIZERS.items()
        }

    @extend_schema_field(AcsCaseSummarySerializer(allow_null=True))
    def get_acs_case(self, page: Any) -> dict[str, Any] | None:
        summary = self.context.get("acs_case")
        return AcsCaseSummarySerializer(summary).data if summary else None

    @extend_schema_field(SourceFreshnessSerializer(many=True))
    def get_source_freshness(self, page: Any) -> list[dict[str, Any]]:
        return list(SourceFreshnessSerializer(page.freshness.values(), many=True).data)


# --- Timeline and interactions ---------------------------------------------------------------


class TimelineQuerySerializer(serializers.Serializer):
    type = serializers.CharField(required=False, allow_blank=True, max_length=40)
    benefit = serializers.ChoiceField(choices=Benefit.choices, required=False, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=1, max_value=50, default=1)

    def __init__(self, *args: Any, types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"] = serializers.ChoiceField(
            choices=types, required=False, allow_blank=True
        )


class FactSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()


class TimelineEntrySerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    date_only = serializers.BooleanField()
    type = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    benefits = serializers.ListField(child=serializers.CharField())
    byline = serializers.CharField()
    warning = serializers.CharField()
    facts = serializers.SerializerMethodField()
    source_label = serializers.CharField(
        help_text="For a synced entry (a payment, a benefit change): the system it came from."
    )
    recorded_at = serializers.DateTimeField(
        allow_null=True, help_text="When that system recorded it, when known."
    )
    synced_at = serializers.DateTimeField(
        allow_null=True, help_text="When the portal synced it (null: not a synced entry)."
    )

    @extend_schema_field(FactSerializer(many=True))
    def get_facts(self, entry: Any) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in entry.facts]


class TimelinePageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    has_previous = serializers.BooleanField()
    type = serializers.CharField()
    benefit = serializers.CharField()
    results = TimelineEntrySerializer(source="entries", many=True)


class InteractionSerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display")
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Interaction
        fields = [
            "id",
            "channel",
            "channel_label",
            "benefits",
            "summary",
            "outcome",
            "follow_up_action",
            "follow_up_date",
            "recorded_at",
            "recorded_by",
        ]

    def get_recorded_by(self, interaction: Interaction) -> str:
        by = interaction.recorded_by
        return by.get_full_name() or by.get_username()


class InteractionCreateSerializer(serializers.Serializer):
    """The interaction form's fields, checked by the form itself (customers.forms)."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    benefits = serializers.ListField(
        child=serializers.ChoiceField(choices=Benefit.choices), required=False, max_length=10
    )
    summary = serializers.CharField(max_length=2000)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    follow_up_action = serializers.CharField(required=False, allow_blank=True, max_length=300)
    follow_up_date = serializers.DateField(required=False, allow_null=True)

    DATE_PARTS = ("follow_up_day", "follow_up_month", "follow_up_year")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        when: dt.date | None = attrs.get("follow_up_date")
        form = InteractionForm(
            {
                "channel": attrs["channel"],
                "benefits": attrs.get("benefits", []),
                "summary": attrs["summary"],
                "outcome": attrs.get("outcome", ""),
                "follow_up_action": attrs.get("follow_up_action", ""),
                "follow_up_day": str(when.day) if when else "",
                "follow_up_month": str(when.month) if when else "",
                "follow_up_year": str(when.year) if when else "",
            }
        )
        if not form.is_valid():
            errors: dict[str, list[str]] = {}
            for field, messages in form.errors.items():
                key = "follow_up_date" if field in self.DATE_PARTS else field
                errors.setdefault(key, []).extend(messages)
            raise serializers.ValidationError(errors)
        data = form.cleaned_data
        return {
            name: data[name]
            for name in (
                "channel",
                "benefits",
                "summary",
                "outcome",
                "follow_up_action",
                "follow_up_date",
            )
        }
