"""Benefit awards and payments per customer, their events, and the sync that brings them in.

Every synced row records its source version (the legacy system's monotonic version for that
record, so an older update never overwrites a newer one) and the sync run that last wrote it.
Money is integer pence.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.history import track_changes
from core.partitioning import RangePartitioning
from customers.models import Benefit, Customer, Source

LEGACY_SOURCES = [(s.value, s.label) for s in (Source.UC, Source.PIP, Source.ESA, Source.SP)]


class SyncRun(models.Model):
    """One run of the sync for one source: what it fetched and what became of each record."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=10, choices=LEGACY_SOURCES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    full = models.BooleanField(default=False, help_text="Started from the beginning of the feed.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    watermark_from = models.CharField(max_length=200, blank=True)
    watermark_to = models.CharField(max_length=200, blank=True)
    pages = models.PositiveIntegerField(default=0)
    # fetched = created + updated + unchanged + quarantined, always (a database constraint).
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    # For the progress bar: the source's own estimate of records still to come, when it gives one.
    expected = models.PositiveIntegerField(null=True, blank=True)
    # Progress in the source's own position units (e.g. record versions): done / total.
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    # Last sign of life from the worker processing this run (a stalled run is resumed).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "-queued_at"], name="syncrun_source_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    fetched=models.F("created")
                    + models.F("updated")
                    + models.F("unchanged")
                    + models.F("quarantined")
                ),
                name="syncrun_counts_add_up",
            ),
            # One run per source at a time, whatever the workers do.
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(status__in=["queued", "running"]),
                name="syncrun_one_active_per_source",
            ),
        ]
        permissions = [("start_sync", "Can start a sync from the portal")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} sync #{self.pk} ({self.status})"


class SourceWatermark(models.Model):
    """How far each source has been read. Saved in the same transaction as the data it covers."""

    source = models.CharField(max_length=10, choices=LEGACY_SOURCES, unique=True)
    position = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} at {self.position or 'the start'}"


class SyncSchedule(models.Model):
    """How often beat should sync each source; admins edit it (see ADR 0002)."""

    source = models.CharField(max_length=10, choices=LEGACY_SOURCES, unique=True)
    enabled = models.BooleanField(default=True)
    interval_minutes = models.PositiveIntegerField(default=5)
    last_dispatched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} every {self.interval_minutes} min"


class QuarantinedRecord(models.Model):
    """A record the sync could not trust, kept whole with why, so nothing is ever dropped."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPLAYED = "replayed", "Corrected and replayed"
        DISCARDED = "discarded", "Discarded"

    source = models.CharField(max_length=10, choices=LEGACY_SOURCES)
    sync_run = models.ForeignKey(SyncRun, on_delete=models.PROTECT, related_name="quarantine")
    position = models.CharField(max_length=200, help_text="Where in the feed it was found.")
    record_key = models.CharField(max_length=100, blank=True, help_text="e.g. NINO or claim id.")
    record_version = models.BigIntegerField(
        null=True, blank=True, help_text="The source's version of the record, when readable."
    )
    raw_payload = models.TextField()
    corrected_payload = models.TextField(
        blank=True, help_text="An admin's corrected copy of the payload, replayed instead."
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "status"], name="quarantine_source_status")]

    def __str__(self) -> str:
        # Not the reason: it can quote a value of the record (a date of birth), and this name
        # goes into admin's page titles and its change log.
        return f"{self.source} record at {self.position}"


class SyncedRow(models.Model):
    """Fields every synced row carries."""

    source_version = models.BigIntegerField(default=0)
    # When the legacy system recorded this version (its changed_at); synced_at is when the
    # portal last wrote the row. A payment is rewritten only when its source changes it (the
    # feeds give no time per payment): both then say when the payment, as it stands, was
    # recorded in its system and reached the portal.
    source_changed_at = models.DateTimeField(null=True, blank=True)
    sync_run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SyncedAward(SyncedRow):
    """An award row; the source's restricted flag lives here (SourceIdentity has none)."""

    source_restricted = models.BooleanField(
        default=False, help_text="The legacy system marks this customer's record restricted."
    )

    class Meta:
        abstract = True


@track_changes
class UniversalCreditAward(SyncedAward):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="uc_award")
    claim_id = models.CharField(max_length=40)
    status = models.CharField(max_length=20)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    household = models.CharField(max_length=10, blank=True)  # single / couple
    award_amount_pence = models.IntegerField(default=0)
    assessment_period_start = models.DateField(null=True, blank=True)
    assessment_period_end = models.DateField(null=True, blank=True)
    next_payment_date = models.DateField(null=True, blank=True)
    next_payment_pence = models.IntegerField(null=True, blank=True)
    standard_allowance_pence = models.IntegerField(default=0)
    # [{"type": "LCWRA", "amount_pence": 42327}, ...] and likewise deductions and sanctions:
    # small lists read whole with the award, so the customer page needs no extra queries.
    elements = models.JSONField(default=list, blank=True)
    deductions = models.JSONField(default=list, blank=True)
    sanctions = models.JSONField(default=list, blank=True)
    conditionality_regime = models.CharField(max_length=60, blank=True)
    work_coach = models.CharField(max_length=100, blank=True)
    claimant_commitment_date = models.DateField(null=True, blank=True)
    # UC's additional support area as synced: [{"code": "MENTAL_HEALTH", "details": "...",
    # "recorded_date": "2025-01-31"}, ...] (the support-needs panel builds on it).
    support_needs = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"UC {self.claim_id}"


