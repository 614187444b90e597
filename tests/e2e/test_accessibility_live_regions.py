"""htmx updates in the browser, as a screen-reader or keyboard user meets them: each area has one
live region whose node stays while its text changes; focus goes to the success banner after a
save, to the error summary after an error, and back to the link that opened a form after Cancel;
the timeline is not live itself and its filter does not send a request on every arrow key."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from audit.context import AuditContext
from customers.services import interaction_record
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ERROR_TITLE = re.compile(r"^Error: ")

MISSING_TARGETS = """() => Array.from(document.querySelectorAll('.govuk-error-summary__list a'))
  .map((link) => link.getAttribute('href').slice(1))
  .filter((id) => !document.getElementById(id))"""


def keep_node(page: Page, element_id: str) -> None:
    """Remember the element now under `element_id`, to check later that it was never replaced."""
    page.evaluate(
        "(id) => { window.__kept = window.__kept || {}; window.__kept[id] = "
        "document.getElementById(id); }",
        element_id,
    )


def same_node(page: Page, element_id: str) -> bool:
    return page.evaluate(
        "(id) => document.getElementById(id) !== null && "
        "document.getElementById(id) === window.__kept[id]",
        element_id,
    )


def focused_test_id(page: Page) -> str | None:
    return page.evaluate("() => document.activeElement.getAttribute('data-testid')")


def test_support_needs_panel_announces_saves_and_places_focus(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")
    panel = page.get_by_test_id("support-needs-panel")
    status = page.get_by_test_id("support-needs-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("")
    keep_node(page, "support-needs-status")

    # Cancel goes back to the link that opened the form, not to <body>.
    panel.get_by_role("link", name="Record a support need").click()
    expect(panel.get_by_label("Type of need")).to_be_visible()
    panel.get_by_role("link", name="Cancel").click()
    expect(panel.get_by_role("link", name="Record a support need")).to_be_focused()

    # An empty save: the error summary takes focus (no autofocus wins) and every link lands on
    # a real element, the radio groups' links on their first radio.
    panel.get_by_role("link", name="Record a support need").click()
    panel.get_by_label("Type of need").select_option(label="Large print")
    panel.get_by_role("button", name="Continue").click()
    expect(panel.get_by_label("Format detail")).to_be_visible()
    panel.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert page.evaluate(MISSING_TARGETS) == []
    expect(page).to_have_title(ERROR_TITLE)  # set when htmx settles
    links = summary.locator("a")
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        assert href not in ("#id_how_learned", "#id_consent"), href
    summary.get_by_role("link", name="Say how we learned about the need.").click()
    expect(page.locator("#id_how_learned_0")).to_be_focused()
    assert_accessible(page)

    # A save: the success banner takes focus, the live region says what happened, same node.
    panel.get_by_label("Format detail").fill("18 point")
    panel.get_by_label("The customer told us").check()
    panel.get_by_label("Customer agreed to it being recorded and shared across DWP").check()
    panel.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("support-needs-saved")).to_be_focused()
    expect(status).to_have_text("Large print recorded.")
    assert same_node(page, "support-needs-status")
    expect(page).not_to_have_title(ERROR_TITLE)
    assert_accessible(page)

    # Update then Cancel: back to that need's own Update link.
    panel.get_by_role("link", name="Update Large print").click()
    panel.get_by_role("link", name="Cancel").click()
    expect(panel.get_by_role("link", name="Update Large print")).to_be_focused()

    # A second save changes the text again; still the same region.
    panel.get_by_role("link", name="End Large print").click()
    panel.get_by_label("Why the need no longer applies").fill("Now uses audio")
    panel.get_by_role("button", name="End the need").click()
    expect(page.get_by_test_id("support-needs-saved")).to_be_focused()
    expect(status).to_have_text("Large print ended.")
    assert same_node(page, "support-needs-status")
    assert page.locator("#support-needs-status").count() == 1


def test_interaction_and_timeline_announce_through_their_own_regions(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")
    timeline = page.get_by_test_id("timeline")
    # The timeline itself is not a live region: only its status line is.
    assert timeline.get_attribute("aria-live") is None
    keep_node(page, "interaction-status")
    keep_node(page, "timeline-status")

    form = page.get_by_test_id("interaction-form")
    form.get_by_label("Phone").check()
    form.get_by_label("Summary").fill("Called about a missed payment")
    form.get_by_role("button", name="Record interaction").click()
    expect(page.get_by_test_id("interaction-recorded")).to_be_focused()
    expect(page.get_by_test_id("interaction-status")).to_have_text(
        "Interaction recorded. It is at the top of the timeline."
    )
    assert same_node(page, "interaction-status")
    expect(timeline).to_contain_text("Called about a missed payment")
    # The timeline redrawn beside the form does not speak over the interaction's message.
    expect(page.get_by_test_id("timeline-status")).to_have_text("")

    # The "Show" filter: arrow keys through the options send nothing; Filter sends one request.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/timeline/" in r.url else None)
    show = page.get_by_label("Show")
    show.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    # A bounded wait (CONTRIBUTING.md, "Test"): that nothing is sent has no event to wait for;
    # 600 ms is longer than any htmx trigger delay on the portal's pages (350-500 ms).
    page.wait_for_timeout(600)
    assert requests == []
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("timeline-status")).to_contain_text("Timeline filtered")
    assert len(requests) == 1
    assert same_node(page, "timeline-status")
    expect(page.get_by_role("button", name="Filter")).to_be_focused()
    assert_accessible(page)


def test_live_search_swaps_the_status_text_not_the_status_node(page: Page, live_server):
    ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    CustomerFactory(first_name="Alma", last_name="Quennell")
    CustomerFactory(first_name="Bert", last_name="Quennell")
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/")
    status = page.get_by_test_id("search-status")
    expect(status).to_have_attribute("role", "status")
    keep_node(page, "search-status")

    page.get_by_label("Find a customer").fill("Quennell")
    expect(status).to_have_text("2 customers found")
    assert same_node(page, "search-status")
    page.get_by_label("Find a customer").fill("Alma Quennell")
    expect(status).to_have_text("1 customer found")
    assert same_node(page, "search-status")

    # Two errors at once: both are in the one announcement.
    page.get_by_label("Postcode (optional)").fill("!!")
    page.get_by_label("Find a customer").fill("Q")
    expect(status).to_contain_text("Enter at least 2 letters of a name")
    expect(status).to_contain_text("Enter a postcode using only letters, numbers and spaces")
    assert same_node(page, "search-status")
    assert page.locator("[data-announce]").count() == 0


def test_timeline_paging_keeps_focus_in_the_timeline(page: Page, live_server):
    coach = ColleagueFactory(username="wendy", role=roles.WORK_COACH)
    customer = CustomerFactory()
    for number in range(25):  # more than one timeline page
        interaction_record(
            customer=customer,
            audit=AuditContext.for_command(command="test data", user=coach),
            channel="phone",
            benefits=[],
            summary=f"Call number {number}",
            outcome="",
            follow_up_action="",
            follow_up_date=None,
        )
    sign_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/customers/{customer.public_id}/")
    keep_node(page, "timeline-status")
    page.get_by_role("link", name="Older").click()
    # The link that was used went with the old page of entries: focus moves to the timeline,
    # not to <body>, and the status line says which page this is.
    expect(page.get_by_test_id("timeline")).to_be_focused()
    expect(page.get_by_test_id("timeline-status")).to_contain_text("page 2")
    assert same_node(page, "timeline-status")
    assert_accessible(page)
