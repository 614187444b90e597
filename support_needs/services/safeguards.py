"""Large-arrears safeguards: the team records the support offered before the payment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from support_needs.models import ArrearsSafeguard
from support_needs.services.access import (
    change_record,
    marker_clearance_require,
    recorder_require,
    text_require,
)

# The checks made before a large arrears payment reaches the customer: (question, answers).
SAFEGUARD_CHECKS: dict[str, tuple[str, dict[str, str]]] = {
    "needs_checked": (
        "Support needs and markers on the record checked",
        {"yes": "Yes", "no": "No"},
    ),
    "acting_for": (
        "Someone acts for the customer (an appointee or power of attorney)",
        {"yes": "Yes, and they know about the payment", "no": "No one", "unknown": "Not known"},
    ),
    "bank_details": (
        "Bank details changed in the last 3 months",
        {"yes": "Yes, and the change was confirmed", "no": "No", "unknown": "Not known"},
    ),
    "contact_made": (
        "Contact made about the payment",
        {"yes": "Yes", "no": "No, the customer could not be reached"},
    ),
}


def _checks_require(checks: dict[str, str]) -> dict[str, str]:
    errors = {
        name: f"Answer: {question.lower()}"
        for name, (question, answers) in SAFEGUARD_CHECKS.items()
        if checks.get(name) not in answers
    }
    if errors:
        raise ValidationError(errors)
    return checks


def arrears_safeguard_complete(
    *,
    safeguard: ArrearsSafeguard,
    audit: AuditContext,
    outcome: str,
    cancelled: bool = False,
    needs_checked: str = "",
    acting_for: str = "",
    bank_details: str = "",
    contact_made: str = "",
) -> ArrearsSafeguard:
    """Close the team's task: the checks made and the support offered before the payment (or
    no longer needed: then no checks are asked for). The checks are kept with the outcome and
    in the audit entry, with whether they were recorded before the payment date."""
    what = "arrears safeguard close"
    recorder_require(audit=audit, customer=safeguard.customer, what=what)
    if safeguard.restricted:
        # Raised from a restricted marker alone: its reason names the marker.
        marker_clearance_require(
            audit=audit,
            customer=safeguard.customer,
            what=what,
            message="Restricted safeguard: only an ACSSL or team leader can close it.",
        )
    with transaction.atomic():
        outcome = text_require(
            outcome, "outcome", "Record what support was offered, and the answer."
        )
        checks = {
            "needs_checked": needs_checked,
            "acting_for": acting_for,
            "bank_details": bank_details,
            "contact_made": contact_made,
        }
        before_payment = timezone.localdate() <= safeguard.payment_date
        if not cancelled:
            _checks_require(checks)
            answered = "; ".join(
                f"{question}: {answers[checks[name]].lower()}"
                for name, (question, answers) in SAFEGUARD_CHECKS.items()
            )
            when = "before the payment" if before_payment else "after the payment date"
            outcome = f"{outcome}\n\nChecks recorded {when}: {answered}."
        safeguard = ArrearsSafeguard.objects.select_for_update().get(pk=safeguard.pk)
        if safeguard.status != ArrearsSafeguard.Status.OPEN:
            raise ValidationError("This safeguard is already closed.")
        safeguard.status = (
            ArrearsSafeguard.Status.CANCELLED if cancelled else ArrearsSafeguard.Status.DONE
        )
        safeguard.outcome = outcome
        safeguard.completed_by = audit.user
        safeguard.completed_at = timezone.now()
        safeguard.save(update_fields=["status", "outcome", "completed_by", "completed_at"])
        change_record(
            audit=audit,
            customer=safeguard.customer,
            what="arrears safeguard closed",
            detail={
                "safeguard": str(safeguard.public_id),
                "status": safeguard.status,
                **({} if cancelled else {"checks": checks, "before_payment": before_payment}),
            },
        )
        return safeguard
