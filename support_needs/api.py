"""Support needs in the REST API: the panel, and record / review / end a need through the same
selectors and services as the panel's pages (support_needs.views)."""

import uuid
from collections.abc import Callable

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from audit.context import AuditContext
from core.api import problem_responses
from customers.api.access import ACCESS_REASON_PARAMETER, access_reason, reason_refusals
from customers.models import Customer
from support_needs import selectors
from support_needs.forms import COLLEAGUE_CONSENT, COLLEAGUE_HOW_LEARNED
from support_needs.models import ArrearsSafeguard, NeedType, SupportNeed
from support_needs.services import needs as needs_services

TAG = "Support needs"
RESTRICTED_NOTICE = (
    "This customer has a sensitive support need that only cleared colleagues can see (the "
    "record itself is not restricted). Before any decision or contact, speak to {}."
)


# --- Serializers ---------------------------------------------------------------------------


class NeedTypeSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display")
    restricted = serializers.BooleanField()

    class Meta:
        model = NeedType
        fields = ["code", "name", "category", "category_label", "restricted", "guidance", "icon"]


def _colleague(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class SupportNeedSerializer(serializers.ModelSerializer):
    need_type = NeedTypeSerializer()
    sources = serializers.ListField(child=serializers.CharField())
    how_learned_label = serializers.CharField(source="get_how_learned_display")
    consent_label = serializers.CharField(source="get_consent_display")
    recorded_by = serializers.SerializerMethodField()
    last_reviewed_by = serializers.SerializerMethodField()
    ended_by = serializers.SerializerMethodField()

    class Meta:
        model = SupportNeed
        fields = [
            "public_id",
            "need_type",
            "status",
            "sources",
            "details",
            "uc_details",
            "representative_name",
            "representative_relationship",
            "representative_contact",
            "representative_corporate",
            "format_detail",
            "interpreter_language",
            "visit_reason",
            "how_learned",
            "how_learned_label",
            "consent",
            "consent_label",
            "recorded_at",
            "recorded_by",
            "review_due",
            "last_reviewed_at",
            "last_reviewed_by",
            "expires_on",
            "ended_at",
            "ended_by",
            "end_reason",
        ]

    def get_recorded_by(self, need: SupportNeed) -> str | None:
        return _colleague(need.recorded_by)

    def get_last_reviewed_by(self, need: SupportNeed) -> str | None:
        return _colleague(need.last_reviewed_by)

    def get_ended_by(self, need: SupportNeed) -> str | None:
        return _colleague(need.ended_by)


class SupportSignalSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    rule = serializers.CharField()
    rule_label = serializers.CharField(source="get_rule_display")
    reason = serializers.CharField()
    raised_at = serializers.DateTimeField()


class ArrearsSafeguardSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    amount_pence = serializers.IntegerField()
    payment_date = serializers.DateField()
    reason = serializers.SerializerMethodField(
        help_text="Why it was raised; null when it comes from a restricted marker you may not see."
    )

    def get_reason(self, safeguard: ArrearsSafeguard) -> str | None:
        # The selector empties the reason of a restricted safeguard for colleagues not cleared.
        return safeguard.reason or None


class NeedPanelSerializer(serializers.Serializer):
    """support_needs.selectors.NeedPanel, as the panel shows it to this colleague."""

    needs = SupportNeedSerializer(many=True, help_text="Active needs you may see.")
    ended = SupportNeedSerializer(many=True, help_text="Recently ended needs you may see.")
    restricted_hidden = serializers.IntegerField(
        help_text="Active restricted markers you are not cleared to see."
    )
    restricted_signals_hidden = serializers.IntegerField()
    restricted_notice = serializers.SerializerMethodField(
        help_text="Shown when something restricted is hidden from you: whom to contact."
    )
    restricted_contact = serializers.CharField()
    signals = SupportSignalSerializer(many=True)
    safeguards = serializers.SerializerMethodField()
    can_record = serializers.BooleanField()
    can_view_restricted = serializers.BooleanField()

    def get_restricted_notice(self, panel: selectors.NeedPanel) -> str | None:
        if not (panel.restricted_hidden or panel.restricted_signals_hidden):
            return None
        return RESTRICTED_NOTICE.format(panel.restricted_speak_to)

    @extend_schema_field(ArrearsSafeguardSerializer(many=True))
    def get_safeguards(self, panel: selectors.NeedPanel) -> list[dict]:
        return list(ArrearsSafeguardSerializer(panel.safeguards, many=True).data)


class NeedRecordSerializer(serializers.Serializer):
    need_type = serializers.SlugField(help_text="A code from GET /api/v1/support-need-types.")
    details = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    how_learned = serializers.ChoiceField(choices=COLLEAGUE_HOW_LEARNED)
    consent = serializers.ChoiceField(choices=COLLEAGUE_CONSENT)
    representative_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    representative_relationship = serializers.CharField(
        required=False, allow_blank=True, max_length=100
    )
    representative_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    representative_corporate = serializers.BooleanField(required=False, default=False)
    format_detail = serializers.CharField(required=False, allow_blank=True, max_length=200)
    interpreter_language = serializers.CharField(required=False, allow_blank=True, max_length=100)
    visit_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class NeedReviewSerializer(serializers.Serializer):
    next_review = serializers.DateField(
        required=False, allow_null=True, help_text="Empty: the type's usual review period."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class NeedEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the need no longer applies.")


# --- Views ---------------------------------------------------------------------------------


def _audit(request: Request) -> AuditContext:
    """The request's audit context, with the reason sent for a restricted record."""
    return AuditContext.from_request(request, reason=access_reason(request))


def _customer(audit: AuditContext, public_id: uuid.UUID) -> Customer:
    """The panel pages' rule (support_needs.selectors.customer_get_for_needs), with the API's
    refusal for a missing reason."""
    with reason_refusals():
        return selectors.customer_get_for_needs(public_id=public_id, audit=audit)


@extend_schema(
    tags=[TAG],
    operation_id="support_need_types_list",
    summary="Types of need the colleague may record",
    responses={200: NeedTypeSerializer(many=True), **problem_responses(403)},
)
@api_view(["GET"])
def need_types(request: Request) -> Response:
    types = selectors.need_types_for_user(audit=AuditContext.from_request(request))
    return Response(NeedTypeSerializer(types, many=True).data)


def _panel_response(audit: AuditContext, customer: Customer) -> Response:
    panel = selectors.support_need_panel(customer=customer, audit=audit)
    return Response(NeedPanelSerializer(panel).data)


@extend_schema(
    tags=[TAG],
    operation_id="support_needs_panel_get",
    summary="A customer's support needs panel, as the colleague may see it",
    parameters=[ACCESS_REASON_PARAMETER],
    responses={200: NeedPanelSerializer, **problem_responses(400, 403, 404)},
    methods=["GET"],
)
@extend_schema(
    tags=[TAG],
    operation_id="support_need_record",
    summary="Record a support need (support_needs.services.needs.support_need_record)",
    parameters=[ACCESS_REASON_PARAMETER],
    request=NeedRecordSerializer,
    responses={201: SupportNeedSerializer, **problem_responses(400, 403, 404, 415)},
    methods=["POST"],
)
@api_view(["GET", "POST"])
def needs(request: Request, public_id: uuid.UUID) -> Response:
    audit = _audit(request)
    customer = _customer(audit, public_id)
    if request.method == "GET":
        return _panel_response(audit, customer)
    incoming = NeedRecordSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = dict(incoming.validated_data)
    need_type = (
        selectors.need_types_for_user(audit=audit).filter(code=data.pop("need_type")).first()
    )
    if need_type is None:
        raise serializers.ValidationError({"need_type": ["Choose a type."]})
    need = needs_services.support_need_record(
        customer=customer, audit=audit, need_type=need_type, **data
    )
    return Response(SupportNeedSerializer(need).data, status=status.HTTP_201_CREATED)


def _need_change(
    request: Request,
    public_id: uuid.UUID,
    need_id: uuid.UUID,
    serializer_class: type[serializers.Serializer],
    perform: Callable[..., SupportNeed],
) -> Response:
    """A change to one need: the panel's access rule, the input, then the panel's service."""
    audit = _audit(request)
    customer = _customer(audit, public_id)
    need = selectors.support_need_get_for_user(customer=customer, public_id=need_id, audit=audit)
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    need = perform(need=need, audit=audit, **incoming.validated_data)
    return Response(SupportNeedSerializer(need).data)


@extend_schema(
    tags=[TAG],
    operation_id="support_need_review",
    summary="Review a need: it still applies (support_needs.services.needs.support_need_review)",
    parameters=[ACCESS_REASON_PARAMETER],
    request=NeedReviewSerializer,
    responses={200: SupportNeedSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def need_review(request: Request, public_id: uuid.UUID, need_id: uuid.UUID) -> Response:
    return _need_change(
        request, public_id, need_id, NeedReviewSerializer, needs_services.support_need_review
    )


@extend_schema(
    tags=[TAG],
    operation_id="support_need_end",
    summary="End a need that no longer applies (support_needs.services.needs.support_need_end)",
    parameters=[ACCESS_REASON_PARAMETER],
    request=NeedEndSerializer,
    responses={200: SupportNeedSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def need_end(request: Request, public_id: uuid.UUID, need_id: uuid.UUID) -> Response:
    return _need_change(
        request, public_id, need_id, NeedEndSerializer, needs_services.support_need_end
    )
