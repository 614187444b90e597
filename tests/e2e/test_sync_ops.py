"""The sync ops page in a browser: an admin watches a run's progress update (htmx), axe clean."""

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from benefits.models import SyncRun
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import ColleagueFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_sees_live_progress_and_can_start_a_sync(
    page: Page, live_server, csp_violations
) -> None:
    ColleagueFactory(username="ops-admin", role=roles.ADMIN)
    run = SyncRun.objects.create(
        source="uc", status="running", pages=1, fetched=100, created=100, progress_done=100,
        progress_total=400,
    )  # fmt: skip
    sign_in(page, live_server, "ops-admin")
    page.goto(f"{live_server.url}/sync/")
    expect(page.get_by_role("heading", name="Legacy sync")).to_be_visible()
    expect(page.locator("#progress-uc")).to_have_attribute("value", "25")
    assert_accessible(page)
    # The worker moves on: the polled fragment shows it without a reload.
    SyncRun.objects.filter(pk=run.pk).update(progress_done=300, pages=3)
    expect(page.locator("#progress-uc")).to_have_attribute("value", "75", timeout=8000)
    expect(page.get_by_role("button", name="Start sync")).to_be_visible()
    assert csp_violations == []
