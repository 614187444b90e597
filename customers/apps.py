"""Customers: identity, search and the single customer view."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        # Other apps (support needs, ACS) register their own timeline sources in their ready().
        from customers.timeline_sources import register_builtin_sources

        register_builtin_sources()
