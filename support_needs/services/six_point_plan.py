"""Six Point Plan records: what a colleague did when a customer expressed intent to harm
themselves. Recording one places a restricted marker for 90 days and refers the customer to
the ACSSL queue."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from customers.models import Customer
from support_needs import rules
from support_needs.models import (
    Consent,
    HowLearned,
    NeedType,
    SixPointPlanRecord,
    SupportNeed,
    SupportNeedChange,
)
from support_needs.services.access import change_record, recorder_require
from support_needs.services.history import jsonable, need_change_add
from support_needs.services.referrals import acs_referral_request
from support_needs.services.signals import support_signals_compute

SIX_POINT_PLAN_CODE = "six-point-plan"


def six_point_plan_record(
    *,
    customer: Customer,
    audit: AuditContext,
    occurred_at: dt.datetime,
    support_partner: str,
    intent: str,
    immediate_risk: bool,
    emergency_services_called: bool,
    signposting: str,
    escalated_to: str,
    outcome: str,
    customer_agreed: str,
    location: str = "",
    contact_number: str = "",
    already_acted: bool = False,
    emergency_reference: str = "",
) -> SixPointPlanRecord:
    """Record a Six Point Plan: a restricted marker for 90 days (extended if one is already in
    place) and a referral to the ACSSL queue (immediate when the risk was immediate)."""
    recorder = recorder_require(audit=audit, customer=customer, what="six point plan record")
    with transaction.atomic():
        now = timezone.now()
        errors: dict[str, str] = {}
        if occurred_at is None:
            errors["occurred_at"] = "Enter when the customer said it."
        elif occurred_at > now + dt.timedelta(minutes=5):
            errors["occurred_at"] = "The time cannot be in the future."
        elif occurred_at < now - dt.timedelta(days=rules.SIX_POINT_PLAN_DAYS):
            errors["occurred_at"] = "Record a Six Point Plan within 90 days of the contact."
        required = {
            "support_partner": (support_partner, "Enter who you brought in as support partner."),
            "intent": (intent, "Record what the customer said they intend."),
            "signposting": (signposting, "Record the support you signposted (e.g. Samaritans)."),
            "escalated_to": (escalated_to, "Record the manager or ACSSL you escalated to."),
            "outcome": (outcome, "Record the outcome of the call."),
            "customer_agreed": (customer_agreed, "Record what the customer agreed to."),
        }
        for name, (value, message) in required.items():
            if not (value or "").strip():
                errors[name] = message
        if emergency_services_called and not (emergency_reference or "").strip():
            errors["emergency_reference"] = (
                "Enter the emergency services reference or who you spoke to."
            )
        if errors:
            raise ValidationError(errors)

        marker_type = NeedType.objects.get(code=SIX_POINT_PLAN_CODE)
        expires = occurred_at.astimezone(dt.UTC).date() + dt.timedelta(
            days=rules.SIX_POINT_PLAN_DAYS
        )
        marker = (
            SupportNeed.objects.select_for_update()
            .filter(customer=customer, need_type=marker_type, status=SupportNeed.Status.ACTIVE)
            .first()
        )
        summary = f"Six Point Plan on {occurred_at:%-d %B %Y %H:%M}: {outcome.strip()}"
        if marker is None:
            marker = SupportNeed.objects.create(
                customer=customer,
                need_type=marker_type,
                from_portal=True,
                details=summary,
                how_learned=HowLearned.CUSTOMER,
                consent=Consent.NOT_ABLE,
                recorded_by=audit.user,
                recorded_at=now,
                review_due=expires,
                expires_on=expires,
            )
            need_change_add(
                need=marker,
                action=SupportNeedChange.Action.RECORDED,
                by=audit.user,
                changes={"expires_on": [None, expires.isoformat()]},
                note="Six Point Plan recorded.",
            )
        else:
            previous = marker.expires_on
            marker.expires_on = max(previous or expires, expires)
            marker.review_due = marker.expires_on
            marker.details = summary
            marker.save(update_fields=["expires_on", "review_due", "details", "updated_at"])
            need_change_add(
                need=marker,
                action=SupportNeedChange.Action.UPDATED,
                by=audit.user,
                changes={"expires_on": [jsonable(previous), marker.expires_on.isoformat()]},
                note="Another Six Point Plan recorded.",
            )
        record = SixPointPlanRecord.objects.create(
            customer=customer,
            recorded_by=recorder,
            recorded_at=now,
            occurred_at=occurred_at,
            support_partner=support_partner.strip(),
            location=location.strip(),
            contact_number=contact_number.strip(),
            intent=intent.strip(),
            already_acted=already_acted,
            immediate_risk=immediate_risk,
            emergency_services_called=emergency_services_called,
            emergency_reference=emergency_reference.strip(),
            signposting=signposting.strip(),
            escalated_to=escalated_to.strip(),
            outcome=outcome.strip(),
            marker=marker,
        )
        record.acs_referral_id = acs_referral_request(
            customer=customer,
            audit=audit,
            reason=(
                f"Six Point Plan recorded: the customer expressed intent to harm themselves on "
                f"{occurred_at:%-d %B %Y %H:%M}."
                + (" Immediate risk; emergency services called." if immediate_risk else "")
            ),
            urgency="immediate" if immediate_risk else "urgent",
            categories=("suicide_self_harm",),
            customer_agreed=customer_agreed.strip(),
            source="six_point_plan",
        )
        record.save(update_fields=["acs_referral_id"])
        change_record(
            audit=audit,
            customer=customer,
            what="six point plan recorded",
            detail={"record": str(record.public_id), "referral": record.acs_referral_id},
        )
        support_signals_compute(customer_ids=[customer.pk])
        return record
