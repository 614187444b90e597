"""Customer search: NINO straight to the record, fuzzy names, filters, restricted results, audit."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from audit.context import AuditContext
from audit.models import AccessEvent
from customers.selectors.search import SEARCH_LIMIT, customer_search_by_name
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SEARCH = "/customers/"


def search(client, query, htmx=False, **extra):
    data = {"query": query, "dob_day": "", "dob_month": "", "dob_year": "", "postcode": ""}
    data.update(extra)
    headers = {}
    if htmx:
        data["live"] = "1"
        headers = {"HTTP_HX_REQUEST": "true"}
    return client.post(SEARCH, data, **headers)


def names_in(response) -> str:
    return response.content.decode()


DATE_BOXES = ("dob_day", "dob_month", "dob_year")


def date_box(content: str, name: str) -> str:
    """The <input> tag of one of the date of birth's boxes."""
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', content)
    assert tag, name
    return tag.group(0)


def boxes_in_error(content: str) -> list[str]:
    return [name for name in DATE_BOXES if "govuk-input--error" in date_box(content, name)]


@pytest.mark.parametrize("typed", ["ZX900101B", "zx 90 01 01 b", " Zx-900101-B ", "zx900101b"])
def test_a_valid_nino_in_any_case_or_spacing_goes_straight_to_the_record(coach_client, typed):
    customer = CustomerFactory(nino="ZX900101B")
    response = search(coach_client, typed)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.public_id])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZX12345", "has 9 characters"),
        ("DX123456A", "cannot start with D"),
        ("ZO123456A", "second letter of a National Insurance number cannot be O"),
        ("ZX123456E", "ends with A, B, C or D"),
        ("GB123456A", "GB is not an issued"),
    ],
)
def test_an_invalid_nino_says_what_is_wrong(coach_client, typed, message):
    response = search(coach_client, typed)
    assert response.status_code == 200
    assert message in names_in(response)
    assert "There is a problem" in names_in(response)


def test_a_nino_nobody_has_says_so_and_is_audited_without_the_nino(coach_client):
    response = search(coach_client, "ZX 99 99 99 A")
    assert "No customer has the National Insurance number ZX 99 99 99 A" in names_in(response)
    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.detail["results"] == 0
    assert "ZX999999A" not in str(event.detail) + event.what + event.reason


def follow_name_search(client, query, **extra):
    response = search(client, query, **extra)
    assert response.status_code == 302
    location = response["Location"]
    # No name (or part of one) in the URL: only an opaque token.
    assert query.split()[0].lower() not in location.lower()
    assert location.startswith("/customers/results/")
    return client.get(location)


@pytest.mark.parametrize(
    "typed",
    [
        "Margaret O'Brien-Smith",  # exact, with apostrophe and hyphen
        "margaret obrien smith",  # no punctuation
        "Margret OBrien Smith",  # typo
        "Obrien-Smith Margaret",  # surname first
        "Margaret Smith",  # missing part of the name
        "O'Brien Smith",  # surname only
    ],
)
def test_names_match_despite_typos_punctuation_order_and_missing_parts(coach_client, typed):
    target = CustomerFactory(first_name="Margaret", middle_names="Anne", last_name="O'Brien-Smith")
    CustomerFactory(first_name="Terence", last_name="Walkden")
    response = follow_name_search(coach_client, typed)
    content = names_in(response)
    assert escape(target.full_name) in content
    assert "Terence Walkden" not in content


def test_results_are_ranked_closest_first(coach_client):
    CustomerFactory(first_name="Jonathan", last_name="Smithson")
    CustomerFactory(first_name="John", last_name="Smith")
    content = names_in(follow_name_search(coach_client, "John Smith"))
    assert content.index("John Smith") < content.index("Jonathan Smithson")


def test_the_home_page_search_has_the_date_of_birth_boxes(coach_client):
    content = names_in(coach_client.get(reverse("home")))
    assert "Date of birth (optional)" in content
    for name in DATE_BOXES:
        date_box(content, name)  # asserts the box is there


def test_date_of_birth_and_postcode_narrow_the_name_search(coach_client):
    wanted = CustomerFactory(
        first_name="Priya", last_name="Shah", date_of_birth=dt.date(1985, 3, 27), postcode="LS1 4AP"
    )
    CustomerFactory(
        first_name="Priya", last_name="Shah", date_of_birth=dt.date(1990, 1, 1), postcode="LS1 4AP"
    )
    CustomerFactory(
        first_name="Priya", last_name="Shah", date_of_birth=dt.date(1985, 3, 27), postcode="M1 1AA"
    )
    content = names_in(
        follow_name_search(
            coach_client,
            "priya shah",
            dob_day="27",
            dob_month="3",
            dob_year="1985",
            postcode="ls14",
        )
    )
    assert "1 customer found" in content
    assert str(wanted.public_id) in content
    # The results page shows the search again, the date in its three boxes.
    values = [re.search(r'value="(\d*)"', date_box(content, name)) for name in DATE_BOXES]
    assert [value.group(1) for value in values if value] == ["27", "3", "1985"]


