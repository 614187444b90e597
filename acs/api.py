"""ACS cases in the REST API, for ACSSLs and team leaders: my caseload, the triage queue, a case
(with its home visits, escalations and what was learned at closure), taking a case, adding a
note or an action, requesting a visit, escalating, moving a visit or an escalation on; the
coordinators' lists of visits and escalations; and the figures, exported with small counts
suppressed. The same selectors and services as acs.views, which check access and write the
access events; a restricted customer's reason comes in the X-Access-Reason header."""

import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from acs import caseload_selectors, selectors, services
from acs.forms import FiguresFilterForm
from acs.models import (
    AcsCase,
    CaseAction,
    CaseNote,
    Escalation,
    TrackedStatus,
    VisitRequest,
)
from audit.context import AuditContext
from core.api import ApiPagination, problem_responses
from customers.api.access import ACCESS_REASON_PARAMETER, access_reason, reason_refusals

TAG = "ACS cases"
RESTRICTED_NAME = "Restricted record"


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
    """The customer of a case in a list. As the pages' lists, a restricted customer's name is
    shown only to colleagues cleared for restricted records (the view passes `cleared`)."""

    public_id = serializers.UUIDField()
    full_name = serializers.SerializerMethodField(
        help_text=f'"{RESTRICTED_NAME}" for a restricted customer, unless you are cleared.'
    )
    restricted = serializers.BooleanField()

    def get_full_name(self, customer: Any) -> str:
        if customer.restricted and not self.context.get("cleared", False):
            return RESTRICTED_NAME
        return str(customer.full_name)


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


TRACKED_FIELDS = [
    "id",
    "status",
    "status_label",
    "owner",
    "owner_username",
    "scheduled_on",
    "outcome",
    "status_changed_at",
    "finished_at",
]


class TrackedItemFields(serializers.ModelSerializer):
    """What a home visit request and an escalation share (acs.models.TrackedItem)."""

    status_label = serializers.CharField(source="get_status_display")
    owner = serializers.SerializerMethodField(help_text="Who coordinates it (null: nobody).")
    owner_username = serializers.SerializerMethodField()

    def get_owner(self, item: Any) -> str | None:
        return _colleague(item.owner)

    def get_owner_username(self, item: Any) -> str | None:
        return item.owner.get_username() if item.owner is not None else None


class VisitSerializer(TrackedItemFields):
    requested_by = serializers.SerializerMethodField()

    class Meta:
        model = VisitRequest
        fields = [*TRACKED_FIELDS, "reason", "requested_by", "requested_at"]

    def get_requested_by(self, visit: VisitRequest) -> str | None:
        return _colleague(visit.requested_by)


class EscalationSerializer(TrackedItemFields):
    route_label = serializers.CharField(source="get_route_display")
    escalated_by = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [*TRACKED_FIELDS, "route", "route_label", "reason", "escalated_by", "escalated_at"]

    def get_escalated_by(self, escalation: Escalation) -> str | None:
        return _colleague(escalation.escalated_by)


class LeftOpenSerializer(serializers.Serializer):
    item = serializers.CharField(help_text='What was pending, as "action_12", "visit_4", ...')
    # "label" shadows Field.label in the type stubs only; the field is the item's description.
    label = serializers.CharField()  # type: ignore[assignment]
    reason = serializers.CharField(help_text="Why the case closed with it still open.")


class LearningThemeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LearningSerializer(serializers.Serializer):
    """What was learned, captured when the case closed (empty while it is open)."""

    text = serializers.CharField(source="learning")
    themes = LearningThemeSerializer(source="learning_themes.all", many=True)
    left_open = LeftOpenSerializer(source="closure_left_open", many=True)


class CaseDetailSerializer(CaseListItemSerializer):
    outcome = serializers.SerializerMethodField()
    referrals = ReferralSerializer(many=True)
    actions = CaseActionSerializer(many=True)
    notes = CaseNoteSerializer(many=True)
    visits = VisitSerializer(source="visit_requests", many=True)
    escalations = EscalationSerializer(many=True)
    learning = LearningSerializer(source="*")
    events = CaseEventSerializer(many=True)

    class Meta(CaseListItemSerializer.Meta):
        fields = [
            *CaseListItemSerializer.Meta.fields,
            "closed_at",
            "outcome",
            "closure_summary",
            "learning",
            "referrals",
            "actions",
            "notes",
            "visits",
            "escalations",
            "events",
        ]

    def get_outcome(self, case: AcsCase) -> str | None:
        return case.outcome.name if case.outcome is not None else None


class TrackedCaseSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    reference = serializers.CharField()
    customer = CaseCustomerSerializer()
    owner = serializers.SerializerMethodField(help_text="Who owns the case.")

    def get_owner(self, case: AcsCase) -> str | None:
        return _colleague(case.owner)


class VisitListItemSerializer(VisitSerializer):
    case = TrackedCaseSerializer()

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "case"]


class EscalationListItemSerializer(EscalationSerializer):
    case = TrackedCaseSerializer()

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "case"]


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


class VisitRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why a home visit is needed.")


class EscalateSerializer(serializers.Serializer):
    route = serializers.ChoiceField(choices=Escalation.Route.choices)
    reason = serializers.CharField(max_length=5000)


class TrackedItemUpdateSerializer(serializers.Serializer):
    """A change to a visit or an escalation; what is left out stays as it is."""

    status = serializers.ChoiceField(
        choices=TrackedStatus.choices,
        required=False,
        help_text="requested -> accepted (needs scheduled_on) -> done, or declined; done and"
        " declined are final and need an outcome.",
    )
    owner = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=150,
        help_text="Username of the ACSSL or team leader who coordinates it; null for nobody.",
    )
    scheduled_on = serializers.DateField(required=False, allow_null=True)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class FigureTableSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text='Each row: its label, then numbers, null (nothing to measure) or "[c]"'
        " (suppressed: too few cases to show).",
    )


class FiguresSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    suppress_below = serializers.IntegerField(
        help_text='Counts from 1 to this minus 1 are shown as "[c]", as in published statistics.'
    )
    tables = FigureTableSerializer(many=True)


# --- Views ---------------------------------------------------------------------------------


def _audit(request: Request) -> AuditContext:
    """The audit context of an API request: the reason is the X-Access-Reason header."""
    return AuditContext.from_request(request, reason=access_reason(request))


def _case_to_change(request: Request, public_id: uuid.UUID, what: str) -> tuple[AuditContext, Any]:
    """The audit context and the case about to change, with the case's access rules (role,
    restricted record, the X-Access-Reason header) checked first."""
    audit = _audit(request)
    with reason_refusals():
        case = selectors.acs_case_get_for_change(public_id=public_id, audit=audit, what=what)
    return audit, case


def _shown(audit: AuditContext) -> dict[str, Any]:
    """Serializer context: may this colleague see restricted customers' names in lists?"""
    return {"cleared": selectors.acs_restricted_names_shown(audit=audit)}


def _owner_named(username: str) -> User:
    """A colleague the case pages offer as an owner (ACSSLs and team leaders), by username."""
    owner = selectors.acs_case_owners().filter(username=username).first()
    if owner is None:
        raise ValidationError({"owner": "Choose an ACSSL or a team leader."})
    return owner


@extend_schema(
    tags=[TAG],
    operation_id="acs_my_cases",
    summary="My caseload: open and monitoring cases, overdue actions, reviews due",
    responses={200: CaseloadSerializer, **problem_responses(403)},
)
@api_view(["GET"])
def my_cases(request: Request) -> Response:
    audit = _audit(request)
    caseload = selectors.acs_caseload_for_user(audit=audit)
    return Response(CaseloadSerializer(caseload, context=_shown(audit)).data)


class AuditedListApi(generics.ListAPIView):
    """A paged list read through a selector with the request's audit context, its restricted
    customers' names shown as the pages show them."""

    pagination_class = ApiPagination

    def audit(self) -> AuditContext:
        if not hasattr(self, "_audit_context"):
            self._audit_context = _audit(self.request)
        return self._audit_context

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_shown(self.audit())}


