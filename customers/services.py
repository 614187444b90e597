"""Writes about customers: interactions, the colleague's last visit, reasons for restricted access.

Keyword-only, atomic, validated and audited, as STYLE.md asks.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Benefit, Customer, CustomerVisit, Interaction
from customers.selectors import (
    RECORD_INTERACTION_PERMISSION,
    SESSION_REASONS_KEY,
    VIEW_RESTRICTED_PERMISSION,
)

MIN_REASON_LENGTH = 10


def interaction_record(
    *,
    customer: Customer,
    by: Any,
    request: HttpRequest,
    channel: str,
    summary: str,
    benefits: list[str] | None = None,
    outcome: str = "",
    follow_up_action: str = "",
    follow_up_date: dt.date | None = None,
) -> Interaction:
    """Record a contact with the customer. `customer` must come from customer_get_for_user."""
    if not by.has_perm(RECORD_INTERACTION_PERMISSION):
        access_record(
            request=request,
            action=AccessEvent.Action.REFUSED,
            what="record interaction",
            customer=customer,
            detail={"why": "role may not record interactions"},
        )
        raise PermissionDenied("Your role does not record interactions.")
    benefits = sorted(set(benefits or []))
    unknown = [b for b in benefits if b not in Benefit.values]
    if unknown:
        raise ValidationError({"benefits": "Choose benefits from the list."})
    interaction = Interaction(
        customer=customer,
        channel=channel,
        benefits=benefits,
        summary=summary.strip(),
        outcome=outcome.strip(),
        follow_up_action=follow_up_action.strip(),
        follow_up_date=follow_up_date,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    interaction.full_clean()
    with transaction.atomic():
        interaction.save()
        access_record(
            request=request,
            action=AccessEvent.Action.CHANGE,
            what="record interaction",
            customer=customer,
            detail={"interaction_id": interaction.pk, "channel": channel},
        )
        # "Several contacts in a short time" is one of the support signals: recompute now.
        from support_needs.services import support_signals_compute

        support_signals_compute(customer_ids=[customer.pk])
    return interaction


def customer_visit_record(*, customer: Customer, user: Any) -> None:
    """Note that `user` opened `customer` now (one row per colleague and customer)."""
    CustomerVisit.objects.bulk_create(
        [CustomerVisit(customer=customer, user=user, last_opened_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "customer"],
        update_fields=["last_opened_at"],
    )


def restricted_reason_give(*, request: HttpRequest, customer: Customer, reason: str) -> None:
    """Keep a cleared colleague's reason for opening a restricted record, for this session.

    The reason itself reaches the audit with every view it allows (customer_get_for_user).
    """
    user = request.user
    if not user.has_perm(VIEW_RESTRICTED_PERMISSION):
        raise PermissionDenied("You are not cleared to open restricted records.")
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            f"Say why you need to open this record, in at least {MIN_REASON_LENGTH} characters."
        )
    reasons = dict(request.session.get(SESSION_REASONS_KEY, {}))
    reasons[str(customer.public_id)] = {"reason": reason, "at": timezone.now().isoformat()}
    request.session[SESSION_REASONS_KEY] = reasons