WHOLE_DATE = list(DATE_BOXES)


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "marked"),
    [
        ("27", "3", "85", "Year must include 4 numbers", ["dob_year"]),
        ("27", "3", "19855", "Year must include 4 numbers", ["dob_year"]),
        ("27", "", "1985", "Date of birth must include a month", ["dob_month"]),
        ("", "", "1985", "Date of birth must include a day and month", ["dob_day", "dob_month"]),
        ("31", "2", "1985", "Date of birth must be a real date", WHOLE_DATE),
        ("123", "3", "1985", "Date of birth must be a real date", WHOLE_DATE),
        ("27", "3", "2999", "Date of birth must be in the past", WHOLE_DATE),
    ],
)
def test_a_wrong_date_of_birth_gets_the_govuk_message_on_the_boxes_at_fault(
    coach_client, day, month, year, message, marked
):
    content = names_in(
        search(coach_client, "Priya Shah", dob_day=day, dob_month=month, dob_year=year)
    )
    assert boxes_in_error(content) == marked
    # The summary links to the first box marked, which is on the page.
    target = f"id_date_of_birth_{DATE_BOXES.index(marked[0])}"
    assert f'<a href="#{target}">{message}</a>' in content
    assert f'id="{target}"' in content
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in content
    assert "Enter a real date" not in content
    # Typing live says the same.
    live = names_in(
        search(coach_client, "Priya Shah", htmx=True, dob_day=day, dob_month=month, dob_year=year)
    )
    assert f'data-announce="search-status">{message}. <' in live


def test_results_are_paginated_behind_the_token(coach_client):
    for n in range(25):
        CustomerFactory(first_name="Alex", last_name=f"Jones{chr(97 + n)}")
    first = follow_name_search(coach_client, "Alex Jones")
    assert "25 customers found" in names_in(first)
    assert names_in(first).count('data-testid="result"') == 20
    second = coach_client.get(first.request["PATH_INFO"] + "?page=2")
    assert names_in(second).count('data-testid="result"') == 5


def test_a_token_is_the_searching_colleagues_only(coach_client, client, acssl):
    CustomerFactory(first_name="Alex", last_name="Jones")
    response = search(coach_client, "Alex Jones")
    client.force_login(acssl)
    other = client.get(response["Location"])
    assert other.status_code == 302
    assert other["Location"] == reverse("customers:search")


def test_restricted_results_show_only_that_one_matched_to_colleagues_not_cleared(
    coach_client, client, acssl
):
    CustomerFactory(first_name="Hidden", last_name="Person", restricted=True, postcode="ZZ1 1ZZ")
    content = names_in(follow_name_search(coach_client, "Hidden Person"))
    assert "A restricted record matched" in content
    assert "ZZ1 1ZZ" not in content
    assert "Hidden Person" not in content.split('data-testid="search-results"', 1)[1]
    client.force_login(acssl)
    content = names_in(follow_name_search(client, "Hidden Person"))
    assert "ZZ1 1ZZ" in content


def test_every_search_is_audited_with_the_count_never_the_query(coach_client):
    CustomerFactory(first_name="Ngozi", last_name="Okonkwo")
    follow_name_search(coach_client, "Ngozi Okonkwo")
    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.detail["results"] == 1
    assert "okonkwo" not in (str(event.detail) + event.what + event.reason).lower()


def test_live_search_answers_with_the_results_fragment(coach_client):
    CustomerFactory(first_name="Ngozi", last_name="Okonkwo")
    response = search(coach_client, "Ngozi Okonkwo", htmx=True)
    content = names_in(response)
    assert response.status_code == 200
    assert "<html" not in content
    assert "Ngozi Okonkwo" in content
    # The text for the page's one status region (static/js/portal.mjs copies it there).
    assert 'data-announce="search-status">1 customer found<' in content


def test_live_search_shows_a_full_valid_nino_as_a_result_rather_than_navigating(coach_client):
    customer = CustomerFactory(nino="ZX900202C", first_name="Ada", last_name="Lovelace")
    response = search(coach_client, "zx900202c", htmx=True)
    assert response.status_code == 200
    assert str(customer.public_id) in names_in(response)


def test_live_search_explains_an_unfinished_nino_without_a_full_page(coach_client):
    response = search(coach_client, "ZX12", htmx=True)
    assert "has 9 characters" in names_in(response)
    assert "<html" not in names_in(response)


def test_admins_cannot_search_and_the_refusal_is_logged(client, admin_user):
    client.force_login(admin_user)
    assert search(client, "Anyone").status_code == 403
    assert AccessEvent.objects.filter(action=AccessEvent.Action.REFUSED).exists()


def test_search_by_get_with_a_query_does_not_search(coach_client):
    response = coach_client.get(SEARCH + "?query=ZX900101B")
    assert response.status_code == 200
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.SEARCH).exists()


def test_home_page_is_the_search_for_work_coaches(coach_client):
    content = names_in(coach_client.get("/"))
    assert 'id="search-query"' in content


