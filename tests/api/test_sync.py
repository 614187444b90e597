"""Legacy sync endpoints (read only): team leaders and admins see runs; only admins the
quarantine, whose payloads stay in Django admin."""

import pytest

from audit.models import AccessEvent
from benefits.models import QuarantinedRecord, SyncRun
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined(db):
    run = SyncRun.objects.create(source="esa", status=SyncRun.Status.SUCCEEDED)
    return QuarantinedRecord.objects.create(
        source="esa",
        sync_run=run,
        position="line 7",
        record_key="ZX900001B",
        raw_payload="ZX900001B  SMITH ...",
        reason="Bad date of birth",
    )


@pytest.mark.parametrize(
    ("role", "runs", "quarantine"),
    [("work_coach", 403, 403), ("acssl", 403, 403), ("team_leader", 200, 403), ("admin", 200, 200)],
)
def test_who_sees_the_sync(token_client, quarantined, role, runs, quarantine):
    caller = token_client(role)
    assert caller.get("/api/v1/sync/runs").status_code == runs
    assert caller.get("/api/v1/sync/sources").status_code == runs
    assert caller.get("/api/v1/sync/quarantine").status_code == quarantine


def test_runs_and_sources(token_client, quarantined):
    admin = token_client("admin")
    runs = admin.get("/api/v1/sync/runs").json()
    assert runs["count"] == 1
    assert runs["results"][0]["source"] == "esa"
    sources = {s["source"]: s for s in admin.get("/api/v1/sync/sources").json()}
    assert sources["esa"]["open_quarantine"] == 1
    assert sources["uc"]["last_run"] is None


def test_quarantine_lists_open_records_without_their_payload(token_client, quarantined):
    admin = token_client("admin")
    body = admin.get("/api/v1/sync/quarantine").json()
    assert [r["reason"] for r in body["results"]] == ["Bad date of birth"]
    assert "ZX900001B" not in str(body)
    assert admin.get("/api/v1/sync/quarantine", {"source": "uc"}).json()["count"] == 0
    assert admin.get("/api/v1/sync/quarantine", {"source": "nope"}).status_code == 400


def test_reading_the_quarantine_is_audited(token_client, quarantined):
    admin = token_client("admin")
    assert admin.get("/api/v1/sync/quarantine", {"source": "esa"}).json()["count"] == 1
    event = AccessEvent.objects.get(what="quarantined records")
    assert (event.action, event.channel, event.username, event.detail) == (
        "api_read",
        "api",
        "api-admin",
        {"read": "view_fragment", "search": False, "filters": ["source", "status"]},
    )


def test_a_restricted_customers_reason_is_shown_without_its_values(token_client, quarantined):
    CustomerFactory(nino="ZX900001B", restricted=True)
    QuarantinedRecord.objects.filter(pk=quarantined.pk).update(
        reason="birth date is not a YYYYMMDD date: '19610230'"
    )
    body = token_client("admin").get("/api/v1/sync/quarantine").json()
    assert [r["reason"] for r in body["results"]] == ["birth date is not a YYYYMMDD date: (hidden)"]
