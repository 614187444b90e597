"""The customer page on a call, in Chromium at a laptop's 1366x768: who the customer is, what
differs between systems and the start of the interaction form without scrolling, then one
keystroke to the whole form, recorded without scrolling; a Six Point
Plan's "Record and refer" confirms and the ACS box shows the new case without a reload. Each
state passes axe."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from accounts import roles
from benefits.models import SourceWatermark
from customers.models import Interaction
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    ColleagueFactory,
    CustomerFactory,
    PaymentFactory,
    PipAwardFactory,
    SourceIdentityFactory,
    UniversalCreditAwardFactory,
)
from tests.support_needs.conftest import record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORT: ViewportSize = {"width": 1366, "height": 768}


def customer_on_a_call(coach):
    for source in ("uc", "pip"):
        SourceWatermark.objects.update_or_create(
            source=source, defaults={"last_success_at": timezone.now()}
        )
    customer = CustomerFactory(first_name="Ann", last_name="Pryce", postcode="LS1 4AP")
    UniversalCreditAwardFactory(customer=customer)
    PipAwardFactory(customer=customer)
    PaymentFactory(customer=customer)
    SourceIdentityFactory(customer=customer, source="uc", first_name="Anne", postcode="LS1 4AP")
    record(customer, coach, "bsl-interpreter")
    return customer


def box(page: Page, locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return found


def test_the_call_can_be_recorded_without_scrolling(page: Page, live_server):
    coach = ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = customer_on_a_call(coach)
    page.set_viewport_size(VIEWPORT)
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")
    assert page.evaluate("window.scrollY") == 0
    height = VIEWPORT["height"]
    form = page.get_by_test_id("interaction-form")
    # Who, what differs between systems, and the start of the interaction form (its first
    # question whole) are on the first screen: the colleague starts recording without scrolling.
    for part in (
        page.get_by_test_id("identity-bar"),
        page.get_by_test_id("record-interaction-link"),
        page.get_by_test_id("differences"),
        page.get_by_role("heading", name="Record an interaction"),
        form.get_by_role("group", name="How were you in contact?"),
    ):
        where = box(page, part)
        assert where["y"] >= 0, (part, where)
        assert where["y"] + where["height"] <= height, (part, where)
    # The form is beside the record, not below it.
    assert box(page, form)["x"] > box(page, page.get_by_test_id("identity-bar"))["x"]
    assert_accessible(page)

    # One keystroke from the top: the skip link after "Skip to main content" brings the form's
    # heading to the top of the window and focus to its first question, and the whole form,
    # its button included, is then in the window.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("skip-to-interaction")).to_be_focused()
    page.keyboard.press("Enter")
    expect(form.get_by_label("Phone")).to_be_focused()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    button = form.get_by_role("button", name="Record interaction")
    for part in (
        page.get_by_role("heading", name="Record an interaction"),
        form.get_by_role("group", name="How were you in contact?"),
        form.get_by_label("Summary"),
        button,
    ):
        where = box(page, part)
        assert where["y"] >= 0, (part, where)
        assert where["y"] + where["height"] <= height, (part, where)
    assert_accessible(page)

    # The call is recorded from there without scrolling.
    page.keyboard.press("Space")
    expect(form.get_by_label("Phone")).to_be_checked()
    form.get_by_label("PIP").check()
    form.get_by_label("Summary").fill("Asked when PIP is paid; told her the date.")
    assert page.evaluate("window.scrollY") == scrolled
    button.click()
    expect(page.get_by_test_id("interaction-recorded")).to_be_visible()
    expect(page.get_by_test_id("timeline").get_by_text("Asked when PIP is paid")).to_be_visible()
    recorded = Interaction.objects.get(customer=customer)
    assert (recorded.channel, recorded.benefits) == ("phone", ["pip"])
    assert_accessible(page)


def test_record_and_refer_confirms_and_the_acs_box_shows_the_case_without_a_reload(
    page: Page, live_server
):
    coach = ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = customer_on_a_call(coach)
    page.set_viewport_size(VIEWPORT)
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")
    acs_box = page.get_by_test_id("acs-case-status")
    expect(acs_box).to_contain_text("No ACS case.")
    panel = page.get_by_test_id("support-needs-panel")
    panel.get_by_role("link", name="Record a Six Point Plan").click()
    panel.get_by_label("Support partner").fill("Tom, team leader")
    panel.get_by_label("What the customer said they intend").fill("Said she would end it")
    panel.get_by_label("Support signposted").fill("Samaritans 116 123")
    panel.get_by_label("Manager or ACSSL you escalated to").fill("Anna Senior")
    panel.get_by_label("Outcome").fill("Agreed to call her GP today")
    panel.get_by_label("What the customer agreed to").fill("An ACSSL calling tomorrow")
    panel.get_by_role("button", name="Record and refer").click()
    saved = page.get_by_test_id("support-needs-saved")
    expect(saved).to_be_visible()
    expect(saved).to_contain_text("Six Point Plan recorded and referred to the ACSSL queue")
    expect(acs_box).not_to_contain_text("No ACS case.")
    expect(acs_box).to_contain_text("ACS case")
    notice = page.get_by_test_id("restricted-marker-notice")
    expect(notice).to_contain_text("sensitive support need")
    expect(notice).not_to_contain_text("restricted marker")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert_accessible(page)
