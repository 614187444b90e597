"""Customer endpoints: search, the record, the timeline and interactions, per role, with the
access audit the pages write and the restricted-record rule."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from customers.models import Interaction
from tests.api.conftest import PROBLEM, REASON
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/customers/search"


def record_url(customer) -> str:
    return f"/api/v1/customers/{customer.public_id}"


def events(**filters):
    return list(AccessEvent.objects.filter(**filters).order_by("pk"))


def api_reads(read: str, **filters):
    """Reads through the API are API_READ events, with the kind of read in detail["read"]."""
    return events(action=AccessEvent.Action.API_READ, detail__read=read, **filters)


# --- Search --------------------------------------------------------------------------------


def test_search_by_nino_finds_the_customer_and_audits_only_a_count(token_client, full_customer):
    coach = token_client("work_coach")
    response = coach.post(SEARCH, {"nino": full_customer.nino_display.lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "nino"
    assert body["count"] == 1
    assert body["results"][0]["customer"]["public_id"] == str(full_customer.public_id)
    (event,) = api_reads("search")
    assert event.username == "api-work_coach"
    assert event.detail == {"results": 1, "by": "nino", "read": "search"}
    assert full_customer.nino not in str(event.detail)


def test_search_by_name_with_typo_and_date_of_birth(token_client, full_customer):
    CustomerFactory(first_name="Ada", last_name="Lovelace", date_of_birth=dt.date(1950, 1, 1))
    response = token_client("work_coach").post(
        SEARCH,
        {"name": "Ada Lovelase", "date_of_birth": full_customer.date_of_birth.isoformat()},
    )
    assert response.status_code == 200
    ids = [r["customer"]["public_id"] for r in response.json()["results"]]
    assert ids == [str(full_customer.public_id)]
    (event,) = api_reads("search")
    assert event.detail["by"] == "name"
    assert "Lovelase" not in str(event.detail)


def test_search_by_postcode_alone_finds_the_customers_living_there_by_surname(token_client, client):
    """The search page's rule: a postcode (or its start, spaced or not) alone is a search."""
    patel = CustomerFactory(first_name="Ravi", last_name="Patel", postcode="LS1 4AP")
    ahmed = CustomerFactory(first_name="Sara", last_name="Ahmed", postcode="LS1 4BB")
    CustomerFactory(first_name="Ravi", last_name="Patel", postcode="M1 1AA")
    coach = token_client("work_coach")
    response = coach.post(SEARCH, {"postcode": "ls14"})
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "postcode"
    assert [r["customer"]["public_id"] for r in body["results"]] == [
        str(ahmed.public_id),
        str(patel.public_id),
    ]
    (event,) = api_reads("search")
    assert event.detail == {
        "results": 2,
        "by": "postcode",
        "date_of_birth": False,
        "postcode": True,
        "read": "search",
    }
    # The same colleague on the search page finds the same customers in the same order.
    client.force_login(coach.user)
    page = client.post(
        "/customers/",
        {"query": "", "dob_day": "", "dob_month": "", "dob_year": "", "postcode": "ls14"},
        follow=True,
    )
    shown = [row.customer.public_id for row in page.context["results_page"]]
    assert [str(public_id) for public_id in shown] == [
        r["customer"]["public_id"] for r in body["results"]
    ]