def test_a_postcode_alone_finds_the_customers_living_there(coach_client):
    here = CustomerFactory(first_name="Ravi", last_name="Patel", postcode="LS1 4AP")
    CustomerFactory(first_name="Ravi", last_name="Patel", postcode="M1 1AA")
    response = search(coach_client, "", postcode="ls14ap")
    assert response.status_code == 302
    content = names_in(coach_client.get(response["Location"]))
    assert "1 customer found" in content
    assert str(here.public_id) in content
    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.detail["by"] == "postcode"
    assert event.detail["results"] == 1


def test_a_postcode_with_a_date_of_birth_narrows_to_that_customer(coach_client):
    wanted = CustomerFactory(postcode="LS1 4AP", date_of_birth=dt.date(1985, 3, 27))
    other = CustomerFactory(postcode="LS1 4AP", date_of_birth=dt.date(1990, 1, 1))
    content = names_in(
        search(
            coach_client,
            "",
            htmx=True,
            postcode="LS1",
            dob_day="27",
            dob_month="3",
            dob_year="1985",
        )
    )
    assert str(wanted.public_id) in content
    assert str(other.public_id) not in content


def test_an_empty_search_asks_for_a_nino_a_name_or_a_postcode(coach_client):
    response = search(coach_client, "")
    assert response.status_code == 200
    assert "Enter a National Insurance number, a name or a postcode" in names_in(response)
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.SEARCH).exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_name_nobody_has_says_no_customers_found_and_what_to_try(coach_client, htmx):
    CustomerFactory(first_name="Ngozi", last_name="Okonkwo")
    response = search(coach_client, "Xavier Quennell", htmx=htmx, postcode="ZZ9")
    if not htmx:
        response = coach_client.get(response["Location"])
    content = names_in(response)
    assert "No customers found" in content
    assert "check the spelling with the customer, or try only their surname" in content
    assert "check the postcode, or type only its first part" in content
    assert "search by National Insurance number" in content


def test_results_show_the_nino_so_a_caller_can_be_matched(coach_client, client, acssl):
    CustomerFactory(nino="ZX900303A", first_name="Ngozi", last_name="Okonkwo")
    CustomerFactory(nino="ZX900404B", first_name="Ngozi", last_name="Okonkwoh", restricted=True)
    content = names_in(follow_name_search(coach_client, "Ngozi Okonkwo"))
    assert "ZX 90 03 03 A" in content
    assert "ZX 90 04 04 B" not in content  # a restricted match hides everything
    client.force_login(acssl)
    assert "ZX 90 04 04 B" in names_in(follow_name_search(client, "Ngozi Okonkwo"))


def test_a_surname_alone_lists_that_surname_first_then_names_like_it(coach_client):
    exact = [CustomerFactory(first_name=f, last_name="Harrison") for f in ("Zoe", "Adam")]
    double = CustomerFactory(first_name="Bea", last_name="Harrison-Khan")
    typo = CustomerFactory(first_name="Carl", last_name="Harisson")
    CustomerFactory(first_name="Harrison", last_name="Ford")  # a first name too, after surnames
    CustomerFactory(first_name="Dan", last_name="Walkden")
    content = names_in(follow_name_search(coach_client, "harrison"))
    order = [content.index(str(c.public_id)) for c in (exact[1], exact[0], double)]
    assert order == sorted(order)  # the surname itself, by first name, then names with it
    assert str(typo.public_id) in content
    assert "Walkden" not in content


def test_a_first_name_alone_finds_the_customers_with_it(coach_client):
    callums = [CustomerFactory(first_name="Callum", last_name=n) for n in ("Reid", "Ahmed")]
    CustomerFactory(first_name="Priya", last_name="Shah")
    content = names_in(follow_name_search(coach_client, "Callum"))
    assert "2 customers found" in content
    assert content.index(str(callums[1].public_id)) < content.index(str(callums[0].public_id))


def test_a_common_surname_alone_stops_at_the_limit_and_says_so(coach_client):
    for n in range(SEARCH_LIMIT + 5):
        CustomerFactory(first_name=f"Al{chr(97 + n % 26)}{n}", last_name="Smith")
    content = names_in(follow_name_search(coach_client, "smith"))
    assert f"More than {SEARCH_LIMIT} customers found" in content


def test_a_surname_with_a_postcode_reads_the_customers_in_one_query(work_coach):
    """A surname and a postcode are one query narrowed by both, not a walk through every name
    like the surname (each walk step a query) looking for the few at that postcode."""
    wanted = CustomerFactory(first_name="Ann", last_name="Harrison", postcode="LS1 4AP")
    for n, surname in enumerate(("Harrison", "Harisson", "Harrisson", "Harrison-Khan", "Harris")):
        CustomerFactory(first_name=f"Bo{n}", last_name=surname, postcode="M1 1AA")
    with CaptureQueriesContext(connection) as queries:
        results = customer_search_by_name(
            name="harrison",
            postcode="LS1",
            audit=AuditContext.for_command(command="t", user=work_coach),
        )
    assert [r.customer.public_id for r in results.results] == [wanted.public_id]
    reads = [q["sql"] for q in queries if 'FROM "customers_customer"' in q["sql"]]
    assert len(reads) == 1, reads
