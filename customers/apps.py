"""Customers: identity, NINO, who may open a record, and search."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