def test_search_by_postcode_and_date_of_birth_narrows_to_that_customer(token_client):
    wanted = CustomerFactory(postcode="LS1 4AP", date_of_birth=dt.date(1985, 3, 27))
    CustomerFactory(postcode="LS1 4AP", date_of_birth=dt.date(1990, 1, 1))
    response = token_client("work_coach").post(
        SEARCH, {"postcode": "LS1 4AP", "date_of_birth": "1985-03-27"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "postcode"
    assert [r["customer"]["public_id"] for r in body["results"]] == [str(wanted.public_id)]
    (event,) = api_reads("search")
    assert event.detail["date_of_birth"] is True


def test_search_hides_restricted_matches_from_colleagues_not_cleared(token_client):
    secret = CustomerFactory(first_name="Grace", last_name="Hopper", restricted=True)
    coach_body = token_client("work_coach").post(SEARCH, {"nino": secret.nino}).json()
    (result,) = coach_body["results"]
    assert result["hidden"] is True
    assert result["customer"] is None
    assert "restricted record matched" in result["notice"]
    assert "Hopper" not in str(coach_body)
    acssl_body = token_client("acssl").post(SEARCH, {"nino": secret.nino}).json()
    assert acssl_body["results"][0]["customer"]["last_name"] == "Hopper"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"postcode": "  "}, "non_field_errors"),
        ({"date_of_birth": "1985-03-27"}, "non_field_errors"),
        ({"nino": "ZX123456A", "name": "Ada"}, "non_field_errors"),
        ({"postcode": "L$1"}, "postcode"),
        ({"postcode": "LS1", "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"nino": "QQ123456C"}, "nino"),
        ({"nino": "Ada Lovelace"}, "nino"),
        ({"name": "A"}, "name"),
        ({"name": "Ada2"}, "name"),
        ({"name": "Ada", "postcode": "<b>"}, "postcode"),
        ({"name": "Ada", "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"name": "Ada", "date_of_birth": "not a date"}, "date_of_birth"),
        ({"name": ["Ada"]}, "name"),
    ],
)
def test_search_refuses_bad_input_with_field_errors(token_client, body, field):
    response = token_client("work_coach").post(SEARCH, body)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"]
    assert not api_reads("search")


def test_search_is_post_only_and_json_only(token_client):
    coach = token_client("work_coach")
    assert coach.get(SEARCH).status_code == 405
    form = coach.client.post(SEARCH, {"name": "Ada"}, headers=coach.headers)
    assert form.status_code == 415
    assert form["Content-Type"] == PROBLEM
    broken = coach.client.post(
        SEARCH, "{not json", content_type="application/json", headers=coach.headers
    )
    assert broken.status_code == 400


def test_admins_do_not_search_and_the_refusal_is_logged(token_client):
    response = token_client("admin").post(SEARCH, {"name": "Ada"})
    assert response.status_code == 403
    assert events(action=AccessEvent.Action.REFUSED, what="customer search")


# --- The record ----------------------------------------------------------------------------


def test_record_for_a_work_coach(token_client, full_customer):
    response = token_client("work_coach").get(record_url(full_customer))
    assert response.status_code == 200
    body = response.json()
    assert body["identity"]["nino"] == full_customer.nino
    assert [b["benefit"] for b in body["benefits"]] == ["uc", "pip"]
    assert body["awards"]["uc"]["claim_id"] == full_customer.uc_award.claim_id
    assert body["awards"]["esa"] is None
    assert body["payments"]["next_payment"]["status"] == "scheduled"
    assert len(body["payments"]["recent"]) == 1
    assert {d["field"] for d in body["differences"]} == {"Name"}
    assert {s["source"] for s in body["source_freshness"]} == {"uc", "pip", "esa", "sp"}
    needs = body["support_needs"]
    assert [n["need_type"]["code"] for n in needs["needs"]] == ["homelessness"]
    assert needs["restricted_hidden"] == 1
    assert "sensitive support need" in needs["restricted_notice"]
    assert "Partner controls" not in response.content.decode()
    assert body["acs_case"] is None
    (event,) = api_reads("view_customer")
    assert (event.what, event.customer_id) == ("customer page", full_customer.pk)


def test_record_for_an_acssl_shows_the_marker(token_client, full_customer):
    body = token_client("acssl").get(record_url(full_customer)).json()
    codes = {n["need_type"]["code"] for n in body["support_needs"]["needs"]}
    assert codes == {"homelessness", "risk-of-harm"}
    assert body["support_needs"]["restricted_notice"] is None


def test_record_shows_the_acs_case_summary(token_client, full_customer):
    from tests.factories import OpenCaseFactory

    case = OpenCaseFactory(customer=full_customer)
    coach = token_client("work_coach").get(record_url(full_customer)).json()["acs_case"]
    assert coach["reference"] == case.reference
    assert coach["public_id"] is None  # work coaches do not read cases
    acssl = token_client("acssl").get(record_url(full_customer)).json()["acs_case"]
    assert acssl["public_id"] == str(case.public_id)


def test_unknown_customer_is_404_problem(token_client):
    response = token_client("work_coach").get(f"/api/v1/customers/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_admins_do_not_open_records(token_client, full_customer):
    assert token_client("admin").get(record_url(full_customer)).status_code == 403
    assert not api_reads("view_customer")


def test_record_reads_a_fixed_number_of_queries(
    token_client, full_customer, django_assert_max_num_queries
):
    coach = token_client("work_coach")
    with django_assert_max_num_queries(30):
        assert coach.get(record_url(full_customer)).status_code == 200


# --- Restricted records --------------------------------------------------------------------


@pytest.fixture
def restricted_customer(db):
    return CustomerFactory(restricted=True)


def test_restricted_record_refused_to_a_work_coach_and_logged(token_client, restricted_customer):
    response = token_client("work_coach").get(
        record_url(restricted_customer), **{"X-Access-Reason": REASON}
    )
    assert response.status_code == 403
    (refusal,) = events(action=AccessEvent.Action.REFUSED)
    assert refusal.customer_id == restricted_customer.pk
    assert not api_reads("view_customer")


def test_restricted_record_needs_a_reason_from_a_cleared_colleague(
    token_client, restricted_customer
):
    acssl = token_client("acssl")
    missing = acssl.get(record_url(restricted_customer))
    assert missing.status_code == 403
    assert missing.json()["type"].endswith("/access-reason-required")
    short = acssl.get(record_url(restricted_customer), **{"X-Access-Reason": "because"})
    assert short.status_code == 400
    assert "X-Access-Reason" in short.json()["errors"]
    assert not api_reads("view_customer")
    given = acssl.get(record_url(restricted_customer), **{"X-Access-Reason": REASON})
    assert given.status_code == 200
    (view,) = api_reads("view_customer")
    assert view.reason == REASON


# --- Timeline ------------------------------------------------------------------------------


def test_timeline_filters_like_the_page(token_client, full_customer):
    coach = token_client("work_coach")
    url = f"{record_url(full_customer)}/timeline"
    everything = coach.get(url).json()
    assert {e["type"] for e in everything["results"]} >= {"benefit_event", "payment"}
    pip = coach.get(url, {"benefit": "pip"}).json()
    assert pip["results"]
    assert all(e["benefits"] == ["pip"] for e in pip["results"])
    payments = coach.get(url, {"type": "payment"}).json()
    assert {e["type"] for e in payments["results"]} == {"payment"}
    assert payments["page"] == 1
    assert payments["has_next"] is False
    (event, *_) = events(what="customer timeline")
    assert event.action == AccessEvent.Action.API_READ
    assert event.detail["read"] == AccessEvent.Action.VIEW_FRAGMENT


@pytest.mark.parametrize("query", [{"type": "nope"}, {"benefit": "jsa"}, {"page": "0"}])
def test_timeline_refuses_bad_filters(token_client, full_customer, query):
    response = token_client("work_coach").get(f"{record_url(full_customer)}/timeline", query)
    assert response.status_code == 400
    assert next(iter(query)) in response.json()["errors"]


def test_api_reads_are_told_apart_from_page_views_in_the_audit(
    token_client, client, work_coach, team_leader
):
    customer = CustomerFactory()
    assert token_client("work_coach").get(record_url(customer)).status_code == 200
    client.force_login(work_coach)
    client.get(reverse("customers:detail", kwargs={"public_id": customer.public_id}))

    (api,) = api_reads("view_customer", customer=customer)
    assert api.username == "api-work_coach"
    (page,) = events(action=AccessEvent.Action.VIEW_CUSTOMER, customer=customer)
    assert page.username == work_coach.username
    assert "read" not in page.detail
    # Team leaders see both kinds of look on the record's viewers page.
    client.force_login(team_leader)
    viewers = client.get(
        reverse("audit:customer-viewers", kwargs={"public_id": customer.public_id})
    ).content.decode()
    assert "Read through the API" in viewers
    assert "Opened a customer record" in viewers


# --- Interactions --------------------------------------------------------------------------


def test_record_and_list_an_interaction(token_client, full_customer):
    coach = token_client("work_coach")
    url = f"{record_url(full_customer)}/interactions"
    created = coach.post(
        url,
        {
            "channel": "phone",
            "benefits": ["uc"],
            "summary": "Asked about the next payment.",
            "follow_up_action": "Call back",
            "follow_up_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    interaction = Interaction.objects.get()
    assert interaction.recorded_by == coach.user
    assert events(action=AccessEvent.Action.CHANGE, what="record interaction")
    listed = coach.get(url).json()
    assert listed["count"] == 1
    assert listed["results"][0]["summary"] == "Asked about the next payment."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"summary": "x"}, "channel"),
        ({"channel": "pigeon", "summary": "x"}, "channel"),
        ({"channel": "phone", "summary": "   "}, "summary"),
        ({"channel": "phone", "summary": "x", "benefits": ["jsa"]}, "benefits"),
        ({"channel": "phone", "summary": "x", "follow_up_date": "2000-01-01"}, "follow_up_date"),
        ({"channel": "phone", "summary": "x", "follow_up_date": "2999-01-01"}, "follow_up_action"),
    ],
)
def test_a_refused_interaction_writes_nothing(token_client, full_customer, body, field):
    response = token_client("work_coach").post(f"{record_url(full_customer)}/interactions", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Interaction.objects.exists()
    assert not events(action=AccessEvent.Action.CHANGE, what="record interaction")


def test_text_that_is_not_unicode_is_a_400_not_a_500(token_client, full_customer):
    coach = token_client("work_coach")
    body = '{"name": "Ada \\ud800"}'
    response = coach.client.post(
        SEARCH, body, content_type="application/json", headers=coach.headers
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
