"""Every refusal in support needs, by a selector or a service, writes one REFUSED access event by
the colleague refused, against the customer (customers.selectors.access.customer_access_refuse),
saying why and never which marker."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AccessEvent
from customers.models import Customer
from support_needs import selectors
from support_needs.models import SupportSignal
from support_needs.services.needs import support_need_end, support_need_update
from support_needs.services.safeguards import arrears_safeguard_complete
from support_needs.services.signals import support_signal_dismiss, support_signal_refer
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as, record
from tests.support_needs.test_rules import CHECKS
from tests.support_needs.test_safeguards import safeguard_for
from tests.support_needs.test_services import six_point_plan

pytestmark = pytest.mark.django_db

ROLE = "role may not record support needs"


def refusals():
    """Who was refused what about whom, and why, in the order refused."""
    return [
        (event.user, event.customer, event.what, event.detail)
        for event in AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED).order_by("pk")
    ]


@dataclass
class Refusal:
    attempt: Callable[[], Any]
    by: Any
    customer: Customer | None
    what: str
    why: str


def restricted_signal(customer: Customer) -> SupportSignal:
    return SupportSignal.objects.create(
        customer=customer,
        rule="recent_spp",
        fact_key="plan-1",
        reason="Six Point Plan recorded 3 days ago.",
        restricted=True,
        raised_at=timezone.now(),
    )


def panel_by_a_role_that_records_no_needs(coach, acssl, admin):
    customer = CustomerFactory()
    return Refusal(
        lambda: selectors.customer_get_for_needs(
            public_id=customer.public_id, audit=audit_as(admin)
        ),
        admin,
        customer,
        "support needs panel",
        ROLE,
    )


def reviews_list_by_a_role_that_records_no_needs(coach, acssl, admin):
    return Refusal(
        lambda: selectors.support_needs_review_page(audit=audit_as(admin)),
        admin,
        None,
        "support needs reviews due",
        ROLE,
    )


def another_customers_safeguard_asked_for_by_id(coach, acssl, admin):
    safeguard = safeguard_for(coach, "problem-debt")
    opened = CustomerFactory()
    return Refusal(
        lambda: selectors.arrears_safeguard_get_for_user(
            customer=opened, public_id=safeguard.public_id, audit=audit_as(coach)
        ),
        coach,
        safeguard.customer,  # the customer whose safeguard someone tried to reach
        "arrears safeguard",
        "safeguard of another customer",
    )


def six_point_plan_recorded_by_a_role_that_records_no_needs(coach, acssl, admin):
    customer = CustomerFactory()
    return Refusal(
        lambda: six_point_plan(customer, admin),
        admin,
        customer,
        "six point plan record",
        ROLE,
    )


@pytest.mark.parametrize(
    "refusal",
    [
        panel_by_a_role_that_records_no_needs,
        reviews_list_by_a_role_that_records_no_needs,
        another_customers_safeguard_asked_for_by_id,
        six_point_plan_recorded_by_a_role_that_records_no_needs,
    ],
    ids=lambda case: case.__name__,
)
def test_each_refusal_writes_one_refused_event(refusal, work_coach, acssl, admin_user):
    case = refusal(work_coach, acssl, admin_user)
    with pytest.raises(PermissionDenied):
        case.attempt()
    assert refusals() == [(case.by, case.customer, case.what, {"why": case.why})]


@pytest.mark.parametrize(
    ("who", "restricted_record", "code", "why"),
    [
        ("admin", False, "mental-health", ROLE),
        ("coach", True, "mental-health", "restricted record"),
        ("coach", False, "risk-of-harm", "restricted marker"),
    ],
    ids=["role", "restricted record", "restricted marker"],
)
def test_a_refused_need_record_is_logged(who, restricted_record, code, why, work_coach, admin_user):
    by = {"coach": work_coach, "admin": admin_user}[who]
    customer = CustomerFactory(restricted=restricted_record)
    with pytest.raises(PermissionDenied):
        record(customer, by, code)
    assert refusals() == [(by, customer, "support need record", {"why": why})]


# A read of something restricted by a colleague not cleared for markers, by the refusal's
# `what`: what makes it (as an ACSSL), the selector, and why.
RESTRICTED_READS = {
    "support need": (
        lambda acssl, customer: record(customer, acssl, "risk-of-harm"),
        selectors.support_need_get_for_user,
        "restricted marker",
    ),
    "support signal": (
        lambda acssl, customer: restricted_signal(customer),
        selectors.support_signal_get_for_user,
        "restricted signal",
    ),
}


@pytest.mark.parametrize("what", RESTRICTED_READS)
def test_a_restricted_read_refused_to_a_colleague_not_cleared_is_logged(what, work_coach, acssl):
    make, read, why = RESTRICTED_READS[what]
    customer = CustomerFactory()
    restricted = make(acssl, customer)
    with pytest.raises(PermissionDenied):
        read(customer=customer, public_id=restricted.public_id, audit=audit_as(work_coach))
    assert refusals() == [(work_coach, customer, what, {"why": why})]


def restricted_need(acssl):
    return record(CustomerFactory(), acssl, "risk-of-harm")


def new_restricted_signal(acssl):
    return restricted_signal(CustomerFactory())


def safeguard_close(safeguard, audit):
    return arrears_safeguard_complete(safeguard=safeguard, audit=audit, outcome="Rang", **CHECKS)


# A write to something restricted by a colleague not cleared for markers: what makes the
# restricted thing (as an ACSSL), and the write a work coach tries, by the refusal's `what`.
RESTRICTED_WRITES = {
    "support need update": (
        restricted_need,
        lambda need, audit: support_need_update(need=need, audit=audit, details="Changed"),
    ),
    "support need end": (
        restricted_need,
        lambda need, audit: support_need_end(need=need, audit=audit, reason="No longer"),
    ),
    "support signal dismiss": (
        new_restricted_signal,
        lambda signal, audit: support_signal_dismiss(signal=signal, audit=audit, reason="In hand"),
    ),
    "support signal refer": (
        new_restricted_signal,
        lambda signal, audit: support_signal_refer(signal=signal, audit=audit, customer_agreed="Y"),
    ),
    "arrears safeguard close": (
        lambda acssl: safeguard_for(acssl, "risk-of-harm"),
        safeguard_close,
    ),
}


@pytest.mark.parametrize("what", RESTRICTED_WRITES)
def test_a_restricted_write_refused_to_a_colleague_not_cleared_is_logged(what, work_coach, acssl):
    make, write = RESTRICTED_WRITES[what]
    restricted = make(acssl)
    with pytest.raises(PermissionDenied):
        write(restricted, audit_as(work_coach))
    assert refusals() == [(work_coach, restricted.customer, what, {"why": "restricted marker"})]


def test_a_refused_page_is_403_and_logged_once(coach_client, acssl, work_coach):
    customer = CustomerFactory()
    need = record(customer, acssl, "risk-of-harm")
    response = coach_client.get(
        f"/customers/{customer.public_id}/support-needs/{need.public_id}/update/"
    )
    assert response.status_code == 403
    assert refusals() == [(work_coach, customer, "support need", {"why": "restricted marker"})]
