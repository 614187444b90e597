"""Form errors in the browser: the error summary takes focus, every link reaches a real element,
the title starts "Error: ", the date inputs are three boxes, and axe finds nothing, on a full
page (the ACS referral and a case form) and inside an htmx swap (the Six Point Plan)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from tests.e2e.conftest import assert_accessible, fill_date, sign_in
from tests.factories import ColleagueFactory, CustomerFactory
from tests.factories.acs import OpenCaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ERROR_TITLE = re.compile(r"^Error: ")

MISSING_TARGETS = """() => Array.from(document.querySelectorAll('.govuk-error-summary__list a'))
  .map((link) => link.getAttribute('href').slice(1))
  .filter((id) => !document.getElementById(id))"""


def assert_error_summary_works(page: Page, *expected: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for message in expected:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    assert page.evaluate(MISSING_TARGETS) == []
    expect(page).to_have_title(ERROR_TITLE)  # set when htmx settles
    assert_accessible(page)


def test_an_empty_referral_names_each_missing_answer_and_links_to_it(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/acs/refer/{customer.public_id}/")
    expect(page).not_to_have_title(ERROR_TITLE)
    page.get_by_role("button", name="Send referral").click()
    assert_error_summary_works(
        page,
        "Say why the customer needs advanced support",
        "Choose at least one kind of risk",
        "Say what the customer agreed to",
    )
    # The checkbox link moves to the first checkbox, which a keyboard user can tick at once.
    page.get_by_role("link", name="Choose at least one kind of risk").click()
    expect(page.locator("#id_categories_0")).to_be_focused()


def test_a_case_action_with_a_half_date_points_at_the_missing_month(page: Page, live_server):
    ColleagueFactory(username="anna", role=roles.ACSSL)
    case = OpenCaseFactory()
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}/acs/cases/{case.public_id}/")
    form = page.locator("#action-form")
    form.locator("summary").click()
    due = form.get_by_role("group", name="Due date")
    expect(due).to_contain_text("For example, 27 3 2007")
    due.get_by_label("Day").fill("7")
    due.get_by_label("Year").fill("2027")
    form.get_by_role("button", name="Add action").click()
    assert_error_summary_works(page, "Describe the action", "Due date must include a month")
    page.get_by_role("link", name="Due date must include a month").click()
    month = page.locator("#action-form").get_by_role("group", name="Due date").get_by_label("Month")
    expect(month).to_be_focused()
    expect(month).to_have_class("govuk-input govuk-date-input__input govuk-input--width-2 "
                                "govuk-input--error")  # fmt: skip
    # What the colleague typed is kept, and a whole date then goes through.
    form = page.locator("#action-form")
    expect(form.get_by_label("Day")).to_have_value("7")
    form.get_by_label("Action").fill("Call the customer back")
    form.get_by_label("Owner").select_option(index=1)
    fill_date(form, "Due date", timezone.localdate())
    form.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("case-actions")).to_contain_text("Call the customer back")
    expect(page).not_to_have_title(ERROR_TITLE)


def test_an_empty_six_point_plan_in_the_panel_focuses_the_summary(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/support-needs/")
    panel = page.get_by_test_id("support-needs-panel")
    panel.get_by_role("link", name="Record a Six Point Plan").click()
    when = panel.get_by_role("group", name="When the customer said it")
    # Day, month, year, hour and minute: five text boxes, no browser date-time picker.
    expect(when.locator("input[type=text]")).to_have_count(5)
    expect(panel.locator("input[type=datetime-local]")).to_have_count(0)
    when.get_by_label("Day").fill("")
    panel.get_by_role("button", name="Record and refer").click()
    assert_error_summary_works(
        page,
        "The date and time must include a day",
        "Enter the support partner you brought in",
        "Enter what the customer said they intend",
        "Enter the support you signposted",
        "Enter the manager or ACSSL you escalated to",
        "Enter the outcome of the call",
        "Enter what the customer agreed to",
    )
    summary_text = page.locator(".govuk-error-summary").inner_text()
    assert "This field is required" not in summary_text
    page.get_by_role("link", name="The date and time must include a day").click()
    expect(when.get_by_label("Day")).to_be_focused()


def test_an_empty_sign_in_focuses_the_summary(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_role("button", name="Sign in", exact=True).click()  # the local password form
    assert_error_summary_works(page, "Enter your username", "Enter your password")


def test_an_empty_interaction_on_the_customer_page_focuses_the_summary(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")
    form = page.get_by_test_id("interaction-form")
    form.get_by_text("Add an outcome or a follow-up").click()  # folded away until wanted
    form.get_by_role("group", name="Follow-up by").get_by_label("Day").fill("40")
    form.get_by_role("button", name="Record interaction").click()  # htmx: the form is swapped
    assert_error_summary_works(
        page, "Select how you were in contact", "Enter a summary of the contact"
    )
    page.get_by_role("link", name="Select how you were in contact").click()
    expect(page.locator("#interaction-channel_0")).to_be_focused()
