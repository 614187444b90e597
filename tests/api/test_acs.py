"""ACS endpoints: for ACSSLs and team leaders only; the case page's selectors, services and
access events."""

import datetime as dt

import pytest
from django.utils import timezone

from acs.models import AcsCase, CaseAction, CaseEvent, CaseNote, LearningTheme, VisitRequest
from audit.models import AccessEvent
from tests.api.conftest import REASON
from tests.factories import AcsCaseFactory, ClosedCaseFactory, CustomerFactory, OpenCaseFactory

pytestmark = pytest.mark.django_db


def case_url(case) -> str:
    return f"/api/v1/acs/cases/{case.public_id}"


@pytest.mark.parametrize("role", ["work_coach", "admin"])
def test_only_case_workers_read_cases(token_client, role):
    case = OpenCaseFactory()
    caller = token_client(role)
    for url in ("/api/v1/acs/cases/mine", "/api/v1/acs/cases/triage", case_url(case)):
        assert caller.get(url).status_code == 403, url
    assert caller.post(f"{case_url(case)}/notes", {"text": "Hello"}).status_code == 403
    assert not CaseNote.objects.exists()


def test_triage_queue_is_paginated_and_audited(token_client):
    AcsCaseFactory.create_batch(3)
    body = token_client("acssl").get("/api/v1/acs/cases/triage", {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
    event = AccessEvent.objects.get(what="acs triage")
    assert event.action == AccessEvent.Action.API_READ
    assert event.detail == {"cases": 3, "read": "view_fragment"}
    assert token_client("acssl").get("/api/v1/acs/cases/triage", {"page": 9}).status_code == 404


def test_take_a_case_then_note_and_action(token_client):
    case = AcsCaseFactory()
    acssl = token_client("acssl")
    taken = acssl.post(f"{case_url(case)}/take")
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == AcsCase.Status.OPEN
    assert taken.json()["owner"]
    note = acssl.post(f"{case_url(case)}/notes", {"text": "Called the customer."})
    assert note.status_code == 201
    correction = acssl.post(
        f"{case_url(case)}/notes", {"text": "Called at 10:00.", "corrects": note.json()["id"]}
    )
    assert correction.status_code == 201
    assert correction.json()["corrects"] == note.json()["id"]
    due = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    action = acssl.post(f"{case_url(case)}/actions", {"description": "Home visit", "due_on": due})
    assert action.status_code == 201, action.content
    assert CaseAction.objects.get().owner == acssl.user
    detail = acssl.get(case_url(case)).json()
    assert [n["text"] for n in detail["notes"]] == ["Called the customer.", "Called at 10:00."]
    assert len(detail["actions"]) == 1
    changes = AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE, customer=case.customer)
    assert sorted(changes.values_list("what", flat=True)) == [
        "acs case action",
        "acs case note",
        "acs case note",
        "acs case take",
    ]
    # Two reads of the whole case: the answer to the take, and the GET.
    reads = AccessEvent.objects.filter(what="acs case")
    assert reads.count() == 2
    for read in reads:
        assert read.action == AccessEvent.Action.API_READ
        assert read.detail["read"] == AccessEvent.Action.VIEW_CUSTOMER


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("notes", {"text": ""}, "text"),
        ("notes", {"text": "x", "corrects": 999999}, "corrects"),
        ("actions", {"description": "Visit", "due_on": "2000-01-01"}, "due_on"),
        ("actions", {"description": "Visit", "due_on": "2999-01-01", "owner": "nobody"}, "owner"),
        ("actions", {"description": "Visit"}, "due_on"),
    ],
)
def test_refused_case_writes_write_nothing(token_client, path, body, field):
    case = OpenCaseFactory()
    response = token_client("team_leader").post(f"{case_url(case)}/{path}", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not CaseNote.objects.exists()
    assert not CaseAction.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE).exists()


