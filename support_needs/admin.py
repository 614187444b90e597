"""The support-need taxonomy in Django admin (reference data; needs themselves change only
through the portal's services, so they are not editable here)."""

from django import forms
from django.contrib import admin

from support_needs.models import MAX_REVIEW_DAYS, NeedType


class NeedTypeForm(forms.ModelForm):
    class Meta:
        model = NeedType
        exclude: tuple[str, ...] = ()

    def clean_default_review_days(self) -> int:
        days: int = self.cleaned_data["default_review_days"]
        if not 1 <= days <= MAX_REVIEW_DAYS:
            raise forms.ValidationError(
                f"Enter a review period from 1 to {MAX_REVIEW_DAYS} days (two years)."
            )
        return days


@admin.register(NeedType)
class NeedTypeAdmin(admin.ModelAdmin):
    form = NeedTypeForm
    list_display = (
        "name",
        "category",
        "sensitivity",
        "default_review_days",
        "field_set",
        "complex_need",
        "mental_health",
        "uc_code",
        "active",
    )
    list_filter = ("category", "sensitivity", "active", "complex_need")
    search_fields = ("name", "code", "uc_code")
    ordering = ("category", "order", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Types are referenced by recorded needs: retire them with "active" instead.
        return False
