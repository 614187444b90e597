"""ACS cases: referral, triage, risk, actions, append-only notes, partner referrals, outcomes.

Writes go through acs.services only. Case notes and case events are append-only in the database
(migration 0002 installs triggers that refuse UPDATE and DELETE).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.history import track_changes


class ReferenceData(models.Model):
    """A code list managed in Django admin. Codes are stable; names may be reworded."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CaseCategory(ReferenceData):
    """Why a customer needs advanced support (e.g. risk of suicide, neglect, exploitation)."""

    class Meta(ReferenceData.Meta):
        verbose_name_plural = "case categories"


class PartnerOrganisation(ReferenceData):
    """An organisation an ACSSL refers a customer to (Visiting Service, NHS crisis team, ...)."""


class CaseOutcome(ReferenceData):
    """How a case ended; every closure names one."""


class LearningTheme(ReferenceData):
    """A theme of what was learned from a case, chosen at closure (the figures count them)."""


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate - risk to life or of serious harm today"
    URGENT = "urgent", "Urgent - within 1 working day"
    STANDARD = "standard", "Standard - within 5 working days"


URGENCY_RANK = {Urgency.IMMEDIATE: 0, Urgency.URGENT: 1, Urgency.STANDARD: 2}


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


@track_changes
class AcsCase(models.Model):
    """One customer's advanced support case, from referral to closure (reopening allowed)."""

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        OPEN = "open", "Open"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="acs_cases"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REFERRED)
    # The most urgent of the case's referrals: orders the triage queue.
    urgency = models.CharField(max_length=12, choices=Urgency.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acs_cases_owned",
    )
    risk_level = models.CharField(max_length=12, choices=RiskLevel.choices, blank=True)
    categories = models.ManyToManyField(CaseCategory, blank=True, related_name="cases")
    referred_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    outcome = models.ForeignKey(
        CaseOutcome, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    closure_summary = models.TextField(blank=True)
    # What was learned, captured at closure (cleared on reopening; the closed event keeps it).
    learning = models.TextField(blank=True)
    learning_themes = models.ManyToManyField(LearningTheme, blank=True, related_name="cases")
    # What was still pending at closure and why each was left: [{"item", "label", "reason"}].
    closure_left_open = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "ACS case"
        permissions = [
            ("refer_customer", "Can refer a customer to an ACSSL"),
            ("manage_acs_case", "Can triage, read and change ACS cases"),
            ("view_team_caseload", "Can see every ACSSL's caseload"),
            ("view_acs_figures", "Can see and export ACS figures"),
        ]
        indexes = [
            models.Index(fields=["status", "owner"], name="acs_case_status_owner"),
            models.Index(fields=["referred_at"], name="acs_case_referred_at"),
            models.Index(fields=["closed_at"], name="acs_case_closed_at"),
        ]
        constraints = [
            # Closure needs an outcome and a summary (the services check it first, politely).
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | (
                    models.Q(outcome__isnull=False, closed_at__isnull=False)
                    & ~models.Q(closure_summary="")
                ),
                name="acs_case_closed_has_outcome_and_summary",
            ),
            models.CheckConstraint(
                condition=models.Q(status="referred") | models.Q(owner__isnull=False),
                name="acs_case_open_has_owner",
            ),
            # One case at a time per customer: a new referral joins the active case.
            models.UniqueConstraint(
                fields=["customer"],
                condition=~models.Q(status="closed"),
                name="acs_one_active_case_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ACS-{self.pk:06d}" if self.pk else "ACS-(new)"


class Referral(models.Model):
    """A request for advanced support: from a colleague, a Six Point Plan record or a signal."""

    class Source(models.TextChoices):
        COLLEAGUE = "colleague", "Colleague"
        SIX_POINT_PLAN = "six_point_plan", "Six Point Plan record"
        SIGNAL = "signal", "Accepted signal"
        PARTNER = "partner", "Partner organisation"

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="referrals")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="acs_referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acs_referrals_made"
    )
    reason = models.TextField()
    urgency = models.CharField(max_length=12, choices=Urgency.choices)
    categories = models.ManyToManyField(CaseCategory, blank=True, related_name="referrals")
    customer_agreed = models.TextField(help_text="What the customer agreed to.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.COLLEAGUE)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Referral {self.pk} for case {self.case_id}"


class RiskAssessment(models.Model):
    """One setting of a case's risk level: the history is every row, newest last."""

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="risk_history")
    level = models.CharField(max_length=12, choices=RiskLevel.choices)
    reason = models.TextField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} risk on case {self.case_id}"