def test_an_action_on_a_referred_case_is_refused(token_client):
    case = AcsCaseFactory()
    response = token_client("acssl").post(
        f"{case_url(case)}/actions", {"description": "Visit", "due_on": "2999-01-01"}
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_my_cases(token_client):
    acssl = token_client("acssl")
    OpenCaseFactory(owner=acssl.user)
    OpenCaseFactory()
    body = acssl.get("/api/v1/acs/cases/mine").json()
    assert len(body["cases"]) == 1
    assert AccessEvent.objects.get(what="acs my cases").detail == {
        "cases": 1,
        "read": "view_fragment",
    }


def test_a_restricted_customers_case_needs_a_reason_as_the_case_page_does(token_client):
    case = OpenCaseFactory(customer=CustomerFactory(restricted=True))
    referred = AcsCaseFactory(customer=CustomerFactory(restricted=True))
    acssl = token_client("acssl")

    missing = acssl.get(case_url(case))
    assert missing.status_code == 403
    assert missing.json()["type"].endswith("/access-reason-required")
    assert acssl.get(case_url(case), **{"X-Access-Reason": "because"}).status_code == 400
    # Taking a case answers with the whole case: refused before anything changes.
    assert acssl.post(f"{case_url(referred)}/take").status_code == 403
    referred.refresh_from_db()
    assert referred.owner_id is None
    assert not AccessEvent.objects.filter(what__startswith="acs case").exists()

    assert acssl.get(case_url(case), **{"X-Access-Reason": REASON}).status_code == 200
    read = AccessEvent.objects.get(what="acs case")
    assert read.reason == REASON
    taken = acssl.post(f"{case_url(referred)}/take", **{"X-Access-Reason": REASON})
    assert taken.status_code == 200
    assert AccessEvent.objects.get(what="acs case take").reason == REASON
    # A note or an action changes the case: the same reason, asked first.
    missing = acssl.post(f"{case_url(case)}/notes", {"text": "Rang the customer."})
    assert missing.json()["type"].endswith("/access-reason-required")
    assert not CaseNote.objects.exists()
    noted = acssl.post(
        f"{case_url(case)}/notes", {"text": "Rang the customer."}, **{"X-Access-Reason": REASON}
    )
    assert noted.status_code == 201
    assert AccessEvent.objects.get(what="acs case note").reason == REASON


# --- Home visits, escalations, learning and figures ----------------------------------------


def test_a_visit_is_requested_moved_on_and_unassigned_through_the_api(token_client):
    acssl = token_client("acssl")
    leader = token_client("team_leader")
    case = OpenCaseFactory(owner=acssl.user)
    made = acssl.post(f"{case_url(case)}/visits", {"reason": "No phone; neighbours worried"})
    assert made.status_code == 201, made.content
    visit = made.json()
    assert (visit["status"], visit["owner"], visit["requested_by"]) == (
        "requested",
        None,
        acssl.user.get_full_name(),
    )
    url = f"{case_url(case)}/visits/{visit['id']}"
    on = (timezone.localdate() + dt.timedelta(days=3)).isoformat()

    def patch(caller, body, **headers):
        return caller.client.patch(
            url, body, content_type="application/json", headers={**caller.headers, **headers}
        )

    accepted = patch(acssl, {"status": "accepted", "scheduled_on": on, "owner": "api-team_leader"})
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["owner_username"]) == (
        "accepted",
        "api-team_leader",
    )
    kept = patch(leader, {"outcome": ""})  # nothing said of the owner: kept
    assert kept.json()["owner_username"] == "api-team_leader"
    nobody = patch(leader, {"owner": None})
    assert nobody.status_code == 200
    assert (nobody.json()["owner"], nobody.json()["status"]) == (None, "accepted")
    assert VisitRequest.objects.get().owner is None
    event = CaseEvent.objects.filter(kind="visit_updated").last()
    assert event.detail["owner"] == {"from": leader.user.pk, "to": None}
    assert event.actor == leader.user

    refused = patch(acssl, {"status": "done"})
    assert refused.status_code == 400
    assert "outcome" in refused.json()["errors"]
    assert patch(acssl, {"owner": "nobody-here"}).json()["errors"]["owner"]
    other = OpenCaseFactory(owner=acssl.user)
    assert (
        acssl.client.patch(
            f"{case_url(other)}/visits/{visit['id']}",
            {"status": "declined", "outcome": "x"},
            content_type="application/json",
            headers=acssl.headers,
        ).status_code
        == 404
    )
    changes = AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE, what="acs case visit")
    assert changes.count() == 4  # requested, accepted, kept, unassigned
    assert set(changes.values_list("channel", flat=True)) == {"api"}


def test_an_escalation_through_the_api_and_on_the_case(token_client):
    acssl = token_client("acssl")
    case = OpenCaseFactory(owner=acssl.user)
    made = acssl.post(f"{case_url(case)}/escalations", {"route": "scp", "reason": "Harm"})
    assert made.status_code == 201, made.content
    assert made.json()["route_label"] == "Serious Case Panel"
    assert acssl.post(f"{case_url(case)}/escalations", {"route": "x", "reason": "y"}).json()[
        "errors"
    ]["route"]
    done = acssl.client.patch(
        f"{case_url(case)}/escalations/{made.json()['id']}",
        {"status": "done", "outcome": "Guidance changed"},
        content_type="application/json",
        headers=acssl.headers,
    )
    assert done.status_code == 200
    detail = acssl.get(case_url(case)).json()
    assert [e["status"] for e in detail["escalations"]] == ["done"]
    assert detail["escalations"][0]["outcome"] == "Guidance changed"
    assert detail["visits"] == []