class TriageApi(AuditedListApi):
    serializer_class = CaseListItemSerializer

    def get_queryset(self) -> Any:
        return selectors.acs_triage_queue(audit=self.audit())

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
    audit = _audit(request)
    with reason_refusals():
        case = selectors.acs_case_get(public_id=public_id, audit=audit)
    return Response(CaseDetailSerializer(case, context=_shown(audit)).data)


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
    audit, case = _case_to_change(request, public_id, "acs case take")
    with reason_refusals():
        services.acs_case_take(audit=audit, case=case)
        # The answer is the whole case, read (and logged) as the case is.
        taken = selectors.acs_case_get(public_id=public_id, audit=audit)
    return Response(CaseDetailSerializer(taken, context=_shown(audit)).data)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_note_add",
    summary="Add a note (notes are never edited: a correction points at the note it corrects)",
    request=NoteAddSerializer,
    responses={201: CaseNoteSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def note_add(request: Request, public_id: uuid.UUID) -> Response:
    audit, case = _case_to_change(request, public_id, "acs case note")
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
    audit, case = _case_to_change(request, public_id, "acs case action")
    incoming = ActionAddSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = incoming.validated_data
    # The owners the case page offers (acs.forms.ActionForm): ACSSLs and team leaders.
    owner = _owner_named(data["owner"]) if data.get("owner") else audit.user
    action = services.acs_action_add(
        audit=audit,
        case=case,
        description=data["description"],
        owner=owner,
        due_on=data["due_on"],
    )
    return Response(CaseActionSerializer(action).data, status=status.HTTP_201_CREATED)


# --- Home visits and escalations -------------------------------------------------------------


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_visit_request",
    summary="Ask the DWP Visiting Service to visit the customer (open or monitoring cases)",
    parameters=[ACCESS_REASON_PARAMETER],
    request=VisitRequestSerializer,
    responses={201: VisitSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def visit_request(request: Request, public_id: uuid.UUID) -> Response:
    audit, case = _case_to_change(request, public_id, "acs case visit")
    incoming = VisitRequestSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    visit = services.acs_visit_request(
        audit=audit, case=case, reason=incoming.validated_data["reason"]
    )
    return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_escalate",
    summary="Escalate the case to an Internal Process Review or the Serious Case Panel",
    parameters=[ACCESS_REASON_PARAMETER],
    request=EscalateSerializer,
    responses={201: EscalationSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["POST"])
def escalate(request: Request, public_id: uuid.UUID) -> Response:
    audit, case = _case_to_change(request, public_id, "acs case escalate")
    incoming = EscalateSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    escalation = services.acs_case_escalate(audit=audit, case=case, **incoming.validated_data)
    return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


def _tracked_update(
    request: Request, public_id: uuid.UUID, kind: str, item_id: int
) -> VisitRequest | Escalation:
    """Move a visit (`kind` "visit") or an escalation of this case on, as the case page does."""
    audit, case = _case_to_change(request, public_id, f"acs case {kind}")
    items = case.visit_requests.all() if kind == "visit" else case.escalations.all()
    item = next((each for each in items if each.pk == item_id), None)
    if item is None:
        raise Http404(f"No such {kind} on this case.")
    incoming = TrackedItemUpdateSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = incoming.validated_data
    owner: User | Literal[services.Keep.OWNER] | None = services.Keep.OWNER
    if "owner" in data:
        owner = _owner_named(data["owner"]) if data["owner"] else None
    return services.acs_tracked_item_update(
        audit=audit,
        item=item,
        status=data.get("status", item.status),
        owner=owner,
        scheduled_on=data.get("scheduled_on"),
        outcome=data.get("outcome", item.outcome),
    )


TRACKED_UPDATE = (
    "Move it on: requested, accepted or scheduled (with the date), done or declined (with the"
    " outcome); set or remove who coordinates it (owner null: nobody). Fields left out stay."
)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_visit_update",
    summary="Update a home visit request",
    description=TRACKED_UPDATE,
    parameters=[ACCESS_REASON_PARAMETER],
    request=TrackedItemUpdateSerializer,
    responses={200: VisitSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["PATCH"])
def visit_update(request: Request, public_id: uuid.UUID, visit_id: int) -> Response:
    return Response(VisitSerializer(_tracked_update(request, public_id, "visit", visit_id)).data)


@extend_schema(
    tags=[TAG],
    operation_id="acs_case_escalation_update",
    summary="Update an escalation",
    description=TRACKED_UPDATE,
    parameters=[ACCESS_REASON_PARAMETER],
    request=TrackedItemUpdateSerializer,
    responses={200: EscalationSerializer, **problem_responses(400, 403, 404, 415)},
)
@api_view(["PATCH"])
def escalation_update(request: Request, public_id: uuid.UUID, escalation_id: int) -> Response:
    updated = _tracked_update(request, public_id, "escalation", escalation_id)
    return Response(EscalationSerializer(updated).data)


SHOW_ALL = OpenApiParameter(
    name="show",
    type=str,
    enum=["all"],
    required=False,
    description="all: the done and declined ones too (newest first, after the open ones).",
)


class TrackedListApi(AuditedListApi):
    kind = ""

    def get_queryset(self) -> Any:
        return caseload_selectors.acs_tracked_items(
            audit=self.audit(),
            kind=self.kind,
            show_all=self.request.query_params.get("show") == "all",
        )


class VisitsApi(TrackedListApi):
    kind = "visits"
    serializer_class = VisitListItemSerializer

    @extend_schema(
        tags=[TAG],
        operation_id="acs_visits_list",
        summary="Home visit requests across every case: open ones by the date set",
        parameters=[SHOW_ALL],
        responses={200: VisitListItemSerializer(many=True), **problem_responses(403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class EscalationsApi(TrackedListApi):
    kind = "escalations"
    serializer_class = EscalationListItemSerializer

    @extend_schema(
        tags=[TAG],
        operation_id="acs_escalations_list",
        summary="Escalations across every case: open ones by the date set",
        parameters=[SHOW_ALL],
        responses={200: EscalationListItemSerializer(many=True), **problem_responses(403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- Figures -----------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG],
    operation_id="acs_figures",
    summary="Every figure table for a date range, small counts suppressed as in exports",
    description="The tables of the figures page and its CSV downloads, read as an export: counts"
    ' from 1 to suppress_below - 1, and medians of so few cases, are "[c]". Left out, the range'
    " is the last 12 months to today, as on the page.",
    parameters=[
        OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
        OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
    ],
    responses={200: FiguresSerializer, **problem_responses(400, 403)},
)
@api_view(["GET"])
def figures(request: Request) -> Response:
    wanted = {key: request.query_params.get(key, "") for key in ("date_from", "date_to")}
    form = FiguresFilterForm(wanted)
    if not form.is_valid():
        raise ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in form.errors.items()
            }
        )
    exported = selectors.acs_figures_export(
        audit=_audit(request),
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    return Response(FiguresSerializer(exported).data)
