"""Benefits: awards and payments per benefit, and the sync from the legacy systems."""

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
