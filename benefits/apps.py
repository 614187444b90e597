"""Benefits: awards and payments per benefit, and the sync from the legacy systems."""

from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate


def sync_schedules_ensure(sender: Any, **kwargs: Any) -> None:
    """Add any missing source's schedule (e.g. after a flush): admins cannot add one, and beat
    would never sync a source without it. Never changes a schedule an admin edited."""
    using = kwargs.get("using", "default")
    if "benefits_syncschedule" not in connections[using].introspection.table_names():
        return  # migrated back past the table
    import_module("benefits.migrations.0004_seed_sync_schedules").seed(apps, None)


class BenefitsConfig(AppConfig):
    name = "benefits"

    def ready(self) -> None:
        post_migrate.connect(sync_schedules_ensure, sender=self, dispatch_uid="benefits.schedules")
