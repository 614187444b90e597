"""The work coach journey in Chromium: find a customer (NINO, misspelt name, name + date of
birth), open the record, filter the timeline, record an interaction — axe-clean at every step."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from benefits.models import SourceWatermark
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import (
    BenefitEventFactory,
    ColleagueFactory,
    CustomerFactory,
    PaymentFactory,
    PipAwardFactory,
    SourceIdentityFactory,
    UniversalCreditAwardFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey_data(db):
    ColleagueFactory(username="wendy", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH)
    for source in ("uc", "pip", "esa", "sp"):
        SourceWatermark.objects.create(source=source, last_success_at=timezone.now())
    customer = CustomerFactory(
        nino="ZX900555A",
        first_name="Siobhan",
        last_name="O'Donnell-Price",
        date_of_birth=dt.date(1984, 6, 12),
        postcode="LS1 4AP",
        benefits_held=["uc", "pip"],
    )
    CustomerFactory(first_name="Siobhan", last_name="Price", date_of_birth=dt.date(1990, 1, 1))
    UniversalCreditAwardFactory(customer=customer)
    PipAwardFactory(customer=customer)
    SourceIdentityFactory(customer=customer, source="pip", first_name="Shevaun")
    PaymentFactory(customer=customer, benefit="uc")
    BenefitEventFactory(
        customer=customer, benefit="pip", summary="PIP mobility increased to enhanced"
    )
    return customer


def search_for(page: Page, text: str) -> None:
    page.get_by_label("Find a customer").fill(text)
    page.get_by_role("button", name="Search").click()


def test_search_by_nino_opens_the_record(page: Page, live_server, journey_data, csp_violations):
    sign_in(page, live_server, "wendy")
    expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()
    assert_accessible(page)
    search_for(page, "zx 90 05 55 a")
    expect(page.get_by_test_id("identity-bar")).to_contain_text("ZX 90 05 55 A")
    assert "ZX900555A" not in page.url
    assert "zx" not in page.url.lower()
    expect(page.get_by_test_id("benefit-card-uc")).to_be_visible()
    expect(page.get_by_test_id("benefit-card-pip")).to_be_visible()
    expect(page.get_by_test_id("differences")).to_contain_text("PIPCS")
    assert_accessible(page)
    assert csp_violations == []


def test_an_invalid_nino_is_explained(page: Page, live_server, journey_data):
    sign_in(page, live_server, "wendy")
    search_for(page, "ZX 90 05 55 E")
    expect(page.get_by_role("alert")).to_contain_text("ends with A, B, C or D")
    assert_accessible(page)


def test_live_results_by_misspelt_name_then_open_filter_and_record(
    page: Page, live_server, journey_data, csp_violations
):
    sign_in(page, live_server, "wendy")
    # Live results (htmx) as the colleague types a misspelt name, no button pressed.
    page.get_by_label("Find a customer").press_sequentially("Shiobhan ODonel Price", delay=20)
    results = page.get_by_test_id("search-results")
    expect(results.get_by_role("link", name="Siobhan O'Donnell-Price")).to_be_visible()
    assert "siobhan" not in page.url.lower()
    assert_accessible(page)

    results.get_by_role("link", name="Siobhan O'Donnell-Price").click()
    expect(page.get_by_test_id("identity-bar")).to_contain_text("Siobhan O'Donnell-Price")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("PIP mobility increased to enhanced")
    expect(timeline).to_contain_text("Universal Credit payment")

    # Filter the timeline (htmx swaps only the timeline, on Filter: not on each arrow key).
    page.get_by_label("Show").select_option("payment")
    page.get_by_role("button", name="Filter").click()
    expect(timeline).not_to_contain_text("PIP mobility increased to enhanced")
    expect(timeline).to_contain_text("Universal Credit payment")
    page.get_by_label("Show").select_option("")
    page.get_by_label("Benefit").select_option("pip")
    page.get_by_role("button", name="Filter").click()
    expect(timeline).to_contain_text("PIP mobility increased to enhanced")
    expect(timeline).not_to_contain_text("Universal Credit payment")
    assert_accessible(page)

    # Record an interaction inline; it appears on the timeline at once, without a reload.
    page.get_by_label("Show").select_option("")
    page.get_by_label("Benefit").select_option("")
    page.get_by_role("button", name="Filter").click()
    expect(timeline).to_contain_text("Universal Credit payment")
    page.evaluate("window.__no_reload = true")
    form = page.get_by_test_id("interaction-form")
    form.get_by_label("Phone").check()
    form.get_by_label("Personal Independence Payment").check()
    form.get_by_label("Summary").fill("Asked when the PIP increase is paid")
    form.get_by_role("button", name="Record interaction").click()
    expect(form.get_by_test_id("interaction-recorded")).to_contain_text("Interaction recorded")
    expect(timeline).to_contain_text("Asked when the PIP increase is paid")
    assert page.evaluate("window.__no_reload") is True
    assert_accessible(page)
    assert csp_violations == []


def test_search_by_name_and_date_of_birth(page: Page, live_server, journey_data):
    sign_in(page, live_server, "wendy")
    page.get_by_label("Find a customer").fill("Siobhan Price")
    expect(page.get_by_test_id("search-status")).to_have_text("2 customers found")
    page.get_by_label("Day").fill("12")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1984")
    # Typing in the date's boxes searches live too: the other Siobhan Price drops out.
    expect(page.get_by_test_id("search-status")).to_have_text("1 customer found")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 customer found")).to_be_visible()
    expect(page.get_by_role("link", name="Siobhan O'Donnell-Price")).to_be_visible()
    assert "/customers/results/" in page.url
    assert "siobhan" not in page.url.lower()
    assert_accessible(page)
