"""The sync ops page in a browser: an admin watches a run's progress update (htmx), hears each
change once through the page's live region, keeps keyboard focus through the polls, axe clean."""

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from benefits.models import SyncRun
from tests.e2e.conftest import assert_accessible, sign_in
from tests.e2e.test_accessibility_live_regions import keep_node, same_node
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
    status = page.get_by_test_id("sync-progress-status")
    keep_node(page, "sync-progress-status")
    # At 320 px the table scrolls in its own box; a keyboard user is in it when the poll comes.
    page.set_viewport_size({"width": 320, "height": 640})
    expect(page.get_by_role("region", name="Legacy systems")).to_be_visible()
    table_box = page.locator("#sync-status-caption-box")  # the region's box, whatever its role
    table_box.focus()

    # The worker moves on: the polled fragment shows it without a reload, the live region says
    # so once, and focus stays where it was (the box is redrawn under it).
    SyncRun.objects.filter(pk=run.pk).update(progress_done=300, pages=3)
    expect(page.locator("#progress-uc")).to_have_attribute("value", "75", timeout=8000)
    expect(status).to_have_text("UC sync: 75% done.")
    assert same_node(page, "sync-progress-status")
    expect(table_box).to_be_focused()

    SyncRun.objects.filter(pk=run.pk).update(status="succeeded")
    expect(status).to_have_text("UC sync finished.", timeout=8000)
    assert same_node(page, "sync-progress-status")
    expect(table_box).to_be_focused()
    assert page.locator("[data-announce]").count() == 0
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(page.get_by_role("button", name="Start sync")).to_be_visible()
    assert csp_violations == []
