"""/metrics: Prometheus text for the local network or a scraper's token, never a session."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from benefits.models import QuarantinedRecord, SourceWatermark, SyncRun
from core.partitioning import partitioned_tables, partitions_coverage
from dwpportal.celery import app
from tests.factories.customers import PaymentFactory

pytestmark = pytest.mark.django_db
ELSEWHERE = "203.0.113.9"  # not on METRICS_NETWORKS
TOKEN = "scraper-token-for-tests-only-0123456789abcdef"


def metric(body: str, name: str, **labels: str) -> float:
    label_text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # as exposed
    pattern = (
        re.escape(name) + (r"\{" + re.escape(label_text) + r"\}" if labels else "") + " (\\S+)"
    )
    found = re.search("^" + pattern + "$", body, re.MULTILINE)
    assert found, f"{name} {labels} not in the metrics"
    return float(found.group(1))


def test_the_local_network_reads_the_metrics(client):
    response = client.get(reverse("metrics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    for name in (
        "dwpportal_quarantine_open",
        "dwpportal_celery_queue_depth",
        "dwpportal_replica_available",
        "dwpportal_audit_events_total",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in body


@pytest.mark.parametrize("role_fixture", ["work_coach", "admin_user"])
def test_a_colleagues_session_from_elsewhere_cannot_read_the_metrics(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(reverse("metrics"), REMOTE_ADDR=ELSEWHERE)
    assert response.status_code == 403
    assert b"dwpportal_" not in response.content


def test_the_scrapers_token_is_needed_from_elsewhere(client, settings):
    settings.METRICS_BEARER_TOKEN = TOKEN
    url = reverse("metrics")
    assert client.get(url, REMOTE_ADDR=ELSEWHERE).status_code == 403
    wrong = client.get(url, REMOTE_ADDR=ELSEWHERE, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 403
    right = client.get(url, REMOTE_ADDR=ELSEWHERE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert right.status_code == 200
    # A forged X-Forwarded-For is not believed without trusted proxies.
    forged = client.get(url, REMOTE_ADDR=ELSEWHERE, HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forged.status_code == 403


def test_no_token_configured_means_no_token_is_accepted(client, settings):
    settings.METRICS_BEARER_TOKEN = ""
    response = client.get(reverse("metrics"), REMOTE_ADDR=ELSEWHERE, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


def test_request_latency_is_recorded_by_view_name(client, work_coach):
    client.force_login(work_coach)
    client.get(reverse("home"))
    body = client.get(reverse("metrics")).content.decode()
    count = metric(
        body, "dwpportal_request_duration_seconds_count", view="home", method="GET", status="2xx"
    )
    assert count >= 1
    assert "/customers/" not in body  # views by name, never paths


def test_sync_lag_quarantine_and_audit_figures(client, admin_user):
    SourceWatermark.objects.update_or_create(
        source="uc", defaults={"last_success_at": timezone.now() - dt.timedelta(hours=1)}
    )
    run = SyncRun.objects.create(source="pip")
    for n in range(3):
        QuarantinedRecord.objects.create(
            source="pip", sync_run=run, position=str(n), raw_payload="x", reason="bad"
        )
    event = AccessEvent.objects.create(user=admin_user, action=AccessEvent.Action.VIEW_CUSTOMER)
    body = client.get(reverse("metrics")).content.decode()
    assert 3600 <= metric(body, "dwpportal_sync_lag_seconds", source="uc") < 3700
    assert metric(body, "dwpportal_quarantine_open", source="pip") == 3
    assert metric(body, "dwpportal_quarantine_open", source="uc") == 0
    assert metric(body, "dwpportal_sync_running", source="pip") == 1
    assert metric(body, "dwpportal_audit_events_total") >= event.pk
    assert metric(body, "dwpportal_replica_in_use") == 0  # replica reads are off in tests


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
def test_queue_depth_counts_the_tasks_waiting_per_queue(client, shared_celery_worker):
    shared_celery_worker.stop()  # it would take the tasks; the next worker test restarts it
    app.control.purge()
    try:
        for _ in range(2):
            app.send_task("benefits.sync_page", args=(0, 1), kwargs={"source": "uc"})
        app.send_task("benefits.sync_dispatch")
        body = client.get(reverse("metrics")).content.decode()
        assert metric(body, "dwpportal_celery_queue_depth", queue="uc") == 2
        assert metric(body, "dwpportal_celery_queue_depth", queue="default") == 1
        assert metric(body, "dwpportal_celery_queue_depth", queue="pip") == 0
    finally:
        app.control.purge()


def _made_ahead_until(interval: str, today: dt.date) -> dt.date:
    """Where `partitions ensure` stops: the partition holding the month PARTITION_AHEAD_MONTHS
    on is the last, so its end is the first month (or year) after that month."""
    index = today.year * 12 + today.month - 1 + django_settings.PARTITION_AHEAD_MONTHS
    year, month = divmod(index + 1, 12)
    return dt.date(year, month + 1, 1) if interval == "month" else dt.date(index // 12 + 1, 1, 1)


def test_partition_gauges_show_rows_outside_every_range_and_how_far_ahead(client):
    call_command("partitions", "ensure", stdout=io.StringIO())  # as the daily job does
    now = timezone.now()
    # Rows no partition holds go to the DEFAULT: a payment dated before the retention horizon,
    # an access event dated past the partitions made ahead (written as the owner: the suite's
    # role).
    PaymentFactory(payment_date=dt.date(1990, 4, 1))
    PaymentFactory(payment_date=dt.date(1990, 5, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent (occurred_at, username, action, channel, what, "
            "detail, reason, request_id) VALUES (%s, 'x', 'search', '', 'later', '{}', '', '')",
            [now + dt.timedelta(days=3 * 366)],
        )
    body = client.get(reverse("metrics")).content.decode()

    tables = dict(partitioned_tables())
    assert len(tables) == 13
    rows = {t: metric(body, "dwpportal_partition_default_rows", table=t) for t in tables}
    assert rows.pop("benefits_payment") == 2
    assert rows.pop("audit_accessevent") == 1
    assert set(rows.values()) == {0}
    for table, how in tables.items():
        until = _made_ahead_until(how.interval, now.astimezone(dt.UTC).date())
        expected = (dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC) - now).total_seconds()
        ahead = metric(body, "dwpportal_partition_made_ahead_seconds", table=table)
        assert expected - 600 < ahead <= expected, table  # read a moment after `now`

    # The count stops at its bound, however many rows the DEFAULT caught.
    with connection.cursor() as cursor:
        bounded = {c.table: c.default_rows for c in partitions_coverage(cursor, at_most=1)}
    assert bounded["benefits_payment"] == 1
    # The portal's own role reads the DEFAULT partitions (the rest are catalog reads).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' "
            "AND NOT has_table_privilege(%s, c.oid, 'SELECT')",
            [django_settings.DATABASE_APP_ROLE],
        )
        assert cursor.fetchall() == []
