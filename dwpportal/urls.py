"""Top-level URLs: each app's URLs under its own prefix."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from dwpportal import api_docs, health, session, views
from dwpportal.metrics import metrics as prometheus_metrics

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Prometheus: a scraper's bearer token or the local network only (dwpportal/metrics.py).
    path("metrics", prometheus_metrics, name="metrics"),
    path("session/keep-alive/", session.session_keep_alive, name="session-keep-alive"),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customer_view.urls")),
    path("audit/", include("customer_view.audit_urls")),
    path("admin/", admin.site.urls),
    path("acs/", include("acs.urls")),
    path("sync/", include("benefits.urls")),
    path("", include("support_needs.urls")),
    path("api/v1/", include(("dwpportal.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs.api_docs, name="api-docs"),
]

handler403 = "dwpportal.views.error_403"
handler404 = "dwpportal.views.error_404"
handler500 = "dwpportal.views.error_500"
