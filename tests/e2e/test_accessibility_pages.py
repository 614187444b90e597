"""Every page, as each role meets it: its title is the page's own name, an en dash and "DWP
Colleague Portal" (unique, never a customer's name), it reflows at 320 px wide (400% zoom)
with no sideways page scroll, and axe finds nothing. Wide tables scroll inside their own
focusable, labelled region. Django admin's pages the same, with "DWP Colleague Portal admin"
after the en dash."""

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from accounts import roles
from acs.models import VisitRequest
from benefits.models import QuarantinedRecord, SyncRun, SyncSchedule
from support_needs.models import ArrearsSafeguard, SupportNeed, SupportSignal
from tests.e2e.conftest import assert_accessible, sign_in
from tests.e2e.test_record_states import customer_with_everything
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DASH = "\N{EN DASH}"
SERVICE = f" {DASH} DWP Colleague Portal"
TITLE = re.compile(rf"^(Error: )?[^{DASH}]+( {DASH} [^{DASH}]+)*{SERVICE}$")
ADMIN_SERVICE = f"{SERVICE} admin"
ADMIN_TITLE = re.compile(rf"^(Error: )?[^{DASH}|]+( {DASH} [^{DASH}|]+)*{ADMIN_SERVICE}$")
NAMES = ("Jo", "Tester", "Rita", "Joanne")
DEFAULT_VIEWPORT: ViewportSize = {"width": 1280, "height": 720}

UNNAMED_INPUTS = """() => Array.from(document.querySelectorAll(
    '#result_list input:not([type=hidden]), #result_list select'))
  .filter((el) => !el.labels.length && !el.getAttribute('aria-label'))
  .map((el) => el.name)"""
NEXT_FRAMES = "() => new Promise((go) => requestAnimationFrame(() => requestAnimationFrame(go)))"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
# The innermost elements that stick out past the right edge, to say what is too wide.
TOO_WIDE = """() => Array.from(document.body.querySelectorAll('*'))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((el) => !el.parentElement.closest('.app-table-scroll'))
  .filter((el) => !Array.from(el.children).some(
    (child) => child.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 100))"""
UNLABELLED_SCROLLERS = """() => Array.from(document.querySelectorAll('table'))
  .map((table) => table.parentElement)
  .filter((box) => box.scrollWidth > box.clientWidth)
  .filter((box) => box.getAttribute('role') !== 'region' || box.tabIndex !== 0
    || !(box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')))
  .map((box) => box.outerHTML.slice(0, 120))"""


