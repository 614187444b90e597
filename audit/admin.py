"""The access audit in Django admin: search by colleague or customer, export as CSV, never edit."""

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.selectors import (
    access_event_described,
    access_event_detail_shown,
    access_event_for_admin,
    access_event_lookup_allowed,
    access_events_export,
    access_events_for_admin,
    marker_cleared,
)


class _Echo:
    def write(self, value: str) -> str:
        return value


# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a reason
# typed by a colleague must open as text, so it gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class ChangelistReadAudited(admin.ModelAdmin):
    """A Django admin list of customer data whose every look (the list, a search, a filter) is
    audited: `changelist_read` calls the selector that writes the access event, given the search
    and the names of the filters (the selector keeps whether there was a search, never its
    terms)."""

    def changelist_read(self, *, audit: AuditContext, search: str, filters: list[str]) -> None:
        raise NotImplementedError

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":  # a POST runs an action, which audits itself
            self.changelist_read(
                audit=AuditContext.from_request(request),
                search=request.GET.get("q", ""),
                filters=[key for key in request.GET if key not in ("q", "p", "o")],
            )
        return super().changelist_view(request, extra_context)


@admin.register(AccessEvent)
class AccessEventAdmin(ChangelistReadAudited):
    LIST = ("occurred_at", "username", "action", "WHAT", "customer_nino", "reason")
    search_fields = ("=username", "=customer__nino")
    search_help_text = "Exact colleague username, or a customer's NINO with no spaces (ZX123456A)."
    date_hierarchy = "occurred_at"
    list_select_related = ("customer",)
    actions = ["export_csv"]
    show_full_result_count = False

    # What a page shows of an event: a restricted marker's type only to colleagues cleared for
    # markers, through display functions made per request (the admin class is shared).
    FIELDS = (
        "occurred_at",
        "username",
        "action",
        "channel",
        "WHAT",
        "customer_nino",
        "reason",
        "request_id",
        "client_address",
        "DETAIL",
    )

    def _shown(self, request: HttpRequest) -> dict[str, Callable[[AccessEvent], object]]:
        cleared = marker_cleared(AuditContext.from_request(request))

        @admin.display(description="what")
        def what(event: AccessEvent) -> str:
            return access_event_described(event=event, cleared=cleared)

        @admin.display(description="detail")
        def detail(event: AccessEvent) -> object:
            return access_event_detail_shown(detail=event.detail, cleared=cleared)

        return {"WHAT": what, "DETAIL": detail}

    def _with_shown(self, request: HttpRequest, names: tuple[str, ...]) -> list[Any]:
        shown = self._shown(request)
        return [shown.get(name, name) for name in names]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._with_shown(request, self.LIST)

    def get_fields(self, request: HttpRequest, obj: object = None) -> list[Any]:
        return self._with_shown(request, self.FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[Any]:
        return self.get_fields(request, obj)

    def get_list_filter(self, request: HttpRequest) -> tuple[str, ...]:
        # The "what" filter lists every kind of event, a Six Point Plan's among them.
        cleared = marker_cleared(AuditContext.from_request(request))
        return ("action", "what") if cleared else ("action",)

    def changelist_read(self, *, audit: AuditContext, search: str, filters: list[str]) -> None:
        access_events_for_admin(audit=audit, search=search, filters=filters)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # Refused: Django answers 400, as for any lookup it does not allow.
        cleared = marker_cleared(AuditContext.from_request(request))
        allowed = access_event_lookup_allowed(lookup=lookup, value=value, cleared=cleared)
        return allowed and super().lookup_allowed(lookup, value, request)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        access_event_for_admin(audit=AuditContext.from_request(request), pk=object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="customer")
    def customer_nino(self, event: AccessEvent) -> str:
        return event.customer.nino_display if event.customer_id and event.customer else ""

    # Append-only: nobody adds, changes or deletes events here (the database refuses anyway).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Export selected events as CSV", permissions=["view"])
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[AccessEvent]
    ) -> StreamingHttpResponse:
        rows = access_events_export(audit=AuditContext.from_request(request), queryset=queryset)
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow([csv_safe(cell) for cell in row]) for row in rows),
            content_type="text/csv",
        )
        response["Content-Disposition"] = 'attachment; filename="access-audit.csv"'
        return response
