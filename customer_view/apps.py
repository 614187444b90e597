"""The customer page assembled from every app: the page, its timeline, the whole-record API,
who viewed a record and the change history in admin."""

from django.apps import AppConfig


class CustomerViewConfig(AppConfig):
    name = "customer_view"
    verbose_name = "customer view"
