"""The sync ops page, its htmx progress fragment, starting a sync, and the quarantine admin."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts import roles
from benefits.models import QuarantinedRecord, SourceWatermark, SyncRun
from tests.factories import ColleagueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def leader_client(client, team_leader):
    client.force_login(team_leader)
    return client


def test_ops_page_shows_each_source_last_run_freshness_and_quarantine(admin_client):
    run = SyncRun.objects.create(
        source="uc", status="succeeded", fetched=10, created=7, updated=1, unchanged=1,
        quarantined=1,
    )  # fmt: skip
    from django.utils import timezone

    SourceWatermark.objects.create(source="uc", position="42", last_success_at=timezone.now())
    QuarantinedRecord.objects.create(
        source="uc", sync_run=run, position="cursor 0 item 3", record_key="ZX000003D",
        raw_payload="{}", reason="unknown conditionality regime code 'UNKNOWN'",
    )  # fmt: skip
    response = admin_client.get(reverse("benefits:ops"))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Universal Credit service", "PIPCS", "JSAPS", "PSCS"):
        assert label in html
    assert "Succeeded" in html
    assert "7 new, 1 updated, 1 unchanged, 1 quarantined" in html
    assert "Not yet synced" in html  # the other three
    assert "status__exact=open" in html  # quarantine count links to the admin list
    assert "Start sync" in html
    assert "hx-trigger" not in html  # nothing running: no polling


def test_progress_fragment_polls_while_a_run_is_active(leader_client):
    SyncRun.objects.create(
        source="sp", status="running", pages=3, fetched=300, created=300, progress_done=300,
        progress_total=1200,
    )  # fmt: skip
    page = leader_client.get(reverse("benefits:ops")).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "Start sync" not in page  # team leaders watch; admins start
    fragment = leader_client.get(reverse("benefits:ops-progress"), HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="sync-status"')
    assert "<html" not in html
    assert '<progress id="progress-sp"' in html
    assert 'value="25"' in html
    assert "Sync #" in html


def poll(client, html: str) -> tuple[str, str]:
    """Poll as the page in `html` would (its hx-get, carrying what it last showed); the answer's
    markup and what it gives the live region to announce ("" for nothing)."""
    url = re.search(r'hx-get="([^"]+)" hx-trigger="every 2s"', html)
    assert url, html
    answer = client.get(unescape(url.group(1)), HTTP_HX_REQUEST="true").content.decode()
    said = re.findall(r'<p hidden data-announce="sync-progress-status">([^<]*)</p>', answer)
    assert len(said) <= 1
    return answer, unescape(said[0]) if said else ""


def test_progress_poll_announces_only_what_changed(leader_client):
    uc = SyncRun.objects.create(
        source="uc", status="running", progress_done=100, progress_total=400
    )
    esa = SyncRun.objects.create(source="esa", status="queued")
    page = leader_client.get(reverse("benefits:ops")).content.decode()
    # One live region, outside the polled table (which htmx replaces), empty on a page load.
    assert (
        page.count('<p id="sync-progress-status" class="govuk-visually-hidden" role="status"') == 1
    )
    assert page.index('id="sync-progress-status"') < page.index('<div id="sync-status"')
    assert "data-announce" not in page

    answer, said = poll(leader_client, page)
    assert said == ""  # nothing changed: a poll says nothing
    assert 'id="sync-progress-status"' not in answer  # the region is never redrawn

    SyncRun.objects.filter(pk=uc.pk).update(progress_done=200)  # 50%: another quarter
    SyncRun.objects.filter(pk=esa.pk).update(status="running")  # no total known
    answer, said = poll(leader_client, answer)
    assert said == "UC sync: 50% done. ESA sync started."
    SyncRun.objects.filter(pk=uc.pk).update(progress_done=250)  # 62%: the same quarter
    answer, said = poll(leader_client, answer)
    assert said == ""

    SyncRun.objects.filter(pk=uc.pk).update(status="succeeded")
    SyncRun.objects.filter(pk=esa.pk).update(
        status="failed", error="JSAPS refused the connection.\nTraceback (most recent call last)"
    )
    answer, said = poll(leader_client, answer)
    assert said == (
        "UC sync finished. ESA sync failed: JSAPS refused the connection. Traceback (most"
        " recent call last)."
    )
    assert "hx-trigger" not in answer  # nothing running: the polling stops


def test_a_new_run_and_a_malformed_seen_value_are_handled(leader_client):
    SyncRun.objects.create(source="pip", status="running", progress_done=9, progress_total=10)
    url = reverse("benefits:ops-progress")
    for seen in ("", "pip", "pip.x.1", "uc.1.q,,pip.99999999999999999999999.q", "💥" * 500):
        answer = leader_client.get(url, {"seen": seen}, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
    said = re.findall(r'data-announce="sync-progress-status">([^<]*)<', answer.content.decode())
    assert said == ["PIP sync: 90% done."]  # a run the page had not seen


def test_work_coaches_cannot_see_or_start_syncs(client, work_coach):
    client.force_login(work_coach)
    assert client.get(reverse("benefits:ops")).status_code == 403
    assert client.post(reverse("benefits:ops-start"), {"source": "uc"}).status_code == 403
    leader = ColleagueFactory(username="leader-x", role=roles.TEAM_LEADER)
    client.force_login(leader)
    assert client.post(reverse("benefits:ops-start"), {"source": "uc"}).status_code == 403
    assert not SyncRun.objects.exists()


def test_admin_starts_a_sync_with_a_post(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("benefits:ops-start"), {"source": "pip", "full": "1"})
    assert response.status_code == 302
    run = SyncRun.objects.get()
    assert (run.source, run.full, run.started_by, run.status) == ("pip", True, admin_user, "queued")
    assert len(callbacks) == 1  # the first page task, queued when the transaction commits
    # Asking again while it is queued does not start a second run.
    admin_client.post(reverse("benefits:ops-start"), {"source": "pip"})
    assert SyncRun.objects.count() == 1
    bad = admin_client.post(reverse("benefits:ops-start"), {"source": "nope"})
    assert bad.status_code == 302
    assert SyncRun.objects.count() == 1


def test_admin_replays_a_corrected_record_and_discards_another(admin_client, legacy):
    from benefits.sources import uc
    from tests.benefits.test_parsers import UC_CASES, _uc_mutate, uc_page

    page = uc.parse_changes(_uc_mutate(uc_page(legacy), UC_CASES["unknown_code"]), position="0")
    rejected = page.rejected[0]
    run = SyncRun.objects.create(source="uc", status="succeeded")
    record = QuarantinedRecord.objects.create(
        source="uc", sync_run=run, position=rejected.position, record_key=rejected.record_key,
        record_version=rejected.version, raw_payload=rejected.raw_payload, reason=rejected.reason,
    )  # fmt: skip
    url = reverse("admin:benefits_quarantinedrecord_change", args=[record.pk])
    html = admin_client.get(url).content.decode()
    assert "unknown conditionality regime" in html
    assert "Save correction and replay" in html
    corrected = rejected.raw_payload.replace('"UNKNOWN"', '"light_touch"')
    response = admin_client.post(
        url, {"corrected_payload": corrected, "resolution_note": "", "_replay": "1"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "replayed"
    from benefits.models import UniversalCreditAward

    award = UniversalCreditAward.objects.get(customer__nino=rejected.record_key)
    assert award.conditionality_regime == "light_touch"

    other = QuarantinedRecord.objects.create(
        source="uc", sync_run=run, position="x", record_key="ZX000009B", raw_payload="{bad",
        reason="not JSON",
    )  # fmt: skip
    url = reverse("admin:benefits_quarantinedrecord_change", args=[other.pk])
    admin_client.post(url, {"corrected_payload": "", "resolution_note": "", "_replay": "1"})
    other.refresh_from_db()
    assert other.status == "open"  # still not trustworthy: stays open
    admin_client.post(
        url, {"corrected_payload": "", "resolution_note": "Test data", "_discard": "1"}
    )
    other.refresh_from_db()
    assert other.status == "discarded"
    assert other.resolution_note == "Test data"


def test_admins_edit_sync_schedules_and_beats_dispatcher_follows_them(admin_client, team_leader):
    from datetime import timedelta

    from django.utils import timezone

    from benefits.models import SyncSchedule
    from benefits.sync.services import sync_schedules_dispatch

    schedule = SyncSchedule.objects.get(source="esa")  # one per source, seeded by a migration
    change = reverse("admin:benefits_syncschedule_change", args=[schedule.pk])
    response = admin_client.post(change, {"enabled": "on", "interval_minutes": "30"})
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule.refresh_from_db()
    assert (schedule.enabled, schedule.interval_minutes) == (True, 30)

    SyncSchedule.objects.exclude(source="esa").update(enabled=False)
    now = timezone.now()
    SyncSchedule.objects.filter(pk=schedule.pk).update(last_dispatched_at=now)
    assert sync_schedules_dispatch(now=now + timedelta(minutes=20)) == []  # not due at 30 min
    (run,) = sync_schedules_dispatch(now=now + timedelta(minutes=31))
    assert run.source == "esa"

    # Switched off by an admin: never dispatched.
    SyncRun.objects.all().delete()
    admin_client.post(change, {"interval_minutes": "30"})  # "enabled" unticked
    schedule.refresh_from_db()
    assert not schedule.enabled
    assert sync_schedules_dispatch(now=now + timedelta(days=1)) == []

    admin_client.force_login(team_leader)
    assert admin_client.post(change, {"enabled": "on", "interval_minutes": "1"}).status_code in (
        302,
        403,
    )
    schedule.refresh_from_db()
    assert schedule.interval_minutes == 30  # a team leader changes nothing


@pytest.mark.django_db(transaction=True)
def test_sync_schedules_come_back_after_a_flush_without_undoing_an_admins_edit():
    from django.core.management import call_command

    from benefits.models import SyncSchedule

    SyncSchedule.objects.filter(source="sp").update(interval_minutes=45)
    SyncSchedule.objects.filter(source="uc").delete()
    call_command("migrate", "benefits", verbosity=0)  # post_migrate, as after every migrate
    assert sorted(SyncSchedule.objects.values_list("source", flat=True)) == [
        "esa", "pip", "sp", "uc",
    ]  # fmt: skip
    assert SyncSchedule.objects.get(source="sp").interval_minutes == 45
    call_command("flush", interactive=False, verbosity=0)
    assert SyncSchedule.objects.count() == 4
