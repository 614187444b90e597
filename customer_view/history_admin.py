"""Change history in Django admin: read-only, per customer record, with the colleague or sync run.

Admins do not open customer records (docs/access-control.md), so this shows *that* a record
changed — when, which kind of row, insert/update/delete, the names of the fields that changed,
and who (a colleague or a sync run) — never the values. The values stay in the pghistory event
tables for an investigation. Searching is by the customer's NINO and covers the customer row and
every row that points at it (awards, payments, interactions, needs, cases); each look is audited.
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from pghistory.models import Events

from accounts.models import User
from audit.context import AuditContext
from customer_view.selectors import change_history_for_admin

# Who may read the access audit may read the change history: the same accountability job.
READ_PERMISSION = "audit.view_accessevent"


class HistoryChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # One query for the page's colleagues, not one per row.
        contexts = [event.pgh_context or {} for event in self.result_list]
        ids = {c["user"] for c in contexts if isinstance(c.get("user"), int)}
        names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
        for event, context in zip(self.result_list, contexts, strict=True):
            event.changed_by = _changed_by(context, names)


def _changed_by(context: dict[str, Any], names: dict[int, str]) -> str:
    if context.get("sync_run"):
        return f"sync run {context['sync_run']} ({context.get('source', '?')})"
    if context.get("user"):
        return names.get(context["user"], f"colleague #{context['user']}")
    return "(no context: a database change outside the portal)"


@admin.register(Events)
class ChangeHistoryAdmin(admin.ModelAdmin):
    list_display = ("pgh_created_at", "record", "pgh_label", "fields_changed", "by")
    list_display_links = None
    search_help_text = "A customer's NINO with no spaces (ZX123456A)."
    search_fields = ("pgh_obj_id",)  # shows the search box; get_search_results does the work
    show_full_result_count = False
    list_per_page = 50

    def get_urls(self) -> list:
        # The list only: no per-event page (it would show the values).
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="pghistory_events_changelist")]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return HistoryChangeList

    def get_queryset(self, request: HttpRequest) -> QuerySet[Events]:
        return Events.objects.order_by("-pgh_created_at", "-pgh_id")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Events], search_term: str
    ) -> tuple[QuerySet[Events], bool]:
        events = change_history_for_admin(
            audit=AuditContext.from_request(request), nino=search_term, events=queryset
        )
        return events, False

    @admin.display(description="record")
    def record(self, event: Events) -> str:
        try:
            return str(apps.get_model(event.pgh_obj_model)._meta.verbose_name)
        except (LookupError, ValueError):
            return event.pgh_obj_model

    @admin.display(description="fields changed")
    def fields_changed(self, event: Events) -> str:
        if event.pgh_label != "update":
            return ""
        return ", ".join(sorted(event.pgh_diff or {}))

    @admin.display(description="by")
    def by(self, event: Events) -> str:
        return getattr(event, "changed_by", "")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm(READ_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
