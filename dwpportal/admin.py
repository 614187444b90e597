"""The Django admin site, open only to colleagues in the Admin role."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.roles import user_is_admin


class PortalAdminSite(admin.AdminSite):
    site_header = "DWP Colleague Portal administration"
    site_title = "DWP Colleague Portal admin"
    index_title = "Administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and user_is_admin(request.user))
