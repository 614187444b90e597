"""Customer endpoints: search, the holistic record, its timeline, interactions.

Thin, like customer_view.views: the same selectors and services (access rules and audit live
there).
"""

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs.selectors import acs_case_summary_for_customer
from audit.context import AuditContext
from audit.models import AccessEvent
from core.api import ApiPagination, problem_responses
from customer_view.api.serializers import (
    CustomerRecordSerializer,
    CustomerSearchRequestSerializer,
    InteractionCreateSerializer,
    InteractionSerializer,
    SearchResultsSerializer,
    TimelinePageSerializer,
    TimelineQuerySerializer,
)
from customer_view.selectors import customer_page_get, interactions_for_customer, search_rows
from customer_view.timeline import MAX_PAGE, timeline_page_get, timeline_sources
from customers.api.access import ACCESS_REASON_PARAMETER, api_audit, customer_for_api
from customers.models import Benefit, Interaction
from customers.selectors import (
    customer_access_require,
    customer_search_by_name,
    customer_search_by_nino,
)
from customers.services import interaction_record

TAG = "Customers"


class CustomerSearchApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="customer_search",
        summary="Find customers by NINO, or by name, postcode or both, with an optional date "
        "of birth",
        description="POST, never GET: a NINO or a name must not be in a URL. A postcode alone "
        "(or its start, e.g. `LS1`), or with a date of birth, finds the customers living there, "
        "by surname, as the search page does. Restricted records "
        "you are not cleared to open are counted but hidden (`hidden`, `notice`).",
        request=CustomerSearchRequestSerializer,
        responses={200: SearchResultsSerializer, **problem_responses(400, 403, 415)},
    )
    def post(self, request: Request) -> Response:
        audit = AuditContext.from_request(request)
        customer_access_require(audit=audit, what="customer search")
        incoming = CustomerSearchRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        search = incoming.validated_data
        by = search["by"]
        if by == "nino":
            match = customer_search_by_nino(nino=search["nino"], audit=audit)
            results, truncated = ([match] if match else []), False
        else:
            found = customer_search_by_name(**search["criteria"], audit=audit)
            results, truncated = found.results, found.truncated
        rows = search_rows(results=results, audit=audit)
        body = {"by": by, "count": len(rows), "truncated": truncated, "results": rows}
        return Response(SearchResultsSerializer(body).data)


class CustomerRecordApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="customer_record_get",
        summary="A customer's holistic record, as the customer page shows it to you",
        description="Identity, each benefit and its award, recent and next payments, active "
        "support needs as your role may see them (restricted ones only as a notice of whom to "
        "contact), the ACS case summary, source freshness and differences between systems.",
        parameters=[ACCESS_REASON_PARAMETER],
        responses={200: CustomerRecordSerializer, **problem_responses(400, 403, 404)},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        audit = api_audit(request)
        customer = customer_for_api(request, public_id, audit=audit)
        # previous_visit=None: "what changed since you last looked" belongs to the browser.
        page = customer_page_get(customer=customer, audit=audit, previous_visit=None)
        summary = acs_case_summary_for_customer(customer=customer, audit=audit)
        return Response(CustomerRecordSerializer(page, context={"acs_case": summary}).data)


class CustomerTimelineApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="customer_timeline_get",
        summary="The customer's timeline, newest first, filtered like the customer page",
        parameters=[
            ACCESS_REASON_PARAMETER,
            OpenApiParameter(
                "type",
                str,
                enum=sorted(source.type for source in timeline_sources()) or None,
                description="One kind of entry (benefit_event, payment, interaction, ...).",
            ),
            OpenApiParameter("benefit", str, enum=Benefit.values, description="One benefit."),
            OpenApiParameter("page", int, description=f"1 to {MAX_PAGE} (20 entries a page)."),
        ],
        responses={200: TimelinePageSerializer, **problem_responses(400, 403, 404)},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        audit = api_audit(request)
        customer_access_require(audit=audit, what="customer timeline")
        query = TimelineQuerySerializer(
            data=request.query_params, types=[s.type for s in timeline_sources()]
        )
        query.is_valid(raise_exception=True)
        customer = customer_for_api(
            request,
            public_id,
            what="customer timeline",
            action=AccessEvent.Action.VIEW_FRAGMENT,
            audit=audit,
        )
        timeline = timeline_page_get(
            customer=customer,
            audit=audit,
            type=query.validated_data.get("type", ""),
            benefit=query.validated_data.get("benefit", ""),
            page=query.validated_data["page"],
        )
        return Response(TimelinePageSerializer(timeline).data)


class CustomerInteractionsApi(generics.ListAPIView):
    serializer_class = InteractionSerializer
    pagination_class = ApiPagination
    queryset = Interaction.objects.none()  # for the schema; get_queryset reads through selectors

    def get_queryset(self) -> Any:
        customer = customer_for_api(
            self.request,
            self.kwargs["public_id"],
            what="customer interactions",
            action=AccessEvent.Action.VIEW_FRAGMENT,
        )
        return interactions_for_customer(customer=customer)

    @extend_schema(
        tags=[TAG],
        operation_id="customer_interactions_list",
        summary="The customer's interactions, newest first",
        parameters=[ACCESS_REASON_PARAMETER],
        responses={200: InteractionSerializer(many=True), **problem_responses(400, 403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        operation_id="customer_interaction_record",
        summary="Record an interaction (customers.services.interaction_record)",
        parameters=[ACCESS_REASON_PARAMETER],
        request=InteractionCreateSerializer,
        responses={201: InteractionSerializer, **problem_responses(400, 403, 404, 415)},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        audit = api_audit(request)
        customer = customer_for_api(
            request,
            public_id,
            what="record interaction",
            action=AccessEvent.Action.VIEW_FRAGMENT,
            audit=audit,
        )
        incoming = InteractionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        interaction = interaction_record(customer=customer, audit=audit, **incoming.validated_data)
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)
