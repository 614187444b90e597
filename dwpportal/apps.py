"""App configuration for the project package itself (the admin site)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "dwpportal.admin.PortalAdminSite"
