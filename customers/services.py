"""Writes about customers: interactions, the colleague's last visit, reasons for restricted access.

Keyword-only, atomic, validated and audited from the AuditContext they are given.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.hooks import InteractionRecorded, interaction_recorded
from customers.models import Benefit, Customer, CustomerVisit, Interaction
from customers.selectors.access import RECORD_INTERACTION_PERMISSION, VIEW_RESTRICTED_PERMISSION

MIN_REASON_LENGTH = 10


def interaction_record(
    *,
    customer: Customer,
    audit: AuditContext,
    channel: str,
    summary: str,
    benefits: list[str] | None = None,
    outcome: str = "",
    follow_up_action: str = "",
    follow_up_date: dt.date | None = None,
) -> Interaction:
    """Record a contact with the customer, by the colleague in `audit`. `customer` must come from
    customer_get_for_user. Announces customers.hooks.interaction_recorded in the transaction."""
    by = audit.user
    if by is None or not audit.has_perm(RECORD_INTERACTION_PERMISSION):
        access_record(
            audit=audit,
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
            audit=audit,
            action=AccessEvent.Action.CHANGE,
            what="record interaction",
            customer=customer,
            detail={"interaction_id": interaction.pk, "channel": channel},
        )
        interaction_recorded.announce(
            InteractionRecorded(customer_id=customer.pk, interaction_id=interaction.pk)
        )
    return interaction


def customer_visit_record(*, customer: Customer, audit: AuditContext) -> None:
    """Note that the colleague acting in `audit` opened `customer` now (one row per colleague
    and customer; nothing for a task or command)."""
    if audit.user is None:
        return
    CustomerVisit.objects.bulk_create(
        [CustomerVisit(customer=customer, user=audit.user, last_opened_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "customer"],
        update_fields=["last_opened_at"],
    )


def restricted_reason_give(*, audit: AuditContext, customer: Customer, reason: str) -> str:
    """Accept a cleared colleague's reason for opening a restricted record: the reason, cleaned.

    The caller keeps it for the session (audit.context.session_reason_keep); the reason itself
    reaches the audit with every view it allows (customer_get_for_user). A colleague who is not
    cleared is refused and the refusal logged.
    """
    if not audit.has_perm(VIEW_RESTRICTED_PERMISSION):
        access_record(
            audit=audit,
            action=AccessEvent.Action.REFUSED,
            what="restricted record reason",
            customer=customer,
            detail={"why": "restricted record"},
        )
        raise PermissionDenied("You are not cleared to open restricted records.")
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            f"Say why you need to open this record, in at least {MIN_REASON_LENGTH} characters."
        )
    return reason
