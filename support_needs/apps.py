"""Additional support needs, markers and signals across all benefits."""

from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate


def need_types_ensure(sender: Any, **kwargs: Any) -> None:
    """Add any missing seeded need types (e.g. after a test flush); never changes existing rows."""
    if (
        "support_needs_needtype"
        not in connections[kwargs.get("using", "default")].introspection.table_names()
    ):
        return  # migrated back past 0001
    import_module("support_needs.migrations.0002_seed_need_types").seed(
        apps, None, missing_only=True
    )


class SupportNeedsConfig(AppConfig):
    name = "support_needs"
    verbose_name = "support needs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(need_types_ensure, sender=self, dispatch_uid="support_needs.types")
        from benefits.hooks import sync_page_applied
        from customers.hooks import interaction_recorded
        from support_needs import handlers

        sync_page_applied.connect(handlers.sync_page_applied)
        interaction_recorded.connect(handlers.interaction_recorded)
