"""Timeline sources for benefit events, payments and interactions (customer_view.timeline)."""

import datetime as dt

from django.utils import timezone

from audit.context import AuditContext
from benefits.labels import benefit_event_byline, benefit_event_title
from benefits.models import Payment
from benefits.selectors import (
    benefit_events_for_customer,
    large_arrears_pence,
    payments_for_customer,
    payments_with_amount_then,
)
from customers.models import Benefit, Customer
from customers.timeline import TimelineEntry


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def benefit_event_entries(
    *,
    customer: Customer,
    audit: AuditContext,
    benefit: str,
    limit: int,
    since: dt.datetime | None,
) -> list[TimelineEntry]:
    qs = benefit_events_for_customer(customer=customer, benefit=benefit)
    if since is not None:
        qs = qs.filter(occurred_at__gt=since)
    return [
        TimelineEntry(
            occurred_at=event.occurred_at,
            type="benefit_event",
            title=benefit_event_title(
                kind=event.kind, summary=event.summary, details=event.details or {}
            ),
            benefits=(event.benefit,),
            byline=benefit_event_byline(
                benefit_label=Benefit(event.benefit).label
                if event.benefit in Benefit.values
                else event.benefit,
                kind=event.kind,
            ),
            source_label=event.source_label,
            recorded_at=event.recorded_at,
            synced_at=event.synced_at,
        )
        for event in qs[:limit]
    ]


def payment_entries(
    *,
    customer: Customer,
    audit: AuditContext,
    benefit: str,
    limit: int,
    since: dt.datetime | None,
) -> list[TimelineEntry]:
    # The timeline is history: payments made; scheduled ones are shown with the payments.
    # "What has changed" (since given) also names payments newly scheduled, above all arrears.
    qs = payments_for_customer(customer=customer, benefit=benefit)
    if since is None:
        qs = qs.filter(status=Payment.Status.PAID)
    else:
        # What a payment already known then was, for "was £400.14".
        qs = payments_with_amount_then(qs.filter(synced_at__gt=since), moment=since)
    threshold = large_arrears_pence()
    entries = []
    for payment in qs[:limit]:
        arrears = payment.kind == Payment.Kind.ARREARS
        warning = ""
        if arrears:
            warning = "Large arrears payment" if payment.amount_pence >= threshold else "Arrears"
        when = ""
        if since is not None:
            due = "due on" if payment.status == Payment.Status.SCHEDULED else "paid on"
            when = f" {due} {payment.payment_date.day} {payment.payment_date:%b %Y}"
            was = getattr(payment, "amount_then", None)  # payments_with_amount_then's
            if was is not None and was != payment.amount_pence:
                when += f" (was {_pounds(was)})"
        entries.append(
            TimelineEntry(
                occurred_at=timezone.make_aware(
                    dt.datetime.combine(payment.payment_date, dt.time.min)
                ),
                type="payment",
                title=f"{payment.get_benefit_display()} {'arrears ' if arrears else ''}payment "
                f"of {_pounds(payment.amount_pence)}{when}",
                benefits=(payment.benefit,),
                byline=f"Reference {payment.reference}",
                warning=warning,
                date_only=True,
                source_label=payment.source_label,
                recorded_at=payment.source_changed_at,
                synced_at=payment.synced_at,
            )
        )
    return entries


def interaction_entries(
    *,
    customer: Customer,
    audit: AuditContext,
    benefit: str,
    limit: int,
    since: dt.datetime | None,
) -> list[TimelineEntry]:
    qs = customer.interactions.select_related("recorded_by").order_by("-recorded_at", "-id")
    if benefit:
        qs = qs.filter(benefits__contains=[benefit])
    if since is not None:
        qs = qs.filter(recorded_at__gt=since)
    entries = []
    for interaction in qs[:limit]:
        facts = []
        if interaction.outcome:
            facts.append(("Outcome", interaction.outcome))
        if interaction.follow_up_action or interaction.follow_up_date:
            when = (
                f" by {interaction.follow_up_date:%-d %B %Y}" if interaction.follow_up_date else ""
            )
            facts.append(("Follow-up", f"{interaction.follow_up_action}{when}".strip()))
        if interaction.benefit_labels:
            facts.append(("About", ", ".join(interaction.benefit_labels)))
        colleague = interaction.recorded_by
        entries.append(
            TimelineEntry(
                occurred_at=interaction.recorded_at,
                type="interaction",
                title=f"{interaction.get_channel_display()} contact",
                description=interaction.summary,
                benefits=tuple(interaction.benefits),
                byline=colleague.get_full_name() or colleague.get_username(),
                facts=tuple(facts),
                actor_id=interaction.recorded_by_id,
            )
        )
    return entries
