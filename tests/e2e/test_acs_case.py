"""An ACS case end to end in the browser: a work coach refers, an ACSSL triages, works and
closes the case, and the figures show it. Every page passes axe with zero violations."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from acs.models import AcsCase, CaseNote, VisitRequest
from tests.e2e.conftest import assert_accessible, fill_date, sign_in
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_form(page: Page, form_id: str):
    form = page.locator(f"#{form_id}")
    form.locator("summary").click()
    return form


def test_referral_triage_actions_partner_notes_closure_and_figures(
    page: Page, live_server, csp_violations
):
    ColleagueFactory(username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH)
    ColleagueFactory(username="anna", first_name="Anna", last_name="Senior", role=roles.ACSSL)
    customer = CustomerFactory(first_name="Jo", last_name="Tester")
    today = timezone.localdate()

    # A work coach refers the customer.
    sign_in(page, live_server, "wendy")
    refer_url = f"{live_server.url}/acs/refer/{customer.public_id}/"
    page.goto(refer_url)
    expect(page.get_by_role("heading", name="Refer to an ACSSL")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send referral").click()  # empty: errors first
    expect(page.get_by_role("alert")).to_contain_text("Say why the customer needs advanced support")
    assert_accessible(page)
    page.get_by_label("Why does the customer need advanced support?").fill(
        "Said they have no food and cannot go on."
    )
    page.get_by_label("Urgent - within 1 working day").check()
    page.get_by_label("Problem debt").check()
    page.get_by_label("What did the customer agree to?").fill("To an ACSSL calling them")
    page.get_by_role("button", name="Send referral").click()
    page.goto(refer_url)
    expect(page.get_by_test_id("acs-case-status")).to_contain_text("Referred")
    assert AcsCase.objects.get(customer=customer).status == "referred"

    # An ACSSL takes it from the triage queue.
    page.context.clear_cookies()
    sign_in(page, live_server, "anna")
    # Her first page: her cases by what is due and the triage queue with how long each waited.
    expect(page.get_by_role("heading", name="Your cases and the triage queue")).to_be_visible()
    expect(page.get_by_test_id("queue-count-urgent")).to_have_text("1")
    expect(page.get_by_test_id("queue-preview")).to_contain_text("Jo Tester")
    assert_accessible(page)
    page.goto(f"{live_server.url}/acs/triage/")
    expect(page.get_by_test_id("triage-queue")).to_contain_text("Jo Tester")
    assert_accessible(page)
    page.get_by_role("button", name="Take case").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Open")
    expect(page.get_by_test_id("case-owner")).to_have_text("Anna Senior")
    assert_accessible(page)

    # Risk level, an action, a partner referral and notes.
    form = open_form(page, "risk-form")
    form.get_by_label("High", exact=True).check()
    form.get_by_label("Why this level?").fill("No food; talked of not going on")
    form.get_by_role("button", name="Set risk level").click()
    expect(page.get_by_test_id("case-risk")).to_have_text("High")

    form = open_form(page, "action-form")
    form.get_by_label("Action").fill("Arrange food bank voucher")
    fill_date(form, "Due date", today)
    form.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("case-actions")).to_contain_text("Arrange food bank voucher")

    form = open_form(page, "partner-form")
    form.get_by_label("Partner organisation").select_option(label="MoneyHelper debt advice")
    fill_date(form, "Date referred", today)
    form.get_by_label("Customer consented").check()
    form.get_by_role("button", name="Record partner referral").click()
    expect(page.get_by_role("heading", name="MoneyHelper debt advice")).to_be_visible()

    form = open_form(page, "note-form")
    form.get_by_label("Note", exact=True).fill("Called the customer; food bank tomorrow.")
    form.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("case-note")).to_contain_text("food bank tomorrow")
    form = open_form(page, "note-form")
    form.get_by_label("Note", exact=True).fill("Correction: food bank on Friday.")
    form.get_by_label("Corrects an earlier note (optional)").select_option(index=1)
    form.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("case-note")).to_have_count(2)
    expect(page.get_by_test_id("case-note").nth(1)).to_contain_text("corrects")
    assert_accessible(page)

    # A home visit is requested, then scheduled: a tracked item with its status and date.
    form = open_form(page, "visit-form")
    form.get_by_label("Reason").fill("No phone; neighbours worried")
    form.get_by_role("button", name="Request visit").click()
    visit = VisitRequest.objects.get()
    item = page.get_by_test_id(f"tracked-visit-{visit.pk}")
    expect(item.get_by_test_id("tracked-status")).to_have_text("Requested")
    form = open_form(page, f"visit-{visit.pk}-form")
    form.get_by_label("Accepted or scheduled").check()
    fill_date(form, "Date it is set for", today)
    form.get_by_role("button", name="Save update").click()
    expect(item.get_by_test_id("tracked-status")).to_have_text("Accepted or scheduled")
    assert_accessible(page)
    page.goto(f"{live_server.url}/acs/visits/")
    expect(page.get_by_test_id("tracked-list")).to_contain_text("Jo Tester")
    assert_accessible(page)
    page.go_back()

    # Closing without an outcome is refused, and so is leaving things open without a reason;
    # with an outcome and a reason for each, the case closes with what was learned.
    expect(page.get_by_test_id("closure-pending")).to_be_visible()
    form = open_form(page, "close-form")
    form.get_by_role("button", name="Close case").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the outcome of the case")
    expect(page.get_by_role("alert")).to_contain_text("Say why the case can close")
    assert_accessible(page)
    form = page.locator("#close-form")  # re-shown open, with the errors
    form.get_by_label("Support in place, risk reduced").check()
    form.get_by_label("Closure summary").fill("Debt advice and food support in place.")
    form.get_by_label("Why leave it open: Action not done").fill("Food bank confirmed by phone")
    form.get_by_label("Why leave it open: MoneyHelper").fill("MoneyHelper will write to her")
    form.get_by_label("Why leave it open: Home visit").fill("The visit team has it in hand")
    form.get_by_label("What was learned from this case?").fill("Refer to debt advice sooner.")
    form.get_by_label("Working with partner organisations").check()
    form.get_by_role("button", name="Close case").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Closed")
    expect(page.get_by_test_id("case-outcome")).to_have_text("Support in place, risk reduced")
    expect(page.get_by_test_id("case-learning")).to_contain_text("Refer to debt advice sooner.")
    expect(page.get_by_test_id("case-left-open")).to_contain_text("The visit team has it in hand")
    assert_accessible(page)
    assert CaseNote.objects.count() == 2

    page.goto(f"{live_server.url}/acs/my-cases/")
    assert_accessible(page)

    # The figures show the case: referred, opened and closed, with its category and outcome.
    page.goto(f"{live_server.url}/acs/figures/")
    expect(page.get_by_test_id("total-referred")).to_have_text("1")
    expect(page.get_by_test_id("total-opened")).to_have_text("1")
    expect(page.get_by_test_id("total-closed")).to_have_text("1")
    expect(page.get_by_test_id("table-category")).to_contain_text("Problem debt")
    expect(page.get_by_test_id("table-outcome")).to_contain_text("Support in place, risk reduced")
    assert_accessible(page)
    assert csp_violations == []
