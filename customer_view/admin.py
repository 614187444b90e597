"""Admin pages that read across apps: the change history of a customer's records."""

from customer_view import history_admin  # noqa: F401 (registers the change-history admin)
