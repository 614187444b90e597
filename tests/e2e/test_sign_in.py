"""A colleague signs in through the browser (single sign-on at a real OpenID Connect provider, or
the local demo password), sees the home page, and every page is accessible."""

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from tests.e2e.conftest import assert_accessible, sign_in_through_the_pages, sign_in_with_password
from tests.factories import ColleagueFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_reaches_home_page_with_no_accessibility_violations(
    page: Page, live_server, csp_violations
):
    ColleagueFactory(username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH)

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)

    sign_in_through_the_pages(page, live_server, "wendy")

    # A work coach lands on customer search.
    expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()
    expect(page.get_by_test_id("signed-in-colleague")).to_contain_text("Wendy Coach (Work coach)")
    # GOV.UK Frontend's module ran (it marks the body), so our scripts passed the CSP.
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    assert_accessible(page)
    assert csp_violations == []


def test_wrong_password_shows_an_error_summary(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill("wendy")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("Enter a correct username and password")
    assert_accessible(page)


def sign_out_at_the_provider(page: Page) -> None:
    """Sign out: the portal sends the browser to the provider's end-session page, where the
    colleague confirms, and the provider sends it back to the portal's signed-out page."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()


def test_sign_out_ends_the_session_at_the_provider_and_returns_signed_out(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    sign_in_through_the_pages(page, live_server, "wendy")
    sign_out_at_the_provider(page)
    expect(page).to_have_title("You have signed out \N{EN DASH} DWP Colleague Portal")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in again").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_local_demo_colleague_signs_in_with_a_password(page: Page, live_server):
    ColleagueFactory(username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH)
    sign_in_with_password(page, live_server, "wendy")
    expect(page.get_by_test_id("signed-in-colleague")).to_contain_text("Wendy Coach (Work coach)")


def test_single_sign_on_without_mfa_is_refused_on_an_accessible_page(
    page: Page, live_server, oidc_provider
):
    wendy = ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    sign_in_through_the_pages(page, live_server, "wendy")
    sign_out_at_the_provider(page)
    page.get_by_role("link", name="Sign in again").click()

    oidc_provider.put_colleague(wendy, amr=["pwd"])  # a password alone at the provider
    page.get_by_role("button", name="Sign in with your DWP account").click()
    page.get_by_label("Subject").fill("wendy")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(
        page.get_by_role("heading", name="Sign in with multi-factor authentication")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Go to sign in").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
