"""Advanced Customer Support (ACS) cases: referrals, triage, actions, notes, figures."""

from django.apps import AppConfig


class AcsConfig(AppConfig):
    name = "acs"
    verbose_name = "Advanced Customer Support cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from acs.timeline import acs_timeline_source_register

        acs_timeline_source_register()
