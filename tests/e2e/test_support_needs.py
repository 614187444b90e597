"""Support needs in the browser, in the panel: a work coach records, reviews and ends a
need inline (htmx) and records a Six Point Plan; an ACSSL sees the restricted marker. Every state
passes axe with zero violations and the CSP is never violated."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from acs.models import Referral
from support_needs.models import SupportNeed
from tests.e2e.conftest import assert_accessible, fill_date, sign_in
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_record_review_end_a_need_and_record_a_six_point_plan(
    page: Page, live_server, csp_violations
):
    ColleagueFactory(username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH)
    ColleagueFactory(username="anna", first_name="Anna", last_name="Senior", role=roles.ACSSL)
    customer = CustomerFactory(first_name="Jo", last_name="Tester")
    # The panel's own page: the same template the customer page includes.
    customer_url = f"{live_server.url}/customers/{customer.public_id}/support-needs/"
    panel = page.get_by_test_id("support-needs-panel")

    sign_in(page, live_server, "wendy")
    page.goto(customer_url)
    expect(panel.get_by_test_id("no-support-needs")).to_be_visible()
    assert_accessible(page)

    # Record: choose the type, then that type's fields; all inline.
    panel.get_by_role("link", name="Record a support need").click()
    panel.get_by_label("Type of need").select_option(label="Large print")
    panel.get_by_role("button", name="Continue").click()
    expect(panel.get_by_label("Format detail")).to_be_visible()
    assert_accessible(page)
    panel.get_by_role("button", name="Save").click()  # empty: errors first, in the panel
    expect(panel.get_by_role("alert")).to_contain_text("Enter the detail for large print")
    assert_accessible(page)
    panel.get_by_label("Format detail").fill("18 point")
    panel.get_by_label("The customer told us").check()
    panel.get_by_label("Customer agreed to it being recorded and shared across DWP").check()
    panel.get_by_role("button", name="Save").click()
    need_row = panel.get_by_test_id("support-need")
    expect(need_row).to_contain_text("Large print")
    expect(need_row).to_contain_text("18 point")
    assert page.url == customer_url  # no page load: htmx swapped the panel (URL unchanged)
    assert_accessible(page)

    # Review: confirm it still applies, with the next review date.
    next_review = timezone.localdate() + dt.timedelta(days=60)
    panel.get_by_role("link", name="Review Large print").click()
    fill_date(panel, "Next review date", next_review)
    panel.get_by_label("Review note").fill("Customer confirmed")
    panel.get_by_role("button", name="Confirm it still applies").click()
    expect(panel.get_by_test_id("support-needs-history")).to_contain_text("Customer confirmed")
    assert SupportNeed.objects.get(customer=customer).review_due == next_review

    # End: a reason is required.
    panel.get_by_role("link", name="End Large print").click()
    panel.get_by_role("button", name="End the need").click()
    expect(panel.get_by_role("alert")).to_contain_text("Say why the need no longer applies")
    assert_accessible(page)
    panel.get_by_label("Why the need no longer applies").fill("Now uses audio instead")
    panel.get_by_role("button", name="End the need").click()
    expect(panel.get_by_test_id("ended-needs")).to_contain_text("Now uses audio instead")
    panel.get_by_text("History of support needs").click()
    history = panel.get_by_test_id("support-needs-history")
    expect(history).to_contain_text("Reviewed")
    expect(history).to_contain_text("Ended")
    assert_accessible(page)

    # Six Point Plan: a restricted marker and a referral to the ACSSL queue.
    panel.get_by_role("link", name="Record a Six Point Plan").click()
    panel.get_by_label("Support partner").fill("Tom, team leader")
    panel.get_by_label("What the customer said they intend").fill("Said they would end it tonight")
    panel.get_by_label("The risk was immediate").check()
    panel.get_by_label("Emergency services were called").check()
    panel.get_by_label("Emergency services reference or who you spoke to").fill("999, ref 4411")
    panel.get_by_label("Support signposted").fill("Samaritans 116 123")
    panel.get_by_label("Manager or ACSSL you escalated to").fill("Anna Senior")
    panel.get_by_label("Outcome").fill("Ambulance attended; customer safe")
    panel.get_by_label("What the customer agreed to").fill("An ACSSL calling tomorrow")
    assert_accessible(page)
    panel.get_by_role("button", name="Record and refer").click()
    expect(panel.get_by_test_id("restricted-marker-notice")).to_be_visible()
    expect(panel).not_to_contain_text("Six Point Plan invoked")
    assert_accessible(page)
    referral = Referral.objects.get(customer=customer)
    assert referral.source == "six_point_plan"
    assert referral.urgency == "immediate"

    # An ACSSL sees the marker itself.
    page.get_by_role("button", name="Sign out").click()
    # Signing out goes on to the provider's own page; the next sign-in must not race it.
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/support-needs/")
    expect(panel).to_contain_text("Six Point Plan invoked")
    assert_accessible(page)
    assert csp_violations == []
