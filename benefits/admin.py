"""Django admin for the sync: runs and watermarks (read only), schedules, and the quarantine.

Quarantined records are read through benefits.sync.selectors (each look at the list, a search
and a record audited) and corrected and resolved through benefits.sync.services: an admin sees
the raw payload and the reason, corrects the payload and replays it, or discards it with a note.
A record that may be a restricted customer's shows its payload only to colleagues cleared for
restricted records (admins are not): the others see why it is hidden.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from audit.admin import ChangelistReadAudited
from audit.context import AuditContext
from benefits.models import QuarantinedRecord, SourceWatermark, SyncRun, SyncSchedule
from benefits.sync.selectors import (
    PAYLOAD_HIDDEN_NOTE,
    quarantine_reason_values_hidden,
    quarantine_shown_for,
    quarantined_record_for_admin,
    quarantined_records_annotated,
    quarantined_records_for_admin,
)
from benefits.sync.services import (
    quarantine_correction_save,
    quarantine_discard,
    quarantine_replay,
)
from core.admin import LabelledListEditable


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "pk", "source", "status", "full", "queued_at", "finished_at", "pages", "fetched",
        "created", "updated", "unchanged", "quarantined",
    )  # fmt: skip
    list_filter = ("source", "status", "full")
    date_hierarchy = "queued_at"


@admin.register(SourceWatermark)
class SourceWatermarkAdmin(ReadOnlyAdmin):
    list_display = ("source", "position", "updated_at", "last_success_at")


@admin.register(SyncSchedule)
class SyncScheduleAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ("source", "enabled", "interval_minutes", "last_dispatched_at")
    list_editable = ("enabled", "interval_minutes")
    readonly_fields = ("source", "last_dispatched_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per source, seeded by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(ChangelistReadAudited):
    list_display = ("pk", "source", "record_key", "record_version", "reason", "status",
                    "created_at")  # fmt: skip
    list_filter = ("source", "status")
    search_fields = ("record_key", "reason")
    change_form_template = "admin/benefits/quarantinedrecord/change_form.html"
    fields = (
        "source", "status", "sync_run", "position", "record_key", "record_version", "reason",
        "raw_payload", "corrected_payload", "resolution_note", "resolved_by", "resolved_at",
    )  # fmt: skip
    actions = ("replay_selected",)

    # A record that may be a restricted customer's, to a colleague not cleared for restricted
    # records: these stand in for its reason and payloads (the payloads are then not in the form).
    HIDDEN = {
        "reason": "reason_values_hidden",
        "raw_payload": "raw_payload_hidden",
        "corrected_payload": "corrected_payload_hidden",
    }

    @admin.display(description="reason")
    def reason_values_hidden(self, record: QuarantinedRecord) -> str:
        return quarantine_reason_values_hidden(record.reason)

    @admin.display(description="raw payload")
    def raw_payload_hidden(self, record: QuarantinedRecord) -> str:
        return PAYLOAD_HIDDEN_NOTE

    @admin.display(description="corrected payload")
    def corrected_payload_hidden(self, record: QuarantinedRecord) -> str:
        return PAYLOAD_HIDDEN_NOTE

    def get_queryset(self, request: HttpRequest) -> Any:
        return quarantined_records_annotated()

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        # Each row's reason as this colleague may see it (a function made per request: the
        # admin class is shared).
        shown = quarantine_shown_for(AuditContext.from_request(request))

        @admin.display(description="reason")
        def reason(record: QuarantinedRecord) -> str:
            return shown.reason(record)

        return [reason if name == "reason" else name for name in self.list_display]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None or not quarantine_shown_for(AuditContext.from_request(request)).hidden(obj):
            return self.fields
        return tuple(self.HIDDEN.get(name, name) for name in self.fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        editable: tuple[str, ...] = ("corrected_payload", "resolution_note")
        if obj is not None and obj.status != QuarantinedRecord.Status.OPEN:
            editable = ()
        return tuple(name for name in self.get_fields(request, obj) if name not in editable)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is dropped: discard keeps the record with a note

    def changelist_read(self, *, audit: AuditContext, search: str, filters: list[str]) -> None:
        # The list shows NINOs and reasons (which can quote a date of birth), and its search is
        # by NINO: the selector audits the look.
        quarantined_records_for_admin(audit=audit, search=search, filters=filters)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> QuarantinedRecord | None:
        # The change page (and its history) shows the raw legacy payload: read through the
        # selector, which audits the look.
        return quarantined_record_for_admin(audit=AuditContext.from_request(request), pk=object_id)

    def save_model(
        self, request: HttpRequest, obj: QuarantinedRecord, form: Any, change: bool
    ) -> None:
        # The ordinary Save (and the Save before a replay or discard) keeps the correction and the
        # note through the service, which audits the change; a hidden payload is not in the form,
        # so the stored one stays.
        try:
            quarantine_correction_save(
                record=obj,
                audit=AuditContext.from_request(request),
                corrected_payload=obj.corrected_payload,
                resolution_note=obj.resolution_note,
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def response_change(self, request: HttpRequest, obj: QuarantinedRecord) -> HttpResponse:
        here = reverse("admin:benefits_quarantinedrecord_change", args=[obj.pk])
        try:
            if "_replay" in request.POST:
                result = quarantine_replay(
                    record=obj,
                    audit=AuditContext.from_request(request),
                    corrected_payload=obj.corrected_payload,
                )
                self.message_user(request, obj.resolution_note, messages.SUCCESS)
                self.log_change(request, obj, f"Replayed: {result}")
                return HttpResponseRedirect(here)
            if "_discard" in request.POST:
                quarantine_discard(
                    record=obj, audit=AuditContext.from_request(request), note=obj.resolution_note
                )
                self.message_user(request, "Discarded with your note.", messages.SUCCESS)
                self.log_change(request, obj, "Discarded")
                return HttpResponseRedirect(here)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(here)
        return super().response_change(request, obj)

    @admin.action(description="Replay selected records (their corrected payload if any)")
    def replay_selected(self, request: HttpRequest, queryset: Any) -> None:
        done, refused = 0, []
        audit = AuditContext.from_request(request)
        for record in queryset.filter(status=QuarantinedRecord.Status.OPEN):
            try:
                quarantine_replay(record=record, audit=audit)
                done += 1
            except ValidationError as error:
                refused.append(f"#{record.pk}: {' '.join(error.messages)}")
        self.message_user(request, f"Replayed {done} record(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, "; ".join(refused), messages.ERROR)
