"""Reads of benefit data for the customer page: award cards, payments, events, source freshness.

Callers pass a customer already checked against the colleague (customers.selectors does that);
these functions add no access rules of their own and run a fixed number of queries each.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from benefits.labels import code_label
from benefits.models import (
    BenefitEvent,
    EsaAward,
    Payment,
    PipAward,
    SourceWatermark,
    StatePensionAward,
    SyncRun,
    UniversalCreditAward,
)
from customers.models import Benefit, Customer, Source

# Which legacy system holds each benefit, and the customer's one-to-one relation to its award.
BENEFIT_SOURCE = {
    Benefit.UC: Source.UC,
    Benefit.PIP: Source.PIP,
    Benefit.ESA: Source.ESA,
    Benefit.SP: Source.SP,
}
AWARD_RELATIONS = {
    Benefit.UC: "uc_award",
    Benefit.PIP: "pip_award",
    Benefit.ESA: "esa_award",
    Benefit.SP: "sp_award",
}
AWARD_MODELS = {
    Benefit.UC: UniversalCreditAward,
    Benefit.PIP: PipAward,
    Benefit.ESA: EsaAward,
    Benefit.SP: StatePensionAward,
}


def stale_after() -> dt.timedelta:
    return dt.timedelta(hours=settings.SOURCE_STALE_AFTER_HOURS)


def large_arrears_pence() -> int:
    """The one large-arrears threshold: the payment flag here and the support signal
    (support_needs.rules) both read it."""
    return int(settings.SUPPORT_NEEDS_LARGE_ARREARS_PENCE)


@dataclass(frozen=True)
class SourceFreshness:
    """How current the portal's copy of one legacy system is."""

    source: str
    label: str
    last_success_at: dt.datetime | None
    last_run_status: str  # "" when it has never run
    last_run_finished_at: dt.datetime | None
    stale_after: dt.timedelta

    @property
    def never_synced(self) -> bool:
        return self.last_success_at is None

    @property
    def last_run_failed(self) -> bool:
        return self.last_run_status == SyncRun.Status.FAILED

    @property
    def stale(self) -> bool:
        return (
            self.last_success_at is None or timezone.now() - self.last_success_at > self.stale_after
        )

    @property
    def warning(self) -> str:
        """What a colleague must know before trusting this source's data, or ""."""
        if self.never_synced:
            return f"{self.label} has never been synced: what the portal shows may be incomplete."
        parts = []
        if self.last_run_failed:
            parts.append(f"The last sync from {self.label} failed.")
        if self.stale:
            hours = int(self.stale_after.total_seconds() // 3600)
            parts.append(
                f"No successful sync from {self.label} in the last {hours} hours: "
                "check anything important in the source system."
            )
        return " ".join(parts)


def source_freshness_list() -> dict[str, SourceFreshness]:
    """Freshness of every legacy source, keyed by source code. Two queries whatever the data."""
    watermarks = {w.source: w.last_success_at for w in SourceWatermark.objects.all()}
    # The latest run per source (DISTINCT ON uses the syncrun_source_recent index).
    latest_runs = {
        run.source: run
        for run in SyncRun.objects.order_by("source", "-queued_at")
        .distinct("source")
        .only("source", "status", "finished_at", "queued_at")
    }
    # A successful run is as good as a watermark when the sync records only one of them.
    result = {}
    for source in BENEFIT_SOURCE.values():
        run = latest_runs.get(source.value)
        last_success = watermarks.get(source.value)
        if last_success is None and run and run.status == SyncRun.Status.SUCCEEDED:
            last_success = run.finished_at
        result[source.value] = SourceFreshness(
            source=source.value,
            label=source.label,
            last_success_at=last_success,
            last_run_status=run.status if run else "",
            last_run_finished_at=run.finished_at if run else None,
            stale_after=stale_after(),
        )
    return result


@dataclass
class BenefitCard:
    """One benefit the customer holds, for its card on the customer page."""

    benefit: str
    label: str
    award: Any
    freshness: SourceFreshness
    next_payment: Payment | None = None  # the next scheduled payment of this benefit

    @property
    def source_label(self) -> str:
        return self.freshness.label

    @property
    def status(self) -> str:
        return getattr(self.award, "status", "") or getattr(self.award, "claim_stage", "")

    @property
    def status_label(self) -> str:
        """The status in plain English from its source's own table ("In payment"), never the
        bare code; a PIP claim with no status yet is described by its stage."""
        source = BENEFIT_SOURCE[Benefit(self.benefit)].value
        status: str = getattr(self.award, "status", "")
        stage: str = getattr(self.award, "claim_stage", "")
        if not status and stage:
            return code_label(source, "claim_stage", stage)
        if not status:
            return "Status not known"
        return code_label(source, "status", status)

    @property
    def in_payment(self) -> bool:
        return self.status in {"live", "in_payment", "awarded"}

    @property
    def template_name(self) -> str:
        return f"customers/cards/_{self.benefit}.html"


def award_prefetch_fields() -> list[str]:
    """select_related names that load every award with the customer in one query."""
    return list(AWARD_RELATIONS.values())


def benefit_cards_for(
    *,
    customer: Customer,
    freshness: dict[str, SourceFreshness],
    payments: "PaymentSummary | None" = None,
) -> list[BenefitCard]:
    """A card per award the customer has, each with its next payment from `payments` (the
    summary the payments table shows). Awards must be loaded with award_prefetch_fields()."""
    cards = []
    for benefit, relation in AWARD_RELATIONS.items():
        try:
            award = getattr(customer, relation)
        except ObjectDoesNotExist:  # no award of this kind (cached as absent: no query)
            continue
        source = BENEFIT_SOURCE[benefit].value
        cards.append(
            BenefitCard(
                benefit=benefit.value,
                label=benefit.label,
                award=award,
                freshness=freshness[source],
                next_payment=payments.next_payment_for(benefit.value) if payments else None,
            )
        )
    return cards


@dataclass
class PaymentSummary:
    scheduled: list[Payment]
    recent: list[Payment]
    large_arrears: list[Payment]

    @property
    def next_payment(self) -> Payment | None:
        return self.scheduled[0] if self.scheduled else None

    def next_payment_for(self, benefit: str) -> Payment | None:
        """A benefit's one "next payment": the earliest payment still to come that the payments
        table lists for it (its card shows this, for every benefit)."""
        return next((p for p in self.scheduled if p.benefit == benefit), None)


def payment_summary_for(*, customer: Customer, recent: int = 10) -> PaymentSummary:
    """Payments still to come (scheduled, dated today or later: soonest first) and the most
    recent others, across every benefit. A scheduled payment whose day has passed and that its
    source has not yet confirmed as paid is among the recent ones, never shown as to come.

    One query: the newest payments by date (scheduled ones are dated in the future, so they
    come first), limited however many payments the customer has had.
    """
    today = timezone.localdate()
    rows = list(
        Payment.objects.filter(customer=customer).order_by("-payment_date", "-id")[: recent + 10]
    )
    scheduled = sorted(
        (p for p in rows if p.status == Payment.Status.SCHEDULED and p.payment_date >= today),
        key=lambda p: p.payment_date,
    )
    paid = [p for p in rows if p not in scheduled][:recent]
    threshold = large_arrears_pence()
    large = [p for p in rows if p.kind == Payment.Kind.ARREARS and p.amount_pence >= threshold]
    return PaymentSummary(scheduled=scheduled, recent=paid, large_arrears=large)


def payments_for_customer(*, customer: Customer, benefit: str = "") -> QuerySet[Payment]:
    """Payments newest first (the caller slices), optionally for one benefit."""
    qs = Payment.objects.filter(customer=customer)
    if benefit:
        qs = qs.filter(benefit=benefit)
    return qs.order_by("-payment_date", "-id")


def payments_with_amount_then(
    payments: QuerySet[Payment], *, moment: dt.datetime
) -> QuerySet[Payment]:
    """`payments`, each with `amount_then`: its amount as it stood at `moment`, read from its
    change history in the same query (None for a payment first synced after `moment`)."""
    history = Payment._meta.get_field("change_history").related_model
    then = (
        history._default_manager.filter(pgh_obj=OuterRef("pk"), pgh_created_at__lte=moment)
        .order_by("-pgh_id")
        .values("amount_pence")[:1]
    )
    return payments.annotate(amount_then=Subquery(then))


def benefit_events_for_customer(*, customer: Customer, benefit: str = "") -> QuerySet[BenefitEvent]:
    """Benefit events newest first (the caller slices), optionally for one benefit."""
    qs = BenefitEvent.objects.filter(customer=customer)
    if benefit:
        qs = qs.filter(benefit=benefit)
    return qs.order_by("-occurred_at", "-id")


# --- What changed on an award since a moment -------------------------------------------------

# The facts a colleague would want told when an award changed: (field, label, how to show it).
# How: "money" (pence), "date", "text", or a code family in benefits.labels for that source.
AWARD_CHANGE_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    Benefit.UC: (
        ("status", "Status", "status"),
        ("award_amount_pence", "Monthly award", "money"),
        ("next_payment_date", "Next payment date", "date"),
        ("next_payment_pence", "Next payment", "money"),
        ("conditionality_regime", "Work requirements", "conditionality_regime"),
        ("household", "Claim", "household"),
        ("work_coach", "Work coach", "text"),
        ("end_date", "End date", "date"),
    ),
    Benefit.PIP: (
        ("status", "Status", "status"),
        ("claim_stage", "Claim stage", "claim_stage"),
        ("daily_living_rate", "Daily living", "rate"),
        ("mobility_rate", "Mobility", "rate"),
        ("daily_living_weekly_pence", "Daily living a week", "money"),
        ("mobility_weekly_pence", "Mobility a week", "money"),
        ("award_end", "Award ends", "date"),
        ("review_date", "Review date", "date"),
        ("mr_status", "Mandatory reconsideration", "mr_status"),
        ("appeal_status", "Appeal", "appeal_status"),
        ("end_date", "Claim closed", "date"),
    ),
    Benefit.ESA: (
        ("status", "Status", "status"),
        ("phase", "Phase", "phase"),
        ("group", "Group", "group"),
        ("weekly_rate_pence", "Weekly rate", "money"),
        ("wca_date", "Work capability assessment", "date"),
        ("wca_outcome", "Assessment outcome", "wca_outcome"),
        ("migration_deadline_date", "Move to UC deadline", "date"),
        ("end_date", "End date", "date"),
    ),
    Benefit.SP: (
        ("status", "Status", "status"),
        ("weekly_amount_pence", "Weekly amount", "money"),
        ("additional_pence", "Additional pension a week", "money"),
        ("payment_day", "Paid on", "payment_day"),
        ("deferral_weeks", "Weeks deferred", "text"),
        ("end_date", "End date", "date"),
    ),
}


