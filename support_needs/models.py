"""Additional support needs: the taxonomy, each customer's needs and their history, Six Point Plan
records, signals (explainable prompts) and large-arrears safeguards.

Writes go through support_needs.services only.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.history import track_changes


class Category(models.TextChoices):
    COMMUNICATION = "communication", "Communication and access"
    FORMATS = "formats", "Alternative formats and reasonable adjustments"
    ACTING_FOR = "acting_for", "Someone acting for the customer"
    COMPLEX = "complex", "Complex needs and vulnerability"
    SAFEGUARDING = "safeguarding", "Safeguarding and risk markers"


class Sensitivity(models.TextChoices):
    NORMAL = "normal", "Normal: every colleague sees it"
    RESTRICTED = "restricted", "Restricted: only colleagues cleared for markers"


class FieldSet(models.TextChoices):
    """Which extra fields a need of this type asks for."""

    NONE = "none", "None"
    REPRESENTATIVE = "representative", "Someone acting for the customer"
    ALTERNATIVE_FORMAT = "alternative_format", "Alternative format"
    INTERPRETER = "interpreter", "Interpreter"
    VISIT = "visit", "Home visit"


# The longest a review may be put off: a type's review period, or a date a colleague sets.
MAX_REVIEW_DAYS = 2 * 365


class NeedType(models.Model):
    """One kind of support need (reference data, managed by admins; codes are stable)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    guidance = models.TextField(help_text="What a colleague should do for a customer with it.")
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    default_review_days = models.PositiveIntegerField(
        default=365, help_text="Days from recording or review to the next review."
    )
    field_set = models.CharField(max_length=20, choices=FieldSet.choices, default=FieldSet.NONE)
    # Rule inputs for signals: which types make a customer "complex" (arrears safeguard) and
    # which are a mental-health need (sanction / deduction signal).
    complex_need = models.BooleanField(default=False)
    mental_health = models.BooleanField(default=False)
    # UC's own code for this need in its additional support area, when it has one.
    uc_code = models.CharField(max_length=40, blank=True, db_index=True)
    # A few letters shown in the icon (with the name as accessible text).
    icon = models.CharField(max_length=4, blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["category", "order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def restricted(self) -> bool:
        return self.sensitivity == Sensitivity.RESTRICTED

    @property
    def review_period_days(self) -> int:
        """default_review_days held within 1 to MAX_REVIEW_DAYS: the admin form refuses anything
        else, and a period saved before it did (or straight into the database) must still give
        a review date on the calendar."""
        return min(max(self.default_review_days, 1), MAX_REVIEW_DAYS)


class HowLearned(models.TextChoices):
    CUSTOMER = "customer", "The customer told us"
    THIRD_PARTY = "third_party", "Someone on the customer's behalf told us"
    OBSERVED = "observed", "A colleague noticed it"
    OTHER_BENEFIT = "other_benefit", "Another benefit's records"
    UC = "uc", "Universal Credit's additional support area (sync)"


class Consent(models.TextChoices):
    GIVEN = "given", "Customer agreed to it being recorded and shared across DWP"
    DECLINED_SHARING = "declined", "Customer agreed to recording but not to sharing outside DWP"
    NOT_ABLE = "not_able", "Customer not able to consent: recorded in their interest"
    UC = "uc", "Recorded in UC's additional support area (UC holds the consent)"


@track_changes
class SupportNeed(models.Model):
    """One of a customer's needs. One row per type while active: a need recorded by a colleague
    and the same need from UC are one row with both sources."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="support_needs"
    )
    need_type = models.ForeignKey(NeedType, on_delete=models.PROTECT, related_name="needs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    details = models.TextField(blank=True)
    # Someone acting for the customer.
    representative_name = models.CharField(max_length=200, blank=True)
    representative_relationship = models.CharField(max_length=100, blank=True)
    representative_contact = models.CharField(max_length=200, blank=True)
    representative_corporate = models.BooleanField(default=False)
    # Alternative format: the detail (e.g. large-print size); the type says which format.
    format_detail = models.CharField(max_length=200, blank=True)
    interpreter_language = models.CharField(max_length=100, blank=True)
    visit_reason = models.TextField(blank=True)
    how_learned = models.CharField(max_length=20, choices=HowLearned.choices)
    consent = models.CharField(max_length=10, choices=Consent.choices)
    # Sources: a colleague in the portal, UC's additional support area, or both.
    from_portal = models.BooleanField(default=False)
    from_uc = models.BooleanField(default=False)
    uc_details = models.TextField(blank=True)
    uc_recorded_on = models.DateField(null=True, blank=True)
    uc_sync_run = models.ForeignKey(
        "benefits.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    review_due = models.DateField()
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Markers that lapse by themselves (a Six Point Plan marker lasts 90 days).
    expires_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "need_type"],
                condition=models.Q(status="active"),
                name="one_active_need_per_type",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active")
                | (models.Q(ended_at__isnull=False) & ~models.Q(end_reason="")),
                name="ended_need_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(from_portal=True) | models.Q(from_uc=True),
                name="need_has_a_source",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_due"], name="need_review_due"),
        ]
        permissions = [
            ("record_support_need", "Can record, review and end support needs"),
            ("view_restricted_need", "Can see restricted support needs and markers"),
        ]

    def __str__(self) -> str:
        return f"{self.need_type} for customer {self.customer_id}"

    @property
    def sources(self) -> list[str]:
        flags = ((self.from_portal, "Portal"), (self.from_uc, "UC"))
        return [label for flag, label in flags if flag]

    @property
    def recorded_on(self) -> dt.date:
        """The day the need was first recorded anywhere: UC's own date for a need UC holds,
        the day a colleague recorded it in the portal, whichever came first."""
        days = [timezone.localdate(self.recorded_at)] if self.from_portal else []
        if self.from_uc and self.uc_recorded_on:
            days.append(self.uc_recorded_on)
        return min(days) if days else timezone.localdate(self.recorded_at)


class SupportNeedChange(models.Model):
    """History of a need: who, when, what changed (append-only; field -> [old, new])."""

    class Action(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        UPDATED = "updated", "Updated"
        REVIEWED = "reviewed", "Reviewed"
        ENDED = "ended", "Ended"
        UC_ADDED = "uc_added", "Received from UC"
        UC_CHANGED = "uc_changed", "Changed in UC"
        UC_REMOVED = "uc_removed", "Removed in UC"
        EXPIRED = "expired", "Marker lapsed"

    need = models.ForeignKey(SupportNeed, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sync_run = models.ForeignKey(
        "benefits.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["need", "-at"], name="need_change_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class SixPointPlanRecord(models.Model):
    """What happened when a customer said they intended to harm themselves, step by step."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="six_point_plans"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    occurred_at = models.DateTimeField(help_text="When the customer said it.")
    support_partner = models.CharField(max_length=200, help_text="Who the colleague brought in.")
    location = models.CharField(max_length=300, blank=True)
    contact_number = models.CharField(max_length=40, blank=True)
    intent = models.TextField(help_text="What the customer said they intend.")
    already_acted = models.BooleanField(default=False)
    immediate_risk = models.BooleanField()
    emergency_services_called = models.BooleanField()
    emergency_reference = models.CharField(max_length=100, blank=True)
    signposting = models.TextField(help_text="Support signposted, e.g. Samaritans 116 123.")
    escalated_to = models.CharField(max_length=200, help_text="Manager or ACSSL told.")
    outcome = models.TextField()
    marker = models.ForeignKey(SupportNeed, on_delete=models.PROTECT, related_name="+")
    acs_referral_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"Six Point Plan for customer {self.customer_id} at {self.occurred_at:%Y-%m-%d}"


class SignalRule(models.TextChoices):
    LARGE_ARREARS_COMPLEX = "large_arrears", "Large arrears payment with complex needs"
    PIP_ENDING_LCWRA = "pip_ending_lcwra", "PIP ending while UC LCWRA continues"
    SANCTION_MENTAL_HEALTH = "sanction_mh", "Sanction or large deduction with a mental-health need"
    REPEATED_CONTACT = "repeated_contact", "Several contacts in a short time"
    RECENT_SIX_POINT_PLAN = "recent_spp", "Six Point Plan in the last 90 days"


class SupportSignal(models.Model):
    """A prompt computed from the data, with its reason. A colleague decides; the portal explains.

    `fact_key` names the facts that raised it (e.g. the payment reference), so the same facts never
    raise it twice, and a dismissed signal stays dismissed until the facts change.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REFERRED = "referred", "Referred to an ACSSL"
        DISMISSED = "dismissed", "Dismissed"
        CLEARED = "cleared", "No longer applies"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="support_signals"
    )
    rule = models.CharField(max_length=20, choices=SignalRule.choices)
    fact_key = models.CharField(max_length=120)
    reason = models.TextField()
    # Raised from a restricted need or marker: only colleagues cleared for markers read the reason.
    restricted = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField()
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actioned_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)
    acs_referral_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "rule", "fact_key"], name="one_signal_per_fact"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="dismissed") | ~models.Q(dismiss_reason=""),
                name="dismissed_signal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["customer", "status"], name="signal_customer_status")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} ({self.status})"


class ArrearsSafeguard(models.Model):
    """A task for the team: offer support before a large arrears payment reaches a customer with
    complex needs (Excellence Plan: 100% offered support before a large underpayment)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Support offered"
        CANCELLED = "cancelled", "No longer needed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="arrears_safeguards"
    )
    # Payments are partitioned by date, so the database's foreign key is on (payment_id,
    # payment_date), the payment's primary key there (migration 0008); Django's would be on
    # payment_id alone, which PostgreSQL cannot check against a partitioned table.
    payment = models.OneToOneField(
        "benefits.Payment",
        on_delete=models.CASCADE,
        related_name="arrears_safeguard",
        db_constraint=False,
    )
    amount_pence = models.IntegerField()
    payment_date = models.DateField()
    reason = models.TextField()
    restricted = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "payment_date"], name="safeguard_open_by_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(outcome=""),
                name="closed_safeguard_has_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"Arrears safeguard for customer {self.customer_id} by {self.payment_date}"