@track_changes
class PipAward(SyncedAward):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="pip_award")
    claim_reference = models.CharField(max_length=40)
    claim_stage = models.CharField(max_length=40)
    status = models.CharField(max_length=20, blank=True)  # pending / live / closed
    daily_living_rate = models.CharField(max_length=10, blank=True)  # none/standard/enhanced
    mobility_rate = models.CharField(max_length=10, blank=True)
    daily_living_weekly_pence = models.IntegerField(default=0)
    mobility_weekly_pence = models.IntegerField(default=0)
    award_start = models.DateField(null=True, blank=True)
    award_end = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="When the claim closed.")
    review_date = models.DateField(null=True, blank=True)
    assessment_provider = models.CharField(max_length=60, blank=True)
    mr_status = models.CharField(max_length=40, blank=True)
    appeal_status = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"PIP {self.claim_reference}"


@track_changes
class EsaAward(SyncedAward):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="esa_award")
    claim_reference = models.CharField(max_length=40)
    status = models.CharField(max_length=20)
    esa_type = models.CharField(max_length=20)  # new_style / income_related
    phase = models.CharField(max_length=20)  # assessment / main
    group = models.CharField(max_length=20, blank=True)  # wrag / support
    weekly_rate_pence = models.IntegerField(default=0)
    claim_start = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    wca_referral_date = models.DateField(null=True, blank=True)
    wca_date = models.DateField(null=True, blank=True)
    wca_outcome = models.CharField(max_length=40, blank=True)
    time_limit_date = models.DateField(null=True, blank=True)
    migration_notice_date = models.DateField(null=True, blank=True)
    migration_deadline_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ESA {self.claim_reference}"


@track_changes
class StatePensionAward(SyncedAward):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="sp_award")
    pension_type = models.CharField(max_length=10)  # new / basic
    status = models.CharField(max_length=20)
    weekly_amount_pence = models.IntegerField(default=0)
    additional_pence = models.IntegerField(default=0)
    qualifying_years = models.PositiveSmallIntegerField(default=0)
    state_pension_date = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    payment_day = models.CharField(max_length=10, blank=True)
    deferral_weeks = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"State Pension ({self.pension_type})"


@track_changes
class Payment(SyncedRow):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular"
        ARREARS = "arrears", "Arrears"

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        SCHEDULED = "scheduled", "Scheduled"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="payments")
    benefit = models.CharField(max_length=10, choices=Benefit.choices)
    reference = models.CharField(max_length=60, help_text="The source's own payment reference.")
    payment_date = models.DateField()
    amount_pence = models.IntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    # A partition a year by payment date, back to the retention horizon: a sync brings payments
    # made years ago (docs/scaling.md, "Partitioning and retention"). The primary key in the
    # database is (id, payment_date).
    partitioning = RangePartitioning(
        column="payment_date", interval="year", retention="payments", backfill=True
    )

    class Meta:
        constraints = [
            # PostgreSQL wants the partition key in every unique constraint. The reference holds
            # the date already (benefits.sources.base.payment_reference), so this is the same
            # natural key as (benefit, reference).
            models.UniqueConstraint(
                fields=["benefit", "reference", "payment_date"], name="payment_unique_reference"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-payment_date"], name="payment_customer_recent"),
            models.Index(
                fields=["payment_date"],
                condition=models.Q(kind="arrears"),
                name="payment_arrears_by_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benefit} {self.kind} £{self.amount_pence / 100:,.2f} on {self.payment_date}"

    @property
    def source_label(self) -> str:
        """The legacy system the payment comes from ("PIPCS")."""
        return Source(self.benefit).label

    @property
    def to_come(self) -> bool:
        """Scheduled and dated today or later."""
        return self.status == self.Status.SCHEDULED and self.payment_date >= timezone.localdate()

    @property
    def awaiting_confirmation(self) -> bool:
        """Scheduled for a day that has passed: its source has not yet said it was paid."""
        return self.status == self.Status.SCHEDULED and self.payment_date < timezone.localdate()


class BenefitEvent(models.Model):
    """Something that happened to a customer's benefit, for the timeline (e.g. PIP reduced)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="benefit_events")
    benefit = models.CharField(max_length=10, choices=Benefit.choices)
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    sync_run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the legacy system recorded the change the event comes from (its record's
    # changed_at; None when not known) and when the portal synced it.
    recorded_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="event_customer_recent")]

    def __str__(self) -> str:
        return self.summary

    @property
    def source_label(self) -> str:
        """The legacy system the event comes from ("PIPCS")."""
        return Source(self.benefit).label if self.benefit in Source.values else self.benefit