@dataclass(frozen=True)
class AwardChange:
    """One fact of an award that changed: what it is called, what it was, what it is."""

    label: str
    before: str
    after: str


def _award_fact(benefit: str, how: str, value: object) -> str:
    if value is None or value == "":
        return "none"
    if how == "money":
        pence = int(value)  # type: ignore[call-overload]
        return f"{'-' if pence < 0 else ''}£{abs(pence) / 100:,.2f}"
    if how == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return f"{day:%-d %B %Y}"
    if how == "text":
        return str(value)
    return code_label(BENEFIT_SOURCE[Benefit(benefit)].value, how, value)


def award_changes_since(
    *, benefit: str, award: Any, since: dt.datetime
) -> list[AwardChange] | None:
    """What changed on `award` (one of the customer's award rows, already read through the
    customer's selector) since `since`, read from its change history (one query): each fact
    as it was then and as it is now. None when the award is new since then."""
    before = award.change_history.filter(pgh_created_at__lte=since).order_by("-pgh_id").first()
    if before is None:
        return None
    changes = []
    for field, label_text, how in AWARD_CHANGE_FIELDS.get(benefit, ()):
        old, new = getattr(before, field), getattr(award, field)
        if old != new:
            changes.append(
                AwardChange(
                    label=label_text,
                    before=_award_fact(benefit, how, old),
                    after=_award_fact(benefit, how, new),
                )
            )
    return changes