@track_changes
class CaseAction(models.Model):
    """Something someone must do for the case, by a date."""

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acs_actions_owned"
    )
    due_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["completed_at", "due_on", "pk"]
        indexes = [models.Index(fields=["owner", "completed_at", "due_on"], name="acs_action_due")]

    def __str__(self) -> str:
        return self.description


class CaseNote(models.Model):
    """Append-only. A correction is a new note pointing at the note it corrects."""

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id}"


class PartnerReferral(models.Model):
    """A referral of the customer to a partner organisation, with consent and its outcome."""

    class Consent(models.TextChoices):
        GIVEN = "given", "Customer consented"
        NOT_GIVEN = "not_given", "Customer did not consent - made without consent (risk)"
        NOT_ABLE = "not_able", "Customer not able to consent"

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="partner_referrals")
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="referrals"
    )
    referred_on = models.DateField()
    consent = models.CharField(max_length=12, choices=Consent.choices)
    details = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["referred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation} referral on case {self.case_id}"


class TrackedStatus(models.TextChoices):
    """Where a visit request or an escalation is: tracked until it is done or declined."""

    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted or scheduled"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


TRACKED_OPEN = (TrackedStatus.REQUESTED, TrackedStatus.ACCEPTED)


class TrackedItem(models.Model):
    """What a visit request and an escalation share: status, who owns it, the date it is set
    for (the visit, the panel or review), and its outcome. Changed by
    acs.services.acs_tracked_item_update only."""

    status = models.CharField(
        max_length=10, choices=TrackedStatus.choices, default=TrackedStatus.REQUESTED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who coordinates it.",
    )
    scheduled_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in TRACKED_OPEN


class VisitRequest(TrackedItem):
    """A request for the DWP Visiting Service to see the customer at home."""

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="visit_requests")
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["status", "scheduled_on"], name="acs_visit_status")]

    def __str__(self) -> str:
        return f"Visit request on case {self.case_id}"


class Escalation(TrackedItem):
    """A serious case escalated for learning or oversight."""

    class Route(models.TextChoices):
        INTERNAL_PROCESS_REVIEW = "ipr", "Internal Process Review"
        SERIOUS_CASE_PANEL = "scp", "Serious Case Panel"

    case = models.ForeignKey(AcsCase, on_delete=models.PROTECT, related_name="escalations")
    route = models.CharField(max_length=4, choices=Route.choices)
    reason = models.TextField()
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalated_at", "pk"]
        indexes = [models.Index(fields=["status", "scheduled_on"], name="acs_escalation_status")]

    def __str__(self) -> str:
        return f"{self.get_route_display()} for case {self.case_id}"


class CaseEvent(models.Model):
    """Append-only log of every change to a case: the audit trail and the customer timeline.

    Summaries never quote note text: colleagues without case access see some events on the
    customer's timeline (see acs.selectors.COLLEAGUE_VISIBLE_EVENTS).
    """

    class Kind(models.TextChoices):
        REFERRED = "referred", "Referred to an ACSSL"
        ASSIGNED = "assigned", "Case assigned"
        STATUS_CHANGED = "status_changed", "Status changed"
        CLOSED = "closed", "Case closed"
        REOPENED = "reopened", "Case reopened"
        RISK_SET = "risk_set", "Risk level set"
        CATEGORIES_SET = "categories_set", "Categories changed"
        REVIEW_SET = "review_set", "Review date set"
        ACTION_ADDED = "action_added", "Action added"
        ACTION_COMPLETED = "action_completed", "Action completed"
        NOTE_ADDED = "note_added", "Case note added"
        PARTNER_REFERRED = "partner_referred", "Partner referral made"
        PARTNER_OUTCOME = "partner_outcome", "Partner referral outcome recorded"
        VISIT_REQUESTED = "visit_requested", "Home visit requested"
        ESCALATED = "escalated", "Case escalated"
        VISIT_UPDATED = "visit_updated", "Home visit updated"
        ESCALATION_UPDATED = "escalation_updated", "Escalation updated"

    case = models.ForeignKey(AcsCase, on_delete=models.DO_NOTHING, related_name="events")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, related_name="acs_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    actor_username = models.CharField(max_length=150)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="acs_event_customer_recent"),
            models.Index(fields=["case", "occurred_at"], name="acs_event_case"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"
