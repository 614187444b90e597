"""Sync operations pages (admins and team leaders)."""

from django.urls import path

from benefits import views

app_name = "benefits"

urlpatterns = [
    path("", views.ops, name="ops"),
    path("progress", views.ops_progress, name="ops-progress"),
    path("start", views.ops_start, name="ops-start"),
]
