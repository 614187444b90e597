"""The access audit: an append-only record of every look at a customer."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "access audit"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit.db_roles import after_migrate
        from core import partitioning

        # Each migrate makes the partitions the retention policy wants (core/partitioning.py),
        # then re-applies the app role's grants (new tables, new history tables, partitions).
        post_migrate.connect(
            partitioning.after_migrate, sender=self, dispatch_uid="core.partitioning"
        )
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="audit.db_roles")

        # A colleague's role or team set (in admin or by the identity provider), and any change
        # to their access (disabled, enabled, sessions ended, API token issued or revoked), are
        # recorded in the access audit.
        from accounts.hooks import colleague_access_changed, colleague_role_changed
        from audit.services import colleague_access_change_record, colleague_role_change_record

        colleague_role_changed.connect(colleague_role_change_record)
        colleague_access_changed.connect(colleague_access_change_record)
