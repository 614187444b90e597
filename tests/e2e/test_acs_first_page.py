"""A team leader's first page in the browser: the untriaged Immediate count in the navigation
(loaded by htmx, kept current by polling), referrals past their triage target, the escalations
list, and who viewed a record with its filters. Every page passes axe with zero violations."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from acs import services
from audit.context import AuditContext, Channel
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AcsCaseFactory, ColleagueFactory, CustomerFactory, OpenCaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_team_leader_first_page_escalations_and_who_viewed(page: Page, live_server, csp_violations):
    leader = ColleagueFactory(
        username="tess", first_name="Tess", last_name="Leader", role=roles.TEAM_LEADER
    )
    customer = CustomerFactory(first_name="Jo", last_name="Tester")
    AcsCaseFactory(
        customer=customer, urgency="immediate", referred_at=timezone.now() - dt.timedelta(days=3)
    )
    AcsCaseFactory(urgency="immediate")
    case = OpenCaseFactory(owner=leader)
    services.acs_case_escalate(
        audit=AuditContext(user=leader, channel=Channel.PAGE, request_id="e2e"),
        case=case,
        route="scp",
        reason="Serious harm",
    )
    url = live_server.url

    page.clock.install()  # before any page, so htmx's polling timer can be fast-forwarded
    sign_in(page, live_server, "tess")
    expect(page.get_by_role("heading", name="Your cases and the triage queue")).to_be_visible()
    expect(page.get_by_test_id("untriaged-immediate")).to_contain_text(
        "2 untriaged Immediate referrals"
    )
    expect(page.get_by_test_id("past-target-warning")).to_be_visible()
    expect(page.get_by_test_id("past-target")).to_contain_text("Jo Tester")
    assert_accessible(page)

    # A new Immediate referral shows in the navigation without reloading the page, and the
    # navigation's live region says so once.
    expect(page.get_by_test_id("acs-untriaged-status")).to_have_text("")
    AcsCaseFactory(urgency="immediate")
    page.clock.run_for(31_000)
    expect(page.get_by_test_id("untriaged-immediate")).to_contain_text(
        "3 untriaged Immediate referrals", timeout=10_000
    )
    page.clock.run_for(100)  # the region is emptied, then filled 50 ms later
    expect(page.get_by_test_id("acs-untriaged-status")).to_have_text(
        "New Immediate referral to triage: 3 untriaged Immediate referrals."
    )

    page.goto(f"{url}/acs/escalations/")
    expect(page.get_by_test_id("tracked-list")).to_contain_text("Serious Case Panel")
    assert_accessible(page)

    page.goto(f"{url}/customers/{customer.public_id}/")
    page.get_by_role("link", name="Who has viewed this record").click()
    expect(page.get_by_test_id("viewers")).to_contain_text("Tess Leader")
    expect(page.get_by_test_id("viewers")).to_contain_text("Team leader")
    assert_accessible(page)
    page.get_by_label("What they did").select_option(label="Was refused access")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("viewers")).to_have_text("Nobody matches these filters.")
    assert_accessible(page)
    assert csp_violations == []
