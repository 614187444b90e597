"""The customer page and the lists around it in the states a colleague meets, in Chromium, each
passing axe with zero violations: a customer with UC and PIP, support needs (BSL interpreter,
appointee), a Six Point Plan last week, a large UC arrears payment with its safeguard, a failed
and stale PIP sync, systems that disagree; a deceased customer; one with no benefits; a
restricted record (refused to a work coach, a reason first for an ACSSL); search results; the
ACS triage, case, caseload and figures pages."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from acs import services as acs_services
from acs.models import AcsCase
from audit.context import AuditContext
from benefits.models import Payment, SourceWatermark, SyncRun
from customers.models import CustomerVisit
from customers.services import interaction_record
from support_needs.services.signals import support_signals_compute
from support_needs.services.six_point_plan import six_point_plan_record
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    ColleagueFactory,
    CustomerFactory,
    PaymentFactory,
    PipAwardFactory,
    SourceIdentityFactory,
    StatePensionAwardFactory,
    UniversalCreditAwardFactory,
)
from tests.support_needs.conftest import audit_as, record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def customer_with_everything(coach, acssl):
    now, today = timezone.now(), timezone.localdate()
    SourceWatermark.objects.update_or_create(source="uc", defaults={"last_success_at": now})
    SourceWatermark.objects.update_or_create(
        source="pip", defaults={"last_success_at": now - dt.timedelta(days=3)}
    )
    SyncRun.objects.create(source="pip", status="failed", finished_at=now - dt.timedelta(hours=2))
    customer = CustomerFactory(first_name="Jo", last_name="Tester", benefits_held=["uc", "pip"])
    UniversalCreditAwardFactory(
        customer=customer, elements=[{"type": "LCWRA", "amount_pence": 42327}]
    )
    PipAwardFactory(customer=customer)
    SourceIdentityFactory(customer=customer, source="pip", first_name="Joanne")
    for months in range(3):
        PaymentFactory(customer=customer, payment_date=today - dt.timedelta(days=30 * months))
    record(customer, coach, "bsl-interpreter")
    record(customer, coach, "appointee")
    six_point_plan_record(
        customer=customer,
        audit=audit_as(coach),
        occurred_at=now - dt.timedelta(days=6),
        support_partner="Tom, team leader",
        intent="Said they would end it",
        immediate_risk=False,
        emergency_services_called=False,
        signposting="Samaritans",
        escalated_to="Anna Senior",
        outcome="Safe, staying with sister",
        customer_agreed="Referral to an ACSSL",
    )
    CustomerVisit.objects.create(
        customer=customer, user=coach, last_opened_at=now - dt.timedelta(days=2)
    )
    PaymentFactory(
        customer=customer,
        payment_date=today + dt.timedelta(days=10),
        amount_pence=650000,
        kind=Payment.Kind.ARREARS,
        status=Payment.Status.SCHEDULED,
    )
    interaction_record(
        customer=customer,
        audit=AuditContext.for_command(command="test data", user=coach),
        channel="phone",
        benefits=["uc"],
        summary="Called about the arrears",
        outcome="Explained",
        follow_up_action="",
        follow_up_date=None,
    )
    support_signals_compute(customer_ids=[customer.pk])
    case = AcsCase.objects.get(customer=customer)
    acs_services.acs_case_assign(audit=audit_as(acssl), case=case, owner=acssl)
    return customer, case


def test_record_states_read_clearly_and_pass_axe(page: Page, live_server, csp_violations):
    coach = ColleagueFactory(
        username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH
    )
    acssl = ColleagueFactory(
        username="anna", first_name="Anna", last_name="Senior", role=roles.ACSSL
    )
    ColleagueFactory(username="tess", first_name="Tess", last_name="Leader", role=roles.TEAM_LEADER)
    customer, case = customer_with_everything(coach, acssl)
    deceased = CustomerFactory(date_of_death=dt.date(2025, 3, 1), benefits_held=["sp"])
    StatePensionAwardFactory(customer=deceased)
    no_benefits = CustomerFactory()
    restricted = CustomerFactory(first_name="Rita", last_name="Tester", restricted=True)
    url = live_server.url

    sign_in(page, live_server, "wendy")
    page.goto(f"{url}/customers/{customer.public_id}/")
    expect(page.get_by_test_id("restricted-marker-notice")).to_contain_text(
        "speak to Anna Senior, the ACSSL who owns their ACS case"
    )
    expect(page.get_by_test_id("arrears-safeguard")).to_contain_text("£6,500.00")
    expect(page.get_by_test_id("large-arrears-safeguard-open")).to_be_visible()
    expect(page.get_by_test_id("stale-warning")).to_contain_text("The last sync from PIPCS failed")
    expect(page.get_by_test_id("changes-since")).to_contain_text(
        "arrears payment of £6,500.00 due on"
    )
    expect(page.get_by_test_id("identity-bar")).to_contain_text("BSL")
    assert_accessible(page)
    for other, seen in ((deceased, "deceased-warning"), (no_benefits, "no-benefits")):
        page.goto(f"{url}/customers/{other.public_id}/")
        expect(page.get_by_test_id(seen)).to_be_visible()
        assert_accessible(page)
    page.goto(f"{url}/customers/{restricted.public_id}/")
    expect(page.get_by_role("heading", name="This record is restricted")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{url}/customers/")
    page.get_by_label("Find a customer").fill("Tester")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("result-restricted")).to_be_visible()
    # Other customers (random names) may match "Tester" loosely too: look for Jo's row.
    expect(page.get_by_test_id("result").filter(has_text="Jo Tester")).to_be_visible()
    assert_accessible(page)
    for path in ("/support-needs/reviews/", "/support-needs/arrears-safeguards/"):
        page.goto(f"{url}{path}")
        assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "anna")
    page.goto(f"{url}/customers/{restricted.public_id}/")
    reason_heading = page.get_by_role(
        "heading", name="Why do you need to open this restricted record?"
    )
    expect(reason_heading).to_be_visible()
    assert_accessible(page)
    page.goto(f"{url}/customers/{customer.public_id}/")
    expect(page.get_by_test_id("support-needs-panel")).to_contain_text("Six Point Plan invoked")
    assert_accessible(page)
    for path in (
        "/acs/triage/",
        "/acs/my-cases/",
        f"/acs/cases/{case.public_id}/",
        "/acs/figures/",
    ):
        page.goto(f"{url}{path}")
        assert_accessible(page)
    expect(page.get_by_test_id("figures-period")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, "tess")
    page.goto(f"{url}/acs/team/")
    assert_accessible(page)
    assert csp_violations == []
