"""The legacy sync in the REST API (read only): each source's status, recent runs, and the open
quarantine. The ops page's selectors and permissions (benefits.views)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.context import AuditContext
from benefits.models import QuarantinedRecord, SyncRun
from benefits.sources import SOURCES
from benefits.sync.selectors import (
    QuarantineShown,
    quarantine_shown_for,
    quarantined_records_for_admin,
    run_progress_percent,
    sync_runs_recent,
    sync_sources_status,
)
from core.api import ApiPagination, problem_responses

TAG = "Legacy sync"
RECENT_RUNS = 200


def requires(permission: str) -> type[permissions.BasePermission]:
    """A DRF permission for one Django permission, as the page's @permission_required."""

    class HasPermission(permissions.BasePermission):
        message = "Your role does not see the legacy sync."

        def has_permission(self, request: Request, view: Any) -> bool:
            return bool(request.user and request.user.has_perm(permission))

    HasPermission.__name__ = f"Has_{permission.replace('.', '_')}"
    return HasPermission


class SyncRunSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(source="get_source_display")
    started_by = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "source",
            "source_label",
            "status",
            "full",
            "started_by",
            "queued_at",
            "started_at",
            "finished_at",
            "pages",
            "fetched",
            "created",
            "updated",
            "unchanged",
            "quarantined",
            "expected",
            "progress_percent",
            "error",
        ]

    def get_started_by(self, run: SyncRun) -> str | None:
        return run.started_by.get_username() if run.started_by is not None else None

    def get_progress_percent(self, run: SyncRun) -> int | None:
        return run_progress_percent(run)


class SourceStatusSerializer(serializers.Serializer):
    # The serializer's own `source`/`label` (it is a Field too) are shadowed only in the stubs:
    # DRF moves declared fields off the class.
    source = serializers.CharField()  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]
    last_run = SyncRunSerializer(allow_null=True)
    active_run = SyncRunSerializer(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    open_quarantine = serializers.IntegerField()


class QuarantinedRecordSerializer(serializers.ModelSerializer):
    """What was quarantined and why. The payload (customer data) stays in Django admin, where
    admins correct and replay or discard it; a reason's quoted values are hidden as there
    (benefits.sync.selectors.QuarantineShown, in the context as "shown")."""

    reason = serializers.SerializerMethodField()

    class Meta:
        model = QuarantinedRecord
        fields = [
            "id",
            "source",
            "sync_run",
            "position",
            "record_version",
            "reason",
            "status",
            "created_at",
        ]

    def get_reason(self, record: QuarantinedRecord) -> str:
        shown: QuarantineShown = self.context["shown"]
        return shown.reason(record)


class SyncSourcesApi(APIView):
    permission_classes = [permissions.IsAuthenticated, requires("benefits.view_syncrun")]

    @extend_schema(
        tags=[TAG],
        operation_id="sync_sources_list",
        summary="Each legacy source: last run, active run, last success, open quarantine",
        responses={200: SourceStatusSerializer(many=True), **problem_responses(403)},
    )
    def get(self, request: Request) -> Response:
        return Response(SourceStatusSerializer(sync_sources_status(), many=True).data)


class SyncRunsApi(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, requires("benefits.view_syncrun")]
    serializer_class = SyncRunSerializer
    pagination_class = ApiPagination

    def get_queryset(self) -> Any:
        return sync_runs_recent(limit=RECENT_RUNS)

    @extend_schema(
        tags=[TAG],
        operation_id="sync_runs_list",
        summary=f"The {RECENT_RUNS} most recent sync runs, newest first",
        responses={200: SyncRunSerializer(many=True), **problem_responses(403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class QuarantineApi(generics.ListAPIView):
    permission_classes = [
        permissions.IsAuthenticated,
        requires("benefits.view_quarantinedrecord"),
    ]
    serializer_class = QuarantinedRecordSerializer
    pagination_class = ApiPagination
    queryset = QuarantinedRecord.objects.none()  # for the schema: get() reads through a selector

    @extend_schema(
        tags=[TAG],
        operation_id="sync_quarantine_list",
        summary="Open quarantined records (correct and replay, or discard, in Django admin)",
        parameters=[OpenApiParameter("source", str, enum=list(SOURCES))],
        responses={200: QuarantinedRecordSerializer(many=True), **problem_responses(400, 403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = request.query_params.get("source", "")
        if source and source not in SOURCES:
            raise serializers.ValidationError({"source": [f"One of {', '.join(SOURCES)}."]})
        audit = AuditContext.from_request(request)
        records = quarantined_records_for_admin(audit=audit, source=source, open_only=True)
        page = self.paginate_queryset(records)
        context = {**self.get_serializer_context(), "shown": quarantine_shown_for(audit)}
        return self.get_paginated_response(
            self.get_serializer(page, many=True, context=context).data
        )
