"""The session timeout warning in the browser, with a short session: a modal dialog appears
before the idle sign-out, names itself to a screen reader, keeps keyboard focus inside it,
"Stay signed in" (or Escape) extends the session on the server and returns focus to where the
colleague was with what they typed still there; left alone, the page goes to sign-in."""

import time

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from benefits.models import SyncRun
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 6
WARNING_SECONDS = 4
DIALOG = "You\N{RIGHT SINGLE QUOTATION MARK}re about to be signed out"


@pytest.fixture
def short_session(settings):
    """Applied after signing in: the sign-in itself runs with the ordinary session length."""

    def shorten() -> None:
        settings.SESSION_COOKIE_AGE = IDLE_SECONDS
        settings.SESSION_TIMEOUT_WARNING_SECONDS = WARNING_SECONDS

    return shorten


def open_customer_page(page: Page, live_server, short_session) -> None:
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    sign_in(page, live_server, "wendy")
    short_session()
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")


def test_stay_signed_in_keeps_the_session_the_text_and_the_focus(
    page: Page, live_server, short_session, csp_violations
):
    open_customer_page(page, live_server, short_session)
    loaded = time.monotonic()
    dialog = page.get_by_role("dialog", name=DIALOG)
    expect(dialog).to_be_hidden()
    summary = page.get_by_test_id("interaction-form").get_by_label("Summary")
    summary.fill("Customer rang about a letter; half-way through noting it")

    # The warning comes WARNING_SECONDS before the IDLE_SECONDS sign-out, and takes focus.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    assert time.monotonic() - loaded >= IDLE_SECONDS - WARNING_SECONDS - 1
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("we will sign you out in")
    assert page.evaluate("() => document.getElementById('timeout-warning').matches(':modal')")
    # Keyboard focus goes round the dialog's controls and never leaves it.
    for _ in range(3):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    assert_accessible(page)

    stay.click()
    expect(dialog).to_be_hidden()
    expect(summary).to_be_focused()
    expect(summary).to_have_value("Customer rang about a letter; half-way through noting it")

    # Past the first sign-out time, the session still holds: the server extended it. A bounded
    # wait (CONTRIBUTING.md, "Test"): the session's real time must pass.
    time.sleep(max(0.0, IDLE_SECONDS + 1 - (time.monotonic() - loaded)))
    response = page.request.get(f"{live_server.url}/customers/", max_redirects=0)
    assert response.status == 200

    # Escape is "stay" too.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(summary).to_have_value("Customer rang about a letter; half-way through noting it")
    assert csp_violations == []


def test_left_alone_the_page_goes_to_sign_in_though_it_polls(
    page: Page, live_server, short_session
):
    """The sync page polls every 2 seconds while a sync runs (as the ACSSL's navigation count
    does every 30): timed polls are not the colleague's activity, so the warning still comes."""
    ColleagueFactory(username="olive", role=roles.ADMIN)
    SyncRun.objects.create(source="uc", status="running", progress_done=1, progress_total=4)
    sign_in(page, live_server, "olive")
    short_session()
    page.goto(f"{live_server.url}/sync/")
    dialog = page.get_by_role("dialog", name=DIALOG)
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    page.wait_for_url("**/accounts/sign-in/**", timeout=(WARNING_SECONDS + 5) * 1000)
    response = page.request.get(f"{live_server.url}/customers/", max_redirects=0)
    assert response.status == 302


def test_keep_alive_refuses_a_signed_out_browser(page: Page, live_server):
    response = page.request.post(f"{live_server.url}/session/keep-alive/")
    assert response.status in (401, 403)


def test_a_request_in_another_tab_withdraws_the_warning(page: Page, live_server, short_session):
    open_customer_page(page, live_server, short_session)
    dialog = page.get_by_role("dialog", name=DIALOG)
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    other = page.context.new_page()
    other.goto(f"{live_server.url}/customers/")  # the same session, used in another tab
    expect(dialog).to_be_hidden(timeout=3000)
    assert "/customers/" in page.url  # still on the customer page, not sent to sign in


def test_the_admin_warns_too(page: Page, live_server, short_session):
    ColleagueFactory(username="adam", role=roles.ADMIN)
    sign_in(page, live_server, "adam")
    short_session()
    page.goto(f"{live_server.url}/admin/acs/partnerorganisation/")
    dialog = page.get_by_role("dialog", name=DIALOG)
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 3) * 1000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
