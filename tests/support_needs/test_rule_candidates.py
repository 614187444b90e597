"""The one-query pre-filter before the signal rules: it keeps every customer some rule could
apply to (or who holds a signal to clear) and drops the rest, so a sync page of thousands runs
the rules on the few that matter."""

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import Interaction
from support_needs import rules
from support_needs.models import SupportSignal
from tests.factories import CustomerFactory, PipAwardFactory, UniversalCreditAwardFactory
from tests.support_needs.conftest import record

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_candidates_are_exactly_the_customers_with_a_rule_prerequisite(work_coach):
    nothing = CustomerFactory()
    UniversalCreditAwardFactory(customer=nothing)  # an award alone is not a prerequisite
    with_need = CustomerFactory()
    record(with_need, work_coach, "large-print")
    pip_ending = CustomerFactory()
    PipAwardFactory(customer=pip_ending, award_end=TODAY + dt.timedelta(days=30))
    pip_far = CustomerFactory()
    PipAwardFactory(customer=pip_far, award_end=TODAY + dt.timedelta(days=900))
    contacted = CustomerFactory()
    Interaction.objects.create(
        customer=contacted,
        channel="phone",
        summary="Called",
        recorded_at=timezone.now(),
        recorded_by=work_coach,
    )
    holds_signal = CustomerFactory()
    SupportSignal.objects.create(
        customer=holds_signal,
        rule="repeated_contact",
        fact_key="x",
        reason="old",
        raised_at=timezone.now(),
        status="cleared",
    )
    ids = [c.pk for c in (nothing, with_need, pip_ending, pip_far, contacted, holds_signal)]

    found = rules.customers_any_rule_could_apply_to(ids, TODAY)

    assert found == sorted([with_need.pk, pip_ending.pk, contacted.pk, holds_signal.pk])


def test_no_customers_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rules.customers_any_rule_could_apply_to([], TODAY) == []
