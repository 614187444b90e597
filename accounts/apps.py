"""Colleagues, roles and sign-in."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Colleagues and roles"

    def ready(self) -> None:
        from accounts.roles import roles_sync_after_migrate

        # Permissions are created by post_migrate too, so role grants are applied after every
        # migrate (the test database included), once every app's permissions exist.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
