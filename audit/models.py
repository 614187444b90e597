"""Access events. The database refuses UPDATE and DELETE on this table (migration 0002); it is
partitioned by month (migration 0004, core/partitioning.py)."""

from django.conf import settings
from django.db import models

from audit.context import Channel
from core.partitioning import RangePartitioning


class AccessEvent(models.Model):
    """Who looked at (or tried to look at) what, when, why and from where."""

    class Action(models.TextChoices):
        VIEW_CUSTOMER = "view_customer", "Opened a customer record"
        VIEW_FRAGMENT = "view_fragment", "Loaded part of a customer record"
        SEARCH = "search", "Searched for customers"
        API_READ = "api_read", "Read through the API"
        EXPORT = "export", "Exported data"
        REFUSED = "refused", "Was refused access"
        CHANGE = "change", "Changed a customer's data"
        COLLEAGUE_CHANGE = "colleague_change", "Changed a colleague's role or team"
        COLLEAGUE_ACCESS = "colleague_access", "Changed a colleague's access"

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Kept as text too, so the trail stays readable even if the account is renamed.
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    # Blank on events recorded before the channel was kept.
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    # No database constraint: the audit must outlive (and never block) changes to customers.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    what = models.CharField(max_length=100, help_text="The page, fragment or endpoint.")
    # Structured facts (e.g. a search's result count) — never a raw search query or NINO.
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    # The colleague's signed-in session, as a keyed hash (audit.context.session_hash_of): "who
    # viewed" groups one session's looks. Blank for a bearer token, a task, or an older event.
    session_hash = models.CharField(max_length=32, blank=True, default="", db_default="")

    # A partition a month (UTC) by when the event happened; the primary key in the database is
    # (id, occurred_at). Old months leave by `manage.py partitions detach` and `archive`.
    partitioning = RangePartitioning(column="occurred_at", interval="month", retention="audit")

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="access_customer_recent"),
            models.Index(fields=["user", "-occurred_at"], name="access_user_recent"),
        ]
        permissions = [("view_customer_access_history", "Can see who viewed a customer record")]

    def __str__(self) -> str:
        # Not `what`: admin pages show this to colleagues who may not read every kind of event.
        return f"{self.username} {self.action} at {self.occurred_at:%Y-%m-%d %H:%M}"
