"""The access audit: an append-only record of every look at a customer."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "access audit"
