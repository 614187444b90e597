"""Browser-test helpers: sign in through the real page, and an axe scan that must be clean."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

from accounts.models import User
from tests.factories.accounts import TEST_PASSWORD
from tests.oidc_provider import OidcProvider

_provider: list[OidcProvider] = []


@pytest.fixture(autouse=True)
def _sign_in_provider(oidc_provider: OidcProvider) -> None:
    """Browser tests sign in through the session's real OpenID Connect provider."""
    _provider[:] = [oidc_provider]


def sign_in(page: Page, live_server, username: str) -> None:
    """Sign in as `username` through single sign-on, as colleagues do: the colleague exists at the
    OpenID Connect provider in the groups of their roles here, with MFA; the browser goes to the
    provider, signs in there as them, and comes back to the portal."""
    _provider[0].put_colleague(User.objects.get(username=username))
    # The provider's own page asks for a stylesheet from the internet: not in these tests.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_role("button", name="Sign in with your DWP account").click()
    page.get_by_label("Subject").fill(username)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{live_server.url}/**")


def sign_in_with_password(page: Page, live_server, username: str) -> None:
    """The local demo path: username and password (off in production)."""
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def assert_accessible(page: Page) -> None:
    """Run axe on the page as it is now; fail on any violation, naming each one."""
    results = Axe().run(page)
    violations = results.response.get("violations", [])
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
        for v in violations
    ]
    assert results.violations_count == 0, "axe violations:\n" + "\n".join(details)


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """Console errors that report a Content Security Policy violation, collected as they happen."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return seen


def fill_date(scope: Page | Locator, legend: str, day: dt.date) -> None:
    """Type a date into the GOV.UK date input whose legend is `legend` (day, month, year)."""
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
