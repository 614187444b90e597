"""Support signals: compute them from the rules (support_needs.rules) whenever a customer's
data changes, raising a large-arrears safeguard for the team where one applies; a colleague
acts on an open signal by referring the customer to an ACSSL or dismissing it with a reason."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from support_needs import rules
from support_needs.models import ArrearsSafeguard, SignalRule, SupportSignal
from support_needs.services.access import change_record, signal_access_require, text_require
from support_needs.services.referrals import acs_referral_request


@dataclass
class SignalsResult:
    raised: int = 0
    cleared: int = 0
    safeguards_raised: int = 0


@transaction.atomic
def support_signals_compute(
    *, customer_ids: list[int], today: dt.date | None = None
) -> SignalsResult:
    """Run every rule for these customers: raise new signals (and a large-arrears safeguard for
    the team), clear open ones whose facts no longer hold. Call it whenever their data changes
    (after a sync page, a need recorded or ended, an interaction recorded). Idempotent."""
    result = SignalsResult()
    if not customer_ids:
        return result
    today = today or timezone.localdate()
    now = timezone.now()
    customer_ids = rules.customers_any_rule_could_apply_to(list(customer_ids), today)
    if not customer_ids:
        return result
    findings = rules.findings_for(customer_ids, today)
    existing = {
        (s.customer_id, s.rule, s.fact_key): s
        for s in SupportSignal.objects.select_for_update().filter(customer_id__in=customer_ids)
    }
    found_keys = set()
    for finding in findings:
        key = (finding.customer_id, finding.rule, finding.fact_key)
        found_keys.add(key)
        signal = existing.get(key)
        if signal is None:
            referral_id = finding.six_point_plan.acs_referral_id if finding.six_point_plan else None
            signal = SupportSignal.objects.create(
                customer_id=finding.customer_id,
                rule=finding.rule,
                fact_key=finding.fact_key,
                reason=finding.reason,
                restricted=finding.restricted,
                raised_at=now,
                # A Six Point Plan record has referred already.
                status=SupportSignal.Status.REFERRED if referral_id else SupportSignal.Status.OPEN,
                acs_referral_id=referral_id,
            )
            existing[key] = signal
            result.raised += 1
        elif signal.status == SupportSignal.Status.CLEARED:
            signal.status = SupportSignal.Status.OPEN
            signal.reason = finding.reason
            signal.restricted = finding.restricted
            signal.raised_at = now
            signal.save(update_fields=["status", "reason", "restricted", "raised_at"])
            result.raised += 1
        if finding.rule == SignalRule.LARGE_ARREARS_COMPLEX and finding.payment is not None:
            _, created = ArrearsSafeguard.objects.get_or_create(
                payment=finding.payment,
                defaults={
                    "customer_id": finding.customer_id,
                    "amount_pence": finding.payment.amount_pence,
                    "payment_date": finding.payment.payment_date,
                    "reason": finding.reason,
                    "restricted": finding.restricted,
                    "raised_at": now,
                },
            )
            result.safeguards_raised += int(created)
    for key, signal in existing.items():
        if key not in found_keys and signal.status == SupportSignal.Status.OPEN:
            signal.status = SupportSignal.Status.CLEARED
            signal.save(update_fields=["status"])
            result.cleared += 1
    return result


def support_signal_refer(
    *,
    signal: SupportSignal,
    audit: AuditContext,
    customer_agreed: str,
    urgency: str = "standard",
    note: str = "",
) -> SupportSignal:
    """Act on a signal by referring the customer to an ACSSL, with the signal's reason."""
    signal_access_require(audit=audit, signal=signal, what="support signal refer")
    with transaction.atomic():
        signal = SupportSignal.objects.select_for_update().get(pk=signal.pk)
        if signal.status != SupportSignal.Status.OPEN:
            raise ValidationError("This signal has already been dealt with.")
        reason = f"Signal: {signal.get_rule_display()}. {signal.reason}"
        if (note or "").strip():
            reason += f"\n\nColleague's note: {note.strip()}"
        signal.acs_referral_id = acs_referral_request(
            customer=signal.customer,
            audit=audit,
            reason=reason,
            urgency=urgency,
            categories=(),
            customer_agreed=text_require(
                customer_agreed, "customer_agreed", "Say what the customer agreed to."
            ),
            source="signal",
        )
        signal.status = SupportSignal.Status.REFERRED
        signal.actioned_by = audit.user
        signal.actioned_at = timezone.now()
        signal.save(update_fields=["acs_referral_id", "status", "actioned_by", "actioned_at"])
        change_record(
            audit=audit,
            customer=signal.customer,
            what="support signal referred",
            detail={"signal": str(signal.public_id), "rule": signal.rule},
        )
        return signal


def support_signal_dismiss(
    *, signal: SupportSignal, audit: AuditContext, reason: str
) -> SupportSignal:
    """Dismiss a signal; the reason is kept. The same facts never raise it again."""
    signal_access_require(audit=audit, signal=signal, what="support signal dismiss")
    with transaction.atomic():
        reason = text_require(reason, "reason", "Say why no referral is needed.")
        signal = SupportSignal.objects.select_for_update().get(pk=signal.pk)
        if signal.status != SupportSignal.Status.OPEN:
            raise ValidationError("This signal has already been dealt with.")
        signal.status = SupportSignal.Status.DISMISSED
        signal.dismiss_reason = reason
        signal.actioned_by = audit.user
        signal.actioned_at = timezone.now()
        signal.save(update_fields=["status", "dismiss_reason", "actioned_by", "actioned_at"])
        change_record(
            audit=audit,
            customer=signal.customer,
            what="support signal dismissed",
            detail={"signal": str(signal.public_id), "rule": signal.rule},
        )
        return signal
