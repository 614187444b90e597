"""Django admin: the ACS reference data. Cases are changed through the portal's services only."""

from django.contrib import admin

from acs.models import CaseCategory, CaseOutcome, LearningTheme, PartnerOrganisation
from core.admin import LabelledListEditable


class ReferenceDataAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ("name", "code", "active", "order")
    list_editable = ("active", "order")
    list_filter = ("active",)
    search_fields = ("name", "code")
    ordering = ("order", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Retire a code (untick active) instead: cases and figures keep referring to it.
        return False


admin.site.register(CaseCategory, ReferenceDataAdmin)
admin.site.register(PartnerOrganisation, ReferenceDataAdmin)
admin.site.register(CaseOutcome, ReferenceDataAdmin)
admin.site.register(LearningTheme, ReferenceDataAdmin)
