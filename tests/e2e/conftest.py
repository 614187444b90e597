"""Browser-test helpers: sign in through single sign-on (quickly, or through the pages), and an axe
scan that must be clean."""

import datetime as dt

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.test import Client
from playwright.sync_api import Locator, Page

from accounts.models import User
from tests.factories.accounts import TEST_PASSWORD
from tests.oidc_provider import OidcProvider, sso_sign_in

_provider: list[OidcProvider] = []


@pytest.fixture(autouse=True)
def _sign_in_provider(oidc_provider: OidcProvider) -> None:
    """Browser tests sign in through the session's real OpenID Connect provider."""
    _provider[:] = [oidc_provider]


def sign_in(page: Page, live_server, username: str) -> None:
    """Sign in as `username` through single sign-on, then open the home page.

    The code flow is the real one, without the browser's page loads: the colleague is put at the
    session's OpenID Connect provider in the groups of their roles here, with MFA; the Django
    test client starts the sign-in at the portal, signs in at the provider as them and comes back
    to the portal's callback, which checks the tokens, MFA and roles and starts the session (with
    the provider's tokens, so the re-check every OIDC_RECHECK_SECONDS works as for any colleague).
    The browser is then given that session's cookie. The sign-in pages themselves are tested in
    the browser by tests/e2e/test_sign_in.py (sign_in_through_the_pages)."""
    provider = _provider[0]
    provider.put_colleague(User.objects.get(username=username))
    client = Client()
    answer = sso_sign_in(client, provider, username)
    assert answer.status_code == 302, f"single sign-on refused {username}: {answer.status_code}"
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page.goto(f"{live_server.url}/")


def sign_in_through_the_pages(page: Page, live_server, username: str) -> None:
    """Sign in as `username` through single sign-on in the browser, as colleagues do: the
    colleague exists at the OpenID Connect provider in the groups of their roles here, with MFA;
    the browser goes to the provider, signs in there as them, and comes back to the portal."""
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
    """Run axe on the page as it is now; fail on any violation, naming each one.

    axe-core (0.6 MB) is put into a document once: a later scan of the same page (after an htmx
    swap, say) reuses it. Only the violations come back from the browser."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(
        "() => axe.run({resultTypes: ['violations']}).then((results) => results.violations)"
    )
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
        for v in violations
    ]
    assert violations == [], "axe violations:\n" + "\n".join(details)


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
