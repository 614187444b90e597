"""Customers: identity, search and the single customer view."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
