"""Top-level URLs: each app's URLs under its own prefix."""

from django.contrib import admin
from django.urls import include, path

from dwpportal import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "dwpportal.views.error_403"
handler404 = "dwpportal.views.error_404"
handler500 = "dwpportal.views.error_500"
