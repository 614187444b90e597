"""A large arrears payment still to come for a customer with complex needs, in Chromium: the
safeguard shows on the customer page and the safeguards list; a work coach answers the checks,
records the support offered before the payment, and the safeguard closes. Axe clean throughout."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from benefits.models import Payment
from support_needs.models import ArrearsSafeguard
from support_needs.services.signals import support_signals_compute
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    ColleagueFactory,
    CustomerFactory,
    PaymentFactory,
    UniversalCreditAwardFactory,
)
from tests.support_needs.conftest import record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_work_coach_records_the_checks_and_support_before_the_payment(
    page: Page, live_server, csp_violations
) -> None:
    coach = ColleagueFactory(
        username="wes", first_name="Wes", last_name="Coach", role=roles.WORK_COACH
    )
    customer = CustomerFactory(first_name="Sam", last_name="Arrears", benefits_held=["uc"])
    UniversalCreditAwardFactory(customer=customer)
    record(customer, coach, "problem-debt")
    due = timezone.localdate() + dt.timedelta(days=12)
    PaymentFactory(
        customer=customer,
        benefit="uc",
        payment_date=due,
        amount_pence=812_000,
        kind=Payment.Kind.ARREARS,
        status=Payment.Status.SCHEDULED,
    )
    support_signals_compute(customer_ids=[customer.pk])
    assert ArrearsSafeguard.objects.filter(customer=customer, status="open").exists()
    url = live_server.url

    sign_in(page, live_server, "wes")
    page.goto(f"{url}/support-needs/arrears-safeguards/")
    expect(page.get_by_test_id("safeguards-open")).to_contain_text("Sam Arrears")
    expect(page.get_by_test_id("safeguards-open")).to_contain_text("£8,120.00")
    assert_accessible(page)

    page.goto(f"{url}/customers/{customer.public_id}/")
    safeguard = page.get_by_test_id("arrears-safeguard")
    expect(safeguard).to_contain_text("£8,120.00")
    expect(safeguard).to_contain_text(f"{due.day} {due:%B %Y}")
    assert_accessible(page)
    safeguard.get_by_role("link", name="Record the support offered").click()
    form = page.get_by_test_id("support-needs-form")
    expect(form).to_be_visible()
    # Nothing answered: each check is named in the error summary.
    form.get_by_role("button", name="Close the safeguard").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Answer: contact made about the payment")
    expect(summary).to_contain_text("Record what support was offered")
    assert_accessible(page)
    form = page.get_by_test_id("support-needs-form")
    form.get_by_role("group", name="Support needs and markers on the record checked").get_by_label(
        "Yes"
    ).check()
    form.get_by_role("group", name="Someone acts for the customer").get_by_label("No one").check()
    form.get_by_role("group", name="Bank details changed in the last 3 months").get_by_label(
        "No", exact=True
    ).check()
    form.get_by_role("group", name="Contact made about the payment").get_by_label(
        "Yes", exact=True
    ).check()
    form.get_by_label("Support offered and the customer's answer").fill(
        "Offered a referral to a debt adviser before the payment; the customer accepted."
    )
    form.get_by_role("button", name="Close the safeguard").click()
    expect(page.get_by_test_id("support-needs-form")).to_have_count(0)
    expect(page.get_by_test_id("arrears-safeguard")).to_have_count(0)
    assert_accessible(page)
    closed = ArrearsSafeguard.objects.get(customer=customer)
    assert closed.status == ArrearsSafeguard.Status.DONE
    assert "Checks recorded before the payment" in closed.outcome

    page.goto(f"{url}/support-needs/arrears-safeguards/")
    expect(page.get_by_text("No open safeguards.")).to_be_visible()
    assert csp_violations == []
