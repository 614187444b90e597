"""ACS endpoints: for ACSSLs and team leaders only; the case page's selectors, services and
access events."""

import datetime as dt

import pytest
from django.utils import timezone

from acs.models import AcsCase, CaseAction, CaseNote
from audit.models import AccessEvent
from tests.api.conftest import REASON
from tests.factories import AcsCaseFactory, CustomerFactory, OpenCaseFactory

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
