"""ACS cases in the REST API, for ACSSLs and team leaders: my caseload, the triage queue, a case,
and taking a case, adding a note or an action. The same selectors and services as acs.views,
which check access and write the access events; a restricted customer's reason comes in the
X-Access-Reason header."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from acs import selectors, services
from acs.models import AcsCase, CaseAction, CaseNote
from audit.context import AuditContext
from core.api import ApiPagination, problem_responses
from customers.api.access import ACCESS_REASON_PARAMETER, access_reason, reason_refusals

TAG = "ACS cases"


def _colleague(user: User | None) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


# --- Serializers ---------------------------------------------------------------------------


class AcsCaseSummarySerializer(serializers.Serializer):
    """What any colleague who opens the customer may know (acs_case_summary_for_customer)."""

    reference = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    active = serializers.BooleanField()
    public_id = serializers.UUIDField(
        allow_null=True, help_text="Only for colleagues who work cases (ACSSLs, team leaders)."
    )


class CaseCustomerSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    full_name = serializers.CharField()
    restricted = serializers.BooleanField()


class CaseListItemSerializer(serializers.ModelSerializer):
    customer = CaseCustomerSerializer()
    status_label = serializers.CharField(source="get_status_display")
    urgency_label = serializers.CharField(source="get_urgency_display")
    owner = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()

    class Meta:
        model = AcsCase
        fields = [
            "public_id",
            "reference",
            "status",
            "status_label",
            "urgency",
            "urgency_label",
            "risk_level",
            "owner",
            "customer",
            "categories",
            "referred_at",
            "opened_at",
            "next_review_on",
        ]

    def get_owner(self, case: AcsCase) -> str | None:
        return _colleague(case.owner) if case.owner_id else None

    def get_categories(self, case: AcsCase) -> list[str]:
        return [category.name for category in case.categories.all()]


class CaseActionSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    completed_by = serializers.SerializerMethodField()

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "description",
            "owner",
            "due_on",
            "created_at",
            "completed_at",
            "completed_by",
        ]

    def get_owner(self, action: CaseAction) -> str | None:
        return _colleague(action.owner)

    def get_completed_by(self, action: CaseAction) -> str | None:
        return _colleague(action.completed_by)


class CaseNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    corrects = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # type: ignore[var-annotated]

    class Meta:
        model = CaseNote
        fields = ["id", "text", "author", "created_at", "corrects"]

    def get_author(self, note: CaseNote) -> str | None:
        return _colleague(note.author)


class ReferralSerializer(serializers.Serializer):
    reason = serializers.CharField()
    urgency = serializers.CharField()
    customer_agreed = serializers.CharField()
    # "source" shadows Field.source in the type stubs only; the field is the referral's source.
    source = serializers.CharField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    referred_by = serializers.SerializerMethodField()

    def get_referred_by(self, referral: Any) -> str | None:
        return _colleague(referral.referred_by)


class CaseEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    summary = serializers.CharField()
    actor_username = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseListItemSerializer):
    outcome = serializers.SerializerMethodField()
    referrals = ReferralSerializer(many=True)
    actions = CaseActionSerializer(many=True)
    notes = CaseNoteSerializer(many=True)
    events = CaseEventSerializer(many=True)

    class Meta(CaseListItemSerializer.Meta):
        fields = [
            *CaseListItemSerializer.Meta.fields,
            "closed_at",
            "outcome",
            "closure_summary",
            "referrals",
            "actions",
            "notes",
            "events",
        ]

    def get_outcome(self, case: AcsCase) -> str | None:
        return case.outcome.name if case.outcome is not None else None


class CaseloadSerializer(serializers.Serializer):
    cases = CaseListItemSerializer(many=True)
    overdue_actions = serializers.SerializerMethodField()
    reviews_due = serializers.SerializerMethodField()

    @extend_schema_field(CaseActionSerializer(many=True))
    def get_overdue_actions(self, caseload: Any) -> list[dict[str, Any]]:
        return list(CaseActionSerializer(caseload.overdue_actions, many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_reviews_due(self, caseload: Any) -> list[str]:
        return [str(case.public_id) for case in caseload.reviews_due]


class NoteAddSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000)
    corrects = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The id of a note on this case."
    )


class ActionAddSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    owner = serializers.CharField(
        required=False,
        max_length=150,
        help_text="Username of an ACSSL or team leader; you when left out.",
    )
    due_on = serializers.DateField()


# --- Views ---------------------------------------------------------------------------------


def _audit(request: Request) -> AuditContext:
    """The audit context of an API request: the reason is the X-Access-Reason header."""
    return AuditContext.from_request(request, reason=access_reason(request))


@extend_schema(
    tags=[TAG],
    operation_id="acs_my_cases",
    summary="My caseload: open and monitoring cases, overdue actions, reviews due",
    responses={200: CaseloadSerializer, **problem_responses(403)},
)
@api_view(["GET"])
def my_cases(request: Request) -> Response:
    caseload = selectors.acs_caseload_for_user(audit=_audit(request))
    return Response(CaseloadSerializer(caseload).data)


class TriageApi(generics.ListAPIView):
    serializer_class = CaseListItemSerializer
    pagination_class = ApiPagination

    def get_queryset(self) -> Any:
        return selectors.acs_triage_queue(audit=_audit(self.request))

    @extend_schema(
        tags=[TAG],
        operation_id="acs_triage_list",
        summary="The triage queue: unassigned referred cases, most urgent and oldest first",
        responses={200: CaseListItemSerializer(many=True), **problem_responses(403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_get",
    summary="One case: referrals, actions, notes and its history",
    parameters=[ACCESS_REASON_PARAMETER],
    responses={200: CaseDetailSerializer, **problem_responses(400, 403, 404)},
)
@api_view(["GET"])
def case_detail(request: Request, public_id: uuid.UUID) -> Response:
    with reason_refusals():
        case = selectors.acs_case_get(public_id=public_id, audit=_audit(request))
    return Response(CaseDetailSerializer(case).data)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_take",
    summary="Take the case: you become its owner (a referred case opens)",
    parameters=[ACCESS_REASON_PARAMETER],
    request=None,
    responses={200: CaseDetailSerializer, **problem_responses(400, 403, 404)},
)
@api_view(["POST"])
def case_take(request: Request, public_id: uuid.UUID) -> Response:
    audit = _audit(request)
    with reason_refusals():
        case = selectors.acs_case_get_for_change(
            public_id=public_id, audit=audit, what="acs case take"
        )
        services.acs_case_take(audit=audit, case=case)
        # The answer is the whole case, read (and logged) as the case is.
        taken = selectors.acs_case_get(public_id=public_id, audit=audit)
    return Response(CaseDetailSerializer(taken).data)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_note_add",
    summary="Add a note (notes are never edited: a correction points at the note it corrects)",
    request=NoteAddSerializer,
    responses={201: CaseNoteSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def note_add(request: Request, public_id: uuid.UUID) -> Response:
    audit = _audit(request)
    with reason_refusals():
        case = selectors.acs_case_get_for_change(
            public_id=public_id, audit=audit, what="acs case note"
        )
    incoming = NoteAddSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    corrects_id = incoming.validated_data.get("corrects")
    corrects = next((n for n in case.notes.all() if n.pk == corrects_id), None)
    if corrects_id and corrects is None:
        raise ValidationError({"corrects": "Choose a note on this case."})
    note = services.acs_note_add(
        audit=audit, case=case, text=incoming.validated_data["text"], corrects=corrects
    )
    return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_action_add",
    summary="Add an action with an owner and a due date (open or monitoring cases)",
    request=ActionAddSerializer,
    responses={201: CaseActionSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def action_add(request: Request, public_id: uuid.UUID) -> Response:
    audit = _audit(request)
    with reason_refusals():
        case = selectors.acs_case_get_for_change(
            public_id=public_id, audit=audit, what="acs case action"
        )
    incoming = ActionAddSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = incoming.validated_data
    owner = audit.user
    if data.get("owner"):
        # The owners the case page offers (acs.forms.ActionForm): ACSSLs and team leaders.
        owner = selectors.acs_case_owners().filter(username=data["owner"]).first()
        if owner is None:
            raise ValidationError({"owner": "Choose an ACSSL or a team leader."})
    action = services.acs_action_add(
        audit=audit,
        case=case,
        description=data["description"],
        owner=owner,
        due_on=data["due_on"],
    )
    return Response(CaseActionSerializer(action).data, status=status.HTTP_201_CREATED)