def test_the_case_shows_what_was_learned_at_closure(token_client):
    acssl = token_client("acssl")
    case = ClosedCaseFactory(
        owner=acssl.user,
        learning="Ask about carers sooner.",
        closure_left_open=[
            {"item": "visit_1", "label": "Home visit", "reason": "Visiting Service will call"}
        ],
    )
    case.learning_themes.set(LearningTheme.objects.filter(code="timeliness"))
    learning = acssl.get(case_url(case)).json()["learning"]
    assert learning["text"] == "Ask about carers sooner."
    assert [t["code"] for t in learning["themes"]] == ["timeliness"]
    assert learning["left_open"][0]["reason"] == "Visiting Service will call"


def test_visits_and_escalations_need_a_reason_for_a_restricted_customer(token_client):
    acssl = token_client("acssl")
    case = OpenCaseFactory(owner=acssl.user, customer=CustomerFactory(restricted=True))
    missing = acssl.post(f"{case_url(case)}/visits", {"reason": "Visit"})
    assert missing.status_code == 403
    assert missing.json()["type"].endswith("/access-reason-required")
    assert not VisitRequest.objects.exists()
    made = acssl.post(
        f"{case_url(case)}/visits", {"reason": "Visit"}, **{"X-Access-Reason": REASON}
    )
    assert made.status_code == 201
    assert AccessEvent.objects.get(what="acs case visit").reason == REASON


def test_the_coordinators_lists_are_paged_and_hide_names_from_the_uncleared(token_client):
    from django.contrib.auth.models import Permission

    from tests.api.conftest import TokenClient
    from tests.factories import ColleagueFactory

    acssl = token_client("acssl")
    restricted = OpenCaseFactory(owner=acssl.user, customer=CustomerFactory(restricted=True))
    ordinary = OpenCaseFactory(owner=acssl.user)
    for case in (restricted, ordinary, ordinary):
        VisitRequest.objects.create(case=case, reason="Visit", requested_by=acssl.user)
    VisitRequest.objects.create(
        case=ordinary, reason="Old", requested_by=acssl.user, status="declined"
    )
    body = acssl.get("/api/v1/acs/visits", {"page_size": 2}).json()
    assert (body["count"], len(body["results"]), bool(body["next"])) == (3, 2, True)
    assert acssl.get("/api/v1/acs/visits", {"show": "all"}).json()["count"] == 4
    names = {
        v["case"]["customer"]["full_name"]
        for v in acssl.get("/api/v1/acs/visits").json()["results"]
    }
    assert restricted.customer.full_name in names  # an ACSSL is cleared
    read = AccessEvent.objects.filter(what="acs visits list").first()
    assert (read.action, read.detail) == (
        AccessEvent.Action.API_READ,
        {"items": 3, "all": False, "read": "view_fragment"},
    )
    assert acssl.get("/api/v1/acs/escalations").json()["count"] == 0

    # A colleague who works cases but is not cleared for restricted records sees no name.
    uncleared = ColleagueFactory(username="uncleared")
    uncleared.user_permissions.add(Permission.objects.get(codename="manage_acs_case"))
    listed = TokenClient(uncleared).get("/api/v1/acs/visits").json()["results"]
    names = {v["case"]["customer"]["full_name"] for v in listed}
    assert restricted.customer.full_name not in names
    assert "Restricted record" in names


def test_figures_through_the_api_are_an_export_with_small_counts_suppressed(token_client):
    for day in range(5):
        OpenCaseFactory(referred_at=dt.datetime(2026, 1, 5 + day, 10, tzinfo=dt.UTC))
    OpenCaseFactory(referred_at=dt.datetime(2026, 2, 5, 10, tzinfo=dt.UTC))
    leader = token_client("team_leader")
    response = leader.get(
        "/api/v1/acs/figures", {"date_from": "2026-01-01", "date_to": "2026-02-28"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["date_from"], body["date_to"], body["suppress_below"]) == (
        "2026-01-01",
        "2026-02-28",
        5,
    )
    month = next(t for t in body["tables"] if t["slug"] == "month")
    assert month["columns"] == ["Month", "Referred", "Opened", "Closed"]
    assert month["rows"] == [["2026-01", 5, 5, 0], ["2026-02", "[c]", "[c]", 0]]
    timeliness = next(t for t in body["tables"] if t["slug"] == "timeliness")
    assert timeliness["rows"][0][4] == "working hours"
    event = AccessEvent.objects.get(what="acs figures export")
    assert (event.action, event.channel) == (AccessEvent.Action.EXPORT, "api")

    bad = leader.get("/api/v1/acs/figures", {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["non_field_errors"]
    assert leader.get("/api/v1/acs/figures", {"date_to": "9999-12-31"}).status_code == 400
    assert token_client("work_coach").get("/api/v1/acs/figures").status_code == 403
