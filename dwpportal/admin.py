"""The Django admin site, open only to colleagues in the Admin role."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.roles import user_is_admin
from core.admin import CalendarSafeDateHierarchy


class PortalAdminSite(admin.AdminSite):
    site_header = "DWP Colleague Portal administration"
    site_title = "DWP Colleague Portal admin"
    index_title = "Administration"

    def register(
        self,
        model_or_iterable: Any,
        admin_class: "type[admin.ModelAdmin[Any]] | None" = None,
        **options: Any,
    ) -> None:
        """Every ModelAdmin, the portal's or a library's, with a date hierarchy that answers a
        date past the calendar with the admin's "invalid filter" notice, never a 500."""
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, CalendarSafeDateHierarchy):
            base = type(
                base.__name__,
                (CalendarSafeDateHierarchy, base),
                {"__module__": base.__module__, "__qualname__": base.__qualname__},
            )
        super().register(model_or_iterable, base, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and user_is_admin(request.user))

    def login(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        """No second sign-in form: colleagues sign in on the portal's page (single sign-on), and
        a signed-in colleague who is not an admin is refused."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
