"""/api/v1/: every app's API endpoints, plus who-am-I for token holders."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import user_role_names
from acs import api as acs_api
from benefits import api as benefits_api
from core.api import problem_responses
from customer_view.api import views as customers_api
from support_needs import api as support_needs_api


@extend_schema(
    operation_id="me",
    summary="The colleague the request is authenticated as, and their roles",
    responses={
        200: inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
            },
        ),
        **problem_responses(),
    },
)
@api_view(["GET"])
def me(request: Request) -> Response:
    return Response(
        {"username": request.user.get_username(), "roles": user_role_names(request.user)}
    )


CUSTOMER = "customers/<uuid:public_id>"
NEED = f"{CUSTOMER}/support-needs/<uuid:need_id>"
CASE = "acs/cases/<uuid:public_id>"

urlpatterns = [
    path("me", me, name="me"),
    # Customers: search by POST only (no NINO or name in a URL), then opaque public ids.
    path("customers/search", customers_api.CustomerSearchApi.as_view(), name="customer-search"),
    path(CUSTOMER, customers_api.CustomerRecordApi.as_view(), name="customer-record"),
    path(
        f"{CUSTOMER}/timeline",
        customers_api.CustomerTimelineApi.as_view(),
        name="customer-timeline",
    ),
    path(
        f"{CUSTOMER}/interactions",
        customers_api.CustomerInteractionsApi.as_view(),
        name="customer-interactions",
    ),
    # Support needs
    path("support-need-types", support_needs_api.need_types, name="support-need-types"),
    path(f"{CUSTOMER}/support-needs", support_needs_api.needs, name="support-needs"),
    path(f"{NEED}/review", support_needs_api.need_review, name="support-need-review"),
    path(f"{NEED}/end", support_needs_api.need_end, name="support-need-end"),
    # ACS cases (ACSSLs and team leaders)
    path("acs/cases/mine", acs_api.my_cases, name="acs-my-cases"),
    path("acs/cases/triage", acs_api.TriageApi.as_view(), name="acs-triage"),
    path(CASE, acs_api.case_detail, name="acs-case"),
    path(f"{CASE}/take", acs_api.case_take, name="acs-case-take"),
    path(f"{CASE}/notes", acs_api.note_add, name="acs-case-note-add"),
    path(f"{CASE}/actions", acs_api.action_add, name="acs-case-action-add"),
    path(f"{CASE}/visits", acs_api.visit_request, name="acs-case-visit-request"),
    path(f"{CASE}/visits/<int:visit_id>", acs_api.visit_update, name="acs-case-visit-update"),
    path(f"{CASE}/escalations", acs_api.escalate, name="acs-case-escalate"),
    path(
        f"{CASE}/escalations/<int:escalation_id>",
        acs_api.escalation_update,
        name="acs-case-escalation-update",
    ),
    path("acs/visits", acs_api.VisitsApi.as_view(), name="acs-visits"),
    path("acs/escalations", acs_api.EscalationsApi.as_view(), name="acs-escalations"),
    path("acs/figures", acs_api.figures, name="acs-figures"),
    # Legacy sync (read only)
    path("sync/sources", benefits_api.SyncSourcesApi.as_view(), name="sync-sources"),
    path("sync/runs", benefits_api.SyncRunsApi.as_view(), name="sync-runs"),
    path("sync/quarantine", benefits_api.QuarantineApi.as_view(), name="sync-quarantine"),
]
