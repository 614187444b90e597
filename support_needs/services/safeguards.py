"""Large-arrears safeguards: the team records the support offered before the payment."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from support_needs.models import ArrearsSafeguard
from support_needs.services.access import (
    change_record,
    recorder_require,
    restricted_needs_cleared,
    text_require,
)


@transaction.atomic
def arrears_safeguard_complete(
    *,
    safeguard: ArrearsSafeguard,
    audit: AuditContext,
    outcome: str,
    cancelled: bool = False,
) -> ArrearsSafeguard:
    """Close the team's task: support offered before the payment (or no longer needed)."""
    recorder_require(audit=audit, customer=safeguard.customer)
    if safeguard.restricted and not restricted_needs_cleared(audit):
        # Raised from a restricted marker alone: its reason names the marker.
        raise PermissionDenied("Restricted safeguard: only an ACSSL or team leader can close it.")
    outcome = text_require(outcome, "outcome", "Record what support was offered, and the answer.")
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
        detail={"safeguard": str(safeguard.public_id), "status": safeguard.status},
    )
    return safeguard
