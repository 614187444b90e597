"""Signal rules: each raises with its reason when its facts hold, and not otherwise; refer and
dismiss; the large-arrears safeguard."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from acs.models import Referral
from audit.models import AccessEvent
from benefits.models import Payment
from benefits.selectors import payment_summary_for
from support_needs.models import ArrearsSafeguard, SupportSignal
from support_needs.services.safeguards import arrears_safeguard_complete
from support_needs.services.signals import (
    support_signal_dismiss,
    support_signal_refer,
    support_signals_compute,
)
from tests.factories import (
    CustomerFactory,
    PaymentFactory,
    PipAwardFactory,
    UniversalCreditAwardFactory,
)
from tests.support_needs.conftest import audit_as, record

pytestmark = pytest.mark.django_db

# The four checks before a large arrears payment, answered (support_needs.services.safeguards).
CHECKS = {"needs_checked": "yes", "acting_for": "no", "bank_details": "no", "contact_made": "yes"}
TODAY = timezone.localdate()


def compute(customer):
    return support_signals_compute(customer_ids=[customer.pk])


def open_signals(customer, rule):
    return list(customer.support_signals.filter(rule=rule, status="open"))


def arrears(customer, pence, days=10):
    return PaymentFactory(
        customer=customer,
        kind=Payment.Kind.ARREARS,
        status=Payment.Status.SCHEDULED,
        amount_pence=pence,
        payment_date=TODAY + dt.timedelta(days=days),
    )


def test_large_arrears_with_complex_need_raises_signal_and_team_safeguard(work_coach):
    customer = CustomerFactory()
    record(customer, work_coach, "homelessness")
    payment = arrears(customer, 500000)
    result = compute(customer)
    assert result.safeguards_raised == 1
    (signal,) = open_signals(customer, "large_arrears")
    assert "£5,000.00" in signal.reason
    assert "Homeless or at risk of homelessness" in signal.reason
    safeguard = ArrearsSafeguard.objects.get(payment=payment)
    assert safeguard.status == "open"
    assert safeguard.payment_date == payment.payment_date
    # Idempotent: computing again raises nothing new.
    assert compute(customer).raised == 0
    assert ArrearsSafeguard.objects.count() == 1


@pytest.mark.parametrize(
    ("pence", "code", "days", "raised"),
    [
        (499999, "homelessness", 10, False),  # under the threshold
        (900000, "large-print", 10, False),  # not a complex need
        (900000, "homelessness", -1, False),  # already paid
        (900000, "mental-health", 0, True),  # due today
    ],
)
def test_large_arrears_boundaries(work_coach, pence, code, days, raised):
    customer = CustomerFactory()
    record(customer, work_coach, code)
    arrears(customer, pence, days)
    compute(customer)
    assert bool(open_signals(customer, "large_arrears")) is raised
    assert ArrearsSafeguard.objects.exists() is raised


def test_one_large_arrears_setting_moves_the_payment_flag_and_the_signal(work_coach, settings):
    customer = CustomerFactory()
    record(customer, work_coach, "care-leaver")
    payment = arrears(customer, 150000)
    compute(customer)
    assert not open_signals(customer, "large_arrears")
    assert payment_summary_for(customer=customer).large_arrears == []

    settings.SUPPORT_NEEDS_LARGE_ARREARS_PENCE = 100000
    compute(customer)
    assert open_signals(customer, "large_arrears")
    assert payment_summary_for(customer=customer).large_arrears == [payment]


def test_large_arrears_from_only_a_restricted_marker_is_a_restricted_signal(acssl):
    customer = CustomerFactory()
    record(customer, acssl, "risk-of-harm")
    arrears(customer, 600000)
    compute(customer)
    (signal,) = open_signals(customer, "large_arrears")
    assert signal.restricted
    assert ArrearsSafeguard.objects.get().restricted


def test_pip_ending_while_lcwra_continues():
    customer = CustomerFactory()
    pip = PipAwardFactory(customer=customer, award_end=TODAY + dt.timedelta(days=40))
    UniversalCreditAwardFactory(
        customer=customer, elements=[{"kind": "lcwra", "amount_pence": 42327}]
    )
    compute(customer)
    (signal,) = open_signals(customer, "pip_ending_lcwra")
    assert "LCWRA" in signal.reason
    assert "in 40 days" in signal.reason
    # The PIP award is renewed: the signal no longer applies and is cleared.
    pip.award_end = TODAY + dt.timedelta(days=900)
    pip.save()
    assert compute(customer).cleared == 1
    assert customer.support_signals.get().status == "cleared"


def test_pip_ending_without_lcwra_raises_nothing():
    customer = CustomerFactory()
    PipAwardFactory(customer=customer, award_end=TODAY + dt.timedelta(days=40))
    UniversalCreditAwardFactory(customer=customer, elements=[{"kind": "child"}])
    compute(customer)
    assert not customer.support_signals.exists()


def test_sanction_or_large_deduction_with_mental_health_need(work_coach):
    customer = CustomerFactory()
    UniversalCreditAwardFactory(
        customer=customer,
        standard_allowance_pence=40014,
        sanctions=[
            {
                "level": "higher",
                "start_date": (TODAY - dt.timedelta(days=10)).isoformat(),
                "end_date": (TODAY + dt.timedelta(days=80)).isoformat(),
            }
        ],
        deductions=[{"kind": "advance", "amount_pence": 5000}],
    )
    compute(customer)
    assert not customer.support_signals.exists()  # no mental-health need yet
    record(customer, work_coach, "mental-health")  # recording computes signals
    reasons = [s.reason for s in open_signals(customer, "sanction_mh")]
    assert len(reasons) == 2
    assert any("sanction" in r for r in reasons)
    assert any("deductions of £50.00" in r for r in reasons)


def test_small_deduction_and_ended_sanction_raise_nothing(work_coach):
    customer = CustomerFactory()
    UniversalCreditAwardFactory(
        customer=customer,
        sanctions=[{"level": "higher", "start_date": "2020-01-01", "end_date": "2020-04-01"}],
        deductions=[{"kind": "advance", "amount_pence": 1000}],
    )
    record(customer, work_coach, "mental-health")
    assert not customer.support_signals.exists()


def test_several_contacts_in_a_short_time(work_coach):
    from customers.models import Interaction

    customer = CustomerFactory()

    def contact(days_ago):
        Interaction.objects.create(
            customer=customer,
            channel="phone",
            summary="Called about payment",
            recorded_by=work_coach,
            recorded_at=timezone.now() - dt.timedelta(days=days_ago),
        )

    contact(1)
    contact(3)
    contact(30)  # outside the window
    compute(customer)
    assert not open_signals(customer, "repeated_contact")
    contact(5)
    compute(customer)
    (signal,) = open_signals(customer, "repeated_contact")
    assert signal.reason.startswith("3 contacts in the last 14 days")


def test_six_point_plan_in_last_90_days_is_restricted(work_coach):
    from support_needs.models import SixPointPlanRecord
    from tests.support_needs.test_services import six_point_plan

    customer = CustomerFactory()
    plan = six_point_plan(customer, work_coach)
    signal = customer.support_signals.get(rule="recent_spp")
    assert signal.restricted
    assert signal.acs_referral_id == plan.acs_referral_id
    # Older than 90 days: the signal clears (it was referred, so it stays referred).
    SixPointPlanRecord.objects.filter(pk=plan.pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=91)
    )
    compute(customer)
    assert customer.support_signals.get(rule="recent_spp").status == "referred"


def pip_signal(customer):
    PipAwardFactory(customer=customer, award_end=TODAY + dt.timedelta(days=20))
    UniversalCreditAwardFactory(customer=customer, elements=[{"type": "LCWRA"}])
    compute(customer)
    return customer.support_signals.get()


def test_refer_a_signal_creates_an_acs_referral_with_its_reason(work_coach):
    customer = CustomerFactory()
    signal = pip_signal(customer)
    with pytest.raises(ValidationError):
        support_signal_refer(signal=signal, audit=audit_as(work_coach), customer_agreed="")
    support_signal_refer(
        signal=signal,
        audit=audit_as(work_coach),
        customer_agreed="Agreed to a call",
        urgency="urgent",
    )
    signal.refresh_from_db()
    assert signal.status == "referred"
    referral = Referral.objects.get(pk=signal.acs_referral_id)
    assert referral.source == "signal"
    assert "PIP ends" in referral.reason
    assert AccessEvent.objects.filter(customer=customer, what="support signal referred").exists()
    with pytest.raises(ValidationError):
        support_signal_dismiss(signal=signal, audit=audit_as(work_coach), reason="late")


def test_dismiss_a_signal_needs_a_reason_and_is_not_raised_again(work_coach):
    customer = CustomerFactory()
    signal = pip_signal(customer)
    with pytest.raises(ValidationError):
        support_signal_dismiss(signal=signal, audit=audit_as(work_coach), reason="")
    support_signal_dismiss(signal=signal, audit=audit_as(work_coach), reason="Renewal already sent")
    signal.refresh_from_db()
    assert signal.status == "dismissed"
    assert signal.dismiss_reason == "Renewal already sent"
    assert AccessEvent.objects.filter(customer=customer, what="support signal dismissed").exists()
    assert compute(customer).raised == 0
    assert customer.support_signals.get().status == "dismissed"


def test_restricted_signal_refused_to_work_coach(work_coach, acssl, admin_user):
    customer = CustomerFactory()
    record(customer, acssl, "risk-of-harm")
    arrears(customer, 600000)
    compute(customer)
    signal = customer.support_signals.get()
    with pytest.raises(PermissionDenied):
        support_signal_dismiss(signal=signal, audit=audit_as(work_coach), reason="x")
    with pytest.raises(PermissionDenied):
        support_signal_dismiss(signal=signal, audit=audit_as(admin_user), reason="x")
    support_signal_dismiss(signal=signal, audit=audit_as(acssl), reason="Already in hand")


def test_complete_a_safeguard(work_coach):
    customer = CustomerFactory()
    record(customer, work_coach, "problem-debt")
    arrears(customer, 700000)
    compute(customer)
    safeguard = ArrearsSafeguard.objects.get()
    with pytest.raises(ValidationError):
        arrears_safeguard_complete(safeguard=safeguard, audit=audit_as(work_coach), outcome="")
    arrears_safeguard_complete(
        safeguard=safeguard,
        audit=audit_as(work_coach),
        outcome="Offered MoneyHelper; customer accepted",
        **CHECKS,
    )
    safeguard.refresh_from_db()
    assert safeguard.status == "done"
    assert safeguard.completed_by == work_coach
    assert AccessEvent.objects.filter(customer=customer, what="arrears safeguard closed").exists()
    with pytest.raises(ValidationError):
        arrears_safeguard_complete(safeguard=safeguard, audit=audit_as(work_coach), outcome="again")
    assert SupportSignal.objects.filter(rule="large_arrears").count() == 1
