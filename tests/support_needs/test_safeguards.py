"""Closing a large-arrears safeguard: refusals (role, restricted safeguard), the cancelled
path, and the audit entry for each closure."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessEvent
from support_needs.models import ArrearsSafeguard
from support_needs.services.safeguards import arrears_safeguard_complete
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as
from tests.support_needs.test_rules import CHECKS, arrears, compute, record

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
    arrears_safeguard_complete(
        safeguard=safeguard, audit=audit_as(acssl), outcome="Rang; safe", **CHECKS
    )
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


def test_support_offered_needs_every_check_answered_and_keeps_them(work_coach):
    safeguard = safeguard_for(work_coach, "problem-debt")
    with pytest.raises(ValidationError) as refused:
        arrears_safeguard_complete(
            safeguard=safeguard,
            audit=audit_as(work_coach),
            outcome="Offered a budgeting referral",
            needs_checked="yes",
            contact_made="maybe",
        )
    assert set(refused.value.message_dict) == {"acting_for", "bank_details", "contact_made"}
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.OPEN
    arrears_safeguard_complete(
        safeguard=safeguard,
        audit=audit_as(work_coach),
        outcome="Offered a budgeting referral; accepted",
        needs_checked="yes",
        acting_for="yes",
        bank_details="no",
        contact_made="yes",
    )
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.DONE
    assert "Checks recorded before the payment" in safeguard.outcome
    assert "appointee or power of attorney): yes, and they know about the payment" in (
        safeguard.outcome
    )
    event = AccessEvent.objects.get(what="arrears safeguard closed")
    assert event.detail["checks"]["acting_for"] == "yes"
    assert event.detail["before_payment"] is True


def test_the_safeguard_form_names_each_check_left_unanswered():
    from support_needs.forms import SafeguardForm

    form = SafeguardForm(data={"outcome": "Rang the customer"})
    assert not form.is_valid()
    assert set(form.errors) == {"needs_checked", "acting_for", "bank_details", "contact_made"}
    cancelled = SafeguardForm(data={"outcome": "Payment withdrawn", "cancelled": "on"})
    assert cancelled.is_valid(), cancelled.errors


def test_a_restricted_safeguards_reason_is_shown_only_to_cleared_colleagues(
    client, work_coach, acssl
):
    """The reason names the marker (risk of harm): colleagues not cleared read that a marker
    applies, on the list, on the customer's panel and in the API."""
    from django.urls import reverse
    from django.utils.html import escape

    from tests.api.conftest import TokenClient

    safeguard = safeguard_for(acssl, "risk-of-harm")
    secret = safeguard.reason
    assert "risk of harm" in secret.lower()
    customer = safeguard.customer
    pages = [
        reverse("support_needs:safeguards-open"),
        reverse("support_needs:panel", kwargs={"public_id": customer.public_id}),
    ]
    api_url = reverse("api:support-needs", kwargs={"public_id": customer.public_id})
    client.force_login(work_coach)
    for url in pages:
        assert escape(secret) not in client.get(url).content.decode(), url
    (shown,) = TokenClient(work_coach).get(api_url).json()["safeguards"]
    assert shown["reason"] is None
    client.force_login(acssl)
    for url in pages:
        assert escape(secret) in client.get(url).content.decode(), url
    (shown,) = TokenClient(acssl).get(api_url).json()["safeguards"]
    assert shown["reason"] == secret
