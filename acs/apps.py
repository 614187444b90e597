"""Advanced Customer Support (ACS) cases: referrals, triage, actions, notes, figures."""

from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.db import connections
from django.db.models.signals import post_migrate


def reference_data_ensure(sender: Any, **kwargs: Any) -> None:
    """Add any missing seeded codes (e.g. after a test flush); never changes existing rows."""
    using = kwargs.get("using", "default")
    if "acs_casecategory" not in connections[using].introspection.table_names():
        return  # migrated back past 0001
    import_module("acs.migrations.0003_reference_data").seed(apps, None)


class AcsConfig(AppConfig):
    name = "acs"
    verbose_name = "Advanced Customer Support cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(reference_data_ensure, sender=self, dispatch_uid="acs.reference")
