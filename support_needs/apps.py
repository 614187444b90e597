"""Additional support needs, markers and signals across all benefits."""

import contextlib
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _roles_sync_after_support_needs_migrate(sender: Any, **kwargs: Any) -> None:
    # On a fresh database accounts syncs roles before this app's permissions exist.
    if getattr(sender, "name", None) == "support_needs":
        from accounts.roles import roles_sync

        roles_sync()


class SupportNeedsConfig(AppConfig):
    name = "support_needs"
    verbose_name = "support needs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(
            _roles_sync_after_support_needs_migrate, dispatch_uid="support_needs.roles_sync"
        )
        from support_needs.timeline import register

        # Support-need changes on the customer timeline (if the customers app has one).
        with contextlib.suppress(ImportError):
            register()