class Pages:
    """Visits pages, checking each one, and keeps each page's title to compare them."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.titles: dict[str, str] = {}
        self.problems: list[str] = []

    def check(self, name: str, admin: bool = False) -> None:
        """Check the page now shown; every problem is kept, to report all of them at the end."""
        page = self.page
        title = page.title()
        self.titles[name] = title
        pattern, service = (ADMIN_TITLE, ADMIN_SERVICE) if admin else (TITLE, SERVICE)
        if not pattern.match(title) or title.count(service) != 1:
            self.problems.append(f"{name}: title {title!r}")
        if set(re.findall(r"\w+", title)) & set(NAMES):
            self.problems.append(f"{name}: a customer's name in the title {title!r}")
        try:
            assert_accessible(page)
        except AssertionError as error:
            self.problems.append(f"{name}: {error}")
        # Dates and times are GOV.UK date inputs (text boxes), never the browser's pickers.
        if pickers := page.locator("input[type=date], input[type=datetime-local], "
                                   "input[type=time], input[type=month]").count():  # fmt: skip
            self.problems.append(f"{name}: {pickers} browser date or time pickers")
        page.set_viewport_size({"width": 320, "height": 640})
        page.evaluate(NEXT_FRAMES)  # layout done and resize observers run
        width = page.evaluate(PAGE_WIDTH)
        if width > 320:
            wide = page.evaluate(TOO_WIDE)
            self.problems.append(f"{name}: the page is {width} px wide at 320 px: {wide}")
        if unlabelled := page.evaluate(UNLABELLED_SCROLLERS):
            self.problems.append(f"{name}: a table scrolls outside a labelled region {unlabelled}")
        page.set_viewport_size(DEFAULT_VIEWPORT)

    def visit(self, name: str, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")
        self.check(name)

    def visit_admin(self, name: str, path: str) -> None:
        """A Django admin page: its title ends "DWP Colleague Portal admin", and the same checks
        as the portal's pages (axe, reflow at 320 px, a wide change list scrolling in its own
        labelled box), and every input of an editable list named."""
        page = self.page
        page.goto(f"{self.base_url}{path}")
        self.check(name, admin=True)
        if unnamed := page.evaluate(UNNAMED_INPUTS):
            self.problems.append(f"{name}: inputs with no accessible name {unnamed}")


def test_every_page_has_its_own_title_reflows_at_320px_and_passes_axe(page: Page, live_server):
    coach = ColleagueFactory(
        username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH
    )
    acssl = ColleagueFactory(
        username="anna", first_name="Anna", last_name="Senior", role=roles.ACSSL
    )
    ColleagueFactory(username="tess", first_name="Tess", last_name="Leader", role=roles.TEAM_LEADER)
    ColleagueFactory(username="adam", first_name="Adam", last_name="Admin", role=roles.ADMIN)
    customer, case = customer_with_everything(coach, acssl)
    restricted = CustomerFactory(first_name="Rita", last_name="Tester", restricted=True)
    CustomerFactory(first_name="Joanne", last_name="Tester")
    held = QuarantinedRecord.objects.create(
        source="uc",
        sync_run=SyncRun.objects.create(source="uc", status="succeeded"),
        position="cursor 0 item 3",
        record_key="ZX000003D",
        # Its claimant is not restricted: the page shows the payload and the correction box.
        raw_payload='{"claim": {"claimant": {"restricted": false, "family_name": "'
        + "x" * 300
        + '"}}}',
        reason="family name longer than 100 characters",
    )
    need = SupportNeed.objects.filter(customer=customer).order_by("recorded_at").first()
    assert need is not None
    cid = customer.public_id
    pages = Pages(page, live_server.url)

    pages.visit("sign in", "/accounts/sign-in/")

    sign_in(page, live_server, "wendy")
    pages.visit("home", "/")
    pages.visit("search", "/customers/")
    page.get_by_label("Year").fill("1985")  # the date of birth's error state too
    page.get_by_role("button", name="Search").click()
    pages.check("search, with errors")
    assert pages.titles["search, with errors"].startswith("Error: ")
    expect(page.get_by_label("Day")).to_have_class(re.compile("govuk-input--error"))
    page.get_by_label("Year").fill("")
    page.get_by_label("Find a customer").fill("Tester")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("results-table")).to_be_visible()
    pages.check("search results")
    pages.visit("customer record", f"/customers/{cid}/")
    pages.visit("restricted, refused", f"/customers/{restricted.public_id}/")
    pages.visit("support needs", f"/customers/{cid}/support-needs/")
    pages.visit("record a need", f"/customers/{cid}/support-needs/record/")
    pages.visit("six point plan", f"/customers/{cid}/support-needs/six-point-plan/")
    pages.visit("update a need", f"/customers/{cid}/support-needs/{need.public_id}/update/")
    pages.visit("review a need", f"/customers/{cid}/support-needs/{need.public_id}/review/")
    pages.visit("end a need", f"/customers/{cid}/support-needs/{need.public_id}/end/")
    page.get_by_role("button", name="End the need").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: End: "))
    pages.check("end a need, with errors")
    assert pages.titles["end a need, with errors"].startswith("Error: ")
    signal = SupportSignal.objects.filter(customer=customer).first()
    assert signal is not None
    signal_path = f"/customers/{cid}/support-needs/signals/{signal.public_id}"
    safeguard = ArrearsSafeguard.objects.get(customer=customer)
    pages.visit("safeguard", f"/customers/{cid}/support-needs/safeguards/{safeguard.public_id}/")
    pages.visit("refer", f"/acs/refer/{cid}/")
    pages.visit("reviews due", "/support-needs/reviews/")
    pages.visit("arrears safeguards", "/support-needs/arrears-safeguards/")
    pages.visit("not found", "/no-such-page/")
    pages.visit("forbidden", "/acs/triage/")

    page.context.clear_cookies()
    sign_in(page, live_server, "anna")
    pages.visit("restricted, reason", f"/customers/{restricted.public_id}/")
    pages.visit("refer a signal", f"{signal_path}/refer/")
    pages.visit("dismiss a signal", f"{signal_path}/dismiss/")
    pages.visit("ACS home", "/acs/")
    pages.visit("triage", "/acs/triage/")
    pages.visit("my cases", "/acs/my-cases/")
    pages.visit("ACS case", f"/acs/cases/{case.public_id}/")
    pages.visit("figures", "/acs/figures/")
    # More visits than a page holds: the list shows its GOV.UK pagination.
    VisitRequest.objects.bulk_create(
        VisitRequest(case=case, reason="Visit", requested_by=acssl) for _ in range(51)
    )
    pages.visit("home visits", "/acs/visits/")
    expect(page.get_by_role("navigation", name="Pages")).to_be_visible()
    pages.visit("escalations", "/acs/escalations/?show=all")

    page.context.clear_cookies()
    sign_in(page, live_server, "tess")
    pages.visit("team caseload", "/acs/team/")
    pages.visit("viewers", f"/audit/customers/{cid}/viewers/")

    page.context.clear_cookies()
    sign_in(page, live_server, "adam")
    pages.visit("legacy sync", "/sync/")
    pages.visit("API documentation", "/api/docs/")
    expect(page.get_by_role("main")).to_contain_text("/api/v1/me")
    pages.visit_admin("admin home", "/admin/")
    pages.visit_admin("colleagues", "/admin/accounts/user/")
    pages.visit_admin("a colleague", f"/admin/accounts/user/{coach.pk}/change/")
    pages.visit_admin("add a colleague", "/admin/accounts/user/add/")
    pages.visit_admin("partner organisations", "/admin/acs/partnerorganisation/")
    expect(page.get_by_role("checkbox", name=re.compile("^Active for "))).not_to_have_count(0)
    pages.visit_admin("case categories", "/admin/acs/casecategory/")
    pages.visit_admin("sync schedules", "/admin/benefits/syncschedule/")
    schedule = SyncSchedule.objects.get(source="esa")
    pages.visit_admin("a sync schedule", f"/admin/benefits/syncschedule/{schedule.pk}/change/")
    page.get_by_label("Interval minutes").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    pages.check("a sync schedule, with errors", admin=True)
    assert pages.titles["a sync schedule, with errors"].startswith("Error: ")
    pages.visit_admin("access audit", "/admin/audit/accessevent/")
    pages.visit_admin("quarantined records", "/admin/benefits/quarantinedrecord/")
    pages.visit_admin("quarantined record", f"/admin/benefits/quarantinedrecord/{held.pk}/change/")

    assert pages.problems == [], "\n".join(pages.problems)

    # One title per page (the errors aside, which repeat their page's title after "Error: ").
    titles = [t for name, t in pages.titles.items() if not t.startswith("Error: ")]
    repeated = {t for t in titles if titles.count(t) > 1}
    assert repeated == set(), {n: t for n, t in pages.titles.items() if t in repeated}
