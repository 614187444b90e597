"""Closing a large-arrears safeguard: refusals (role, restricted safeguard), the cancelled
path, and the audit entry for each closure."""

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AccessEvent
from support_needs.models import ArrearsSafeguard
from support_needs.services.safeguards import arrears_safeguard_complete
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as
from tests.support_needs.test_rules import arrears, compute, record

pytestmark = pytest.mark.django_db


def safeguard_for(by, code):
    customer = CustomerFactory()
    record(customer, by, code)
    arrears(customer, 700000)
    compute(customer)
    return ArrearsSafeguard.objects.get(customer=customer)


def test_a_role_that_cannot_record_needs_cannot_close_a_safeguard(work_coach, admin_user):
    safeguard = safeguard_for(work_coach, "problem-debt")
    with pytest.raises(PermissionDenied):
        arrears_safeguard_complete(safeguard=safeguard, audit=audit_as(admin_user), outcome="Done")
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.OPEN
    assert not AccessEvent.objects.filter(what="arrears safeguard closed").exists()


def test_a_restricted_safeguard_is_closed_only_by_a_cleared_colleague(work_coach, acssl):
    safeguard = safeguard_for(acssl, "risk-of-harm")
    assert safeguard.restricted
    with pytest.raises(PermissionDenied):
        arrears_safeguard_complete(safeguard=safeguard, audit=audit_as(work_coach), outcome="Rang")
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.OPEN
    arrears_safeguard_complete(safeguard=safeguard, audit=audit_as(acssl), outcome="Rang; safe")
    safeguard.refresh_from_db()
    assert (safeguard.status, safeguard.completed_by) == ("done", acssl)


def test_a_safeguard_no_longer_needed_is_cancelled_and_audited(work_coach):
    safeguard = safeguard_for(work_coach, "problem-debt")
    arrears_safeguard_complete(
        safeguard=safeguard,
        audit=audit_as(work_coach),
        outcome="Payment withdrawn by UC",
        cancelled=True,
    )
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.CANCELLED
    event = AccessEvent.objects.get(what="arrears safeguard closed")
    assert event.customer_id == safeguard.customer_id
    assert event.user == work_coach
    assert event.detail["status"] == "cancelled"
