"""Browser-test helpers: sign in through the real page, and an axe scan that must be clean."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

from tests.factories.accounts import TEST_PASSWORD


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


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
