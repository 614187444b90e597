"""The access audit in Django admin: search by colleague or customer, export as CSV, never edit."""

import csv

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from audit.models import AccessEvent
from audit.services import access_record

CSV_COLUMNS = (
    "occurred_at",
    "username",
    "action",
    "what",
    "customer_id",
    "reason",
    "request_id",
    "client_address",
    "detail",
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


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "username", "action", "what", "customer_nino", "reason")
    list_filter = ("action", "what")
    search_fields = ("=username", "=customer__nino")
    search_help_text = "Exact colleague username, or a customer's NINO with no spaces (ZX123456A)."
    date_hierarchy = "occurred_at"
    list_select_related = ("customer",)
    actions = ["export_csv"]
    show_full_result_count = False

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
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AccessEvent]) -> HttpResponse:
        access_record(
            request=request,
            action=AccessEvent.Action.EXPORT,
            what="access audit CSV",
            detail={"rows": queryset.count()},
        )
        writer = csv.writer(_Echo())
        rows = queryset.order_by("occurred_at").values_list(*CSV_COLUMNS).iterator()
        response = StreamingHttpResponse(
            (writer.writerow([csv_safe(cell) for cell in row]) for row in [CSV_COLUMNS, *rows]),
            content_type="text/csv",
        )
        response["Content-Disposition"] = 'attachment; filename="access-audit.csv"'
        return response
