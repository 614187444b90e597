"""Support-needs endpoints: the panel as the role may see it, and record / review / end through
the panel's services (refusals write nothing)."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from support_needs.models import SupportNeed, SupportNeedChange
from tests.api.conftest import ordinary_need, restricted_marker
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return CustomerFactory()


def needs_url(customer) -> str:
    return f"/api/v1/customers/{customer.public_id}/support-needs"


def test_need_types_leave_out_restricted_markers_for_work_coaches(token_client):
    coach = {t["code"] for t in token_client("work_coach").get("/api/v1/support-need-types").json()}
    acssl = {t["code"] for t in token_client("acssl").get("/api/v1/support-need-types").json()}
    assert "homelessness" in coach
    assert "risk-of-harm" not in coach
    assert "risk-of-harm" in acssl
    assert token_client("admin").get("/api/v1/support-need-types").status_code == 403


def test_panel_hides_a_marker_but_says_whom_to_contact(token_client, full_customer):
    panel = token_client("work_coach").get(needs_url(full_customer)).json()
    assert [n["need_type"]["code"] for n in panel["needs"]] == ["homelessness"]
    assert panel["restricted_hidden"] == 1
    assert panel["restricted_notice"] == (
        "This customer has a sensitive support need that only cleared colleagues can see (the "
        "record itself is not restricted). Before any decision or contact, speak to your team's "
        "Advanced Customer Support Senior Leader (ACSSL) or team leader."
    )
    event = AccessEvent.objects.get(what="support needs panel")
    assert event.action == AccessEvent.Action.API_READ
    assert event.detail["read"] == AccessEvent.Action.VIEW_FRAGMENT


def test_record_a_need(token_client, customer):
    coach = token_client("work_coach")
    response = coach.post(
        needs_url(customer),
        {
            "need_type": "large-print",
            "format_detail": "18 point",
            "how_learned": "customer",
            "consent": "given",
        },
    )
    assert response.status_code == 201, response.content
    need = SupportNeed.objects.get(public_id=response.json()["public_id"])
    assert (need.recorded_by, need.format_detail) == (coach.user, "18 point")
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.CHANGE, what="support need recorded", customer=customer
    ).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"need_type": "large-print", "how_learned": "customer", "consent": "given"},
            "format_detail",
        ),
        ({"need_type": "risk-of-harm", "how_learned": "customer", "consent": "given"}, "need_type"),
        ({"need_type": "no-such-type", "how_learned": "customer", "consent": "given"}, "need_type"),
        ({"need_type": "homelessness", "how_learned": "uc", "consent": "given"}, "how_learned"),
        ({"need_type": "homelessness"}, "consent"),
    ],
)
def test_a_refused_need_writes_nothing(token_client, customer, body, field):
    response = token_client("work_coach").post(needs_url(customer), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SupportNeed.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE).exists()


def test_review_then_end_a_need(token_client, customer):
    coach = token_client("work_coach")
    need = ordinary_need(customer, coach.user)
    url = f"{needs_url(customer)}/{need.public_id}"
    next_review = timezone.localdate() + dt.timedelta(days=60)
    reviewed = coach.post(f"{url}/review", {"next_review": next_review.isoformat(), "note": "OK"})
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["review_due"] == next_review.isoformat()
    too_late = coach.post(f"{url}/review", {"next_review": "2999-01-01"})
    assert too_late.status_code == 400
    assert "next_review" in too_late.json()["errors"]
    assert coach.post(f"{url}/end", {}).status_code == 400
    ended = coach.post(f"{url}/end", {"reason": "Housed by the council."})
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"
    actions = list(need.changes.order_by("pk").values_list("action", flat=True))
    assert actions == [
        SupportNeedChange.Action.RECORDED,
        SupportNeedChange.Action.REVIEWED,
        SupportNeedChange.Action.ENDED,
    ]
    again = coach.post(f"{url}/end", {"reason": "Twice."})
    assert again.status_code == 400


def test_a_work_coach_cannot_touch_a_restricted_marker(token_client, customer):
    marker = restricted_marker(customer, ColleagueFactory(username="l2", role="Team leader"))
    url = f"{needs_url(customer)}/{marker.public_id}/end"
    response = token_client("work_coach").post(url, {"reason": "Not true."})
    assert response.status_code == 403
    marker.refresh_from_db()
    assert marker.status == SupportNeed.Status.ACTIVE
    assert token_client("acssl").post(url, {"reason": "Risk has passed."}).status_code == 200


def test_admins_and_strangers_are_refused(token_client, customer, client):
    assert token_client("admin").get(needs_url(customer)).status_code == 403
    assert client.get(needs_url(customer)).status_code == 401


def test_restricted_customer_needs_go_by_the_record_rule(token_client):
    secret = CustomerFactory(restricted=True)
    assert token_client("work_coach").get(needs_url(secret)).status_code == 403
    acssl = token_client("acssl")
    assert acssl.get(needs_url(secret)).status_code == 403  # no reason given
    reason = {"X-Access-Reason": "Safeguarding review today"}
    assert acssl.get(needs_url(secret), **reason).status_code == 200
