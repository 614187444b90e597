"""Advanced Customer Support (ACS) cases: referrals, triage, actions, notes, figures."""

from django.apps import AppConfig


class AcsConfig(AppConfig):
    name = "acs"
    verbose_name = "Advanced Customer Support cases"
    default_auto_field = "django.db.models.BigAutoField"
