"""Additional support needs, markers and signals across all benefits."""

from django.apps import AppConfig


class SupportNeedsConfig(AppConfig):
    name = "support_needs"
    verbose_name = "support needs"
