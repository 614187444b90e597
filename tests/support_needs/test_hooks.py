"""The hooks that link support needs to the apps around them: each handler is connected at
start-up, and runs inside the announcer's transaction (so the announcer's rollback undoes it)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from acs import apps as acs_apps
from acs.models import AcsCase, Referral
from benefits.hooks import SyncPageApplied, sync_page_applied
from benefits.models import Payment, SyncRun
from customers.hooks import InteractionRecorded, interaction_recorded
from customers.models import Interaction
from support_needs import handlers
from support_needs.hooks import (
    ReferralRequested,
    RestrictedContactAsked,
    referral_requested,
    restricted_contact_asked,
)
from support_needs.models import SupportNeed, SupportSignal
from support_needs.selectors import support_need_panel
from tests.factories import CustomerFactory, PaymentFactory, UniversalCreditAwardFactory
from tests.support_needs.conftest import audit_as, record

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    """Raised by the announcer after announcing: its transaction must take the handler's work."""


def rolled_back(announce_and_check) -> None:
    """Announce (and check what the handlers did) in a transaction that then rolls back, as an
    announcer's transaction does when something after the announcement fails."""
    with pytest.raises(Rollback), transaction.atomic():  # noqa: PT012 - the announcer's block
        announce_and_check()
        raise Rollback


def test_sync_page_applied_runs_support_needs_inside_the_page_transaction(work_coach):
    assert handlers.sync_page_applied in sync_page_applied.handlers
    customer = CustomerFactory()
    record(customer, work_coach, "homelessness")  # a complex need
    PaymentFactory(
        customer=customer,
        kind=Payment.Kind.ARREARS,
        status=Payment.Status.SCHEDULED,
        amount_pence=900_000,
        payment_date=timezone.localdate() + dt.timedelta(days=10),
    )
    run = SyncRun.objects.create(source="pip", status="running")
    page = SyncPageApplied(source="pip", sync_run_id=run.pk, customer_ids=(customer.pk,))

    def announce() -> None:
        sync_page_applied.announce(page)
        assert customer.support_signals.filter(rule="large_arrears", status="open").exists()

    rolled_back(announce)
    assert not SupportSignal.objects.filter(customer=customer).exists()
    sync_page_applied.announce(page)  # and committed with the page when it commits
    assert customer.support_signals.filter(rule="large_arrears", status="open").exists()


def test_a_uc_page_brings_uc_needs_in_through_the_hook():
    customer = CustomerFactory()
    UniversalCreditAwardFactory(
        customer=customer,
        support_needs=[{"code": "MENTAL_HEALTH", "details": "From UC", "recorded_date": None}],
    )
    run = SyncRun.objects.create(source="uc", status="running")

    def announce() -> None:
        sync_page_applied.announce(
            SyncPageApplied(source="uc", sync_run_id=run.pk, customer_ids=(customer.pk,))
        )
        need = SupportNeed.objects.get(customer=customer, from_uc=True)
        assert need.uc_sync_run_id == run.pk

    rolled_back(announce)
    assert not SupportNeed.objects.filter(customer=customer).exists()


def test_interaction_recorded_recomputes_signals_inside_the_recording_transaction(work_coach):
    assert handlers.interaction_recorded in interaction_recorded.handlers
    customer = CustomerFactory()
    interactions = [
        Interaction.objects.create(
            customer=customer,
            channel="phone",
            summary="Called about payment",
            recorded_by=work_coach,
            recorded_at=timezone.now() - dt.timedelta(days=days),
        )
        for days in (1, 2, 3)
    ]
    recorded = InteractionRecorded(customer_id=customer.pk, interaction_id=interactions[-1].pk)

    def announce() -> None:
        interaction_recorded.announce(recorded)
        assert customer.support_signals.filter(rule="repeated_contact", status="open").exists()

    rolled_back(announce)
    assert not SupportSignal.objects.filter(customer=customer).exists()


def test_referral_requested_is_answered_by_acs_with_the_referral_id(work_coach):
    assert acs_apps.referral_for_support_needs in referral_requested.handlers
    customer = CustomerFactory()
    request = ReferralRequested(
        customer=customer,
        audit=audit_as(work_coach),
        reason="Signal: several contacts in a short time.",
        urgency="standard",
        categories=(),
        customer_agreed="Agreed to a call from an ACSSL",
        source="signal",
    )

    def announce() -> None:
        (referral_id,) = referral_requested.announce(request)
        referral = Referral.objects.get(pk=referral_id)
        assert referral.customer == customer
        assert referral.referred_by == work_coach

    rolled_back(announce)
    assert not Referral.objects.exists()
    assert not AcsCase.objects.exists()


def test_restricted_contact_asked_is_answered_by_acs_with_the_case_owner(work_coach, acssl):
    assert acs_apps.case_owner_for_support_needs in restricted_contact_asked.handlers
    customer = CustomerFactory()
    assert restricted_contact_asked.announce(
        RestrictedContactAsked(customer=customer, audit=audit_as(work_coach))
    ) == [None]
    AcsCase.objects.create(
        customer=customer,
        status=AcsCase.Status.OPEN,
        urgency="standard",
        referred_at=timezone.now(),
        owner=acssl,
    )
    record(customer, acssl, "risk-of-harm")  # hidden from the work coach
    panel = support_need_panel(customer=customer, audit=audit_as(work_coach))
    assert panel.case_owner == acssl.get_full_name()
    assert panel.restricted_speak_to.startswith(
        f"{acssl.get_full_name()}, the ACSSL who owns their ACS case, or "
    )
