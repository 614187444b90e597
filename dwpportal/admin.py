"""The Django admin site, open only to colleagues in the Admin role."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.roles import user_is_admin


class PortalAdminSite(admin.AdminSite):
    site_header = "DWP Colleague Portal administration"
    site_title = "DWP Colleague Portal admin"
    index_title = "Administration"

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
