"""The read replica: a real streaming standby of the test cluster (scripts/dev.sh replica).

The replica's data is made visibly different from the primary's by pausing its replay and then
changing a customer on the primary: a page showing the old name was read from the replica, one
showing the new name from the primary.
"""

import subprocess
import time
from collections.abc import Iterator

import dj_database_url
import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction
from django.db.utils import InternalError, OperationalError
from django.urls import reverse

from core import replica as replica_module
from core.replica import (
    REPLICA_ALIAS,
    ReplicaRouter,
    colleague_wrote,
    colleague_wrote_recently,
    replica_status,
)
from customers.models import Customer
from tests.conftest import ROOT
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.xdist_group("replica"),  # one worker starts (and stops) the one replica
]


def _env_value(name: str) -> str:
    for line in (ROOT / "var" / "local.env").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    return ""


def _replica_answers() -> bool:
    url = _env_value("REPLICA_DATABASE_URL") if (ROOT / "var" / "local.env").exists() else ""
    if not url:
        return False
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture(scope="module")
def replica_server(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """The streaming replica, started (idempotently) by the script; its alias serves the test
    database the primary streams to it (settings: TEST MIRROR). A replica this module started
    is stopped after it, so it does not replay the rest of the suite's writes."""
    was_running = _replica_answers()
    subprocess.run([str(ROOT / "scripts" / "dev.sh"), "replica"], check=True, timeout=600)
    if REPLICA_ALIAS not in django_settings.DATABASES:
        # The replica was first made during this session, after the settings were read.
        config = dj_database_url.parse(_env_value("REPLICA_DATABASE_URL"))
        config["OPTIONS"] = {"connect_timeout": 2}
        config["TEST"] = {"MIRROR": "default"}
        django_settings.DATABASES[REPLICA_ALIAS] = config
        connections.configure_settings(django_settings.DATABASES)
        config["NAME"] = connections["default"].settings_dict["NAME"]
    try:
        # A replica just started takes a moment to connect to the primary and stream.
        deadline = time.monotonic() + 60
        with django_db_blocker.unblock():
            while not (status := replica_status(fresh=True)).available:
                assert time.monotonic() < deadline, f"the replica is not streaming: {status}"
                time.sleep(0.2)
        yield connections[REPLICA_ALIAS].settings_dict
    finally:
        connections[REPLICA_ALIAS].close()
        if not was_running:
            subprocess.run([str(ROOT / "scripts" / "dev.sh"), "replica-stop"], timeout=120)


@pytest.fixture
def replica(replica_server, settings) -> Iterator[dict]:
    settings.REPLICA_READS = True
    settings.REPLICA_CHECK_SECONDS = 0  # look at the replica before every read
    settings.REPLICA_MAX_LAG_SECONDS = 60
    yield replica_server
    connections[REPLICA_ALIAS].close()


def _superuser(replica: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=replica["HOST"], port=replica["PORT"], user="postgres", dbname="postgres",
        autocommit=True,
    )  # fmt: skip


def _wait_on_replica(customer: Customer, first_name: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = Customer.objects.using(REPLICA_ALIAS).filter(pk=customer.pk).first()
        if found is not None and found.first_name == first_name:
            return
        time.sleep(0.05)
    raise AssertionError(f"{first_name} did not reach the replica in {timeout} s")


def _diverged_customer(replica) -> Customer:
    """A customer called Ada on the replica and Grace on the primary."""
    customer = CustomerFactory(first_name="Ada", last_name="Replicaton")
    _wait_on_replica(customer, "Ada")
    return customer


# Whole names: a first name alone can also be the signed-in colleague's (a coach called Adam).
OLD_NAME, NEW_NAME = "Ada Replicaton", "Grace Replicaton"


def _name_on_page(client, customer) -> str:
    response = client.get(reverse("customers:detail", args=[customer.public_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert (OLD_NAME in text) != (NEW_NAME in text), "exactly one of the two names"
    return "Ada" if OLD_NAME in text else "Grace"


def test_the_replica_streams_the_test_database_and_refuses_writes(replica):
    customer = CustomerFactory(first_name="Streamed")
    _wait_on_replica(customer, "Streamed")
    with pytest.raises((InternalError, OperationalError)), connections[REPLICA_ALIAS].cursor() as c:
        c.execute("UPDATE customers_customer SET first_name = 'x'")
    status = replica_status(fresh=True)
    assert status.available, status
    assert status.usable, status
    assert 0 <= status.lag_seconds < 60


def test_customer_page_reads_from_the_replica_then_the_primary_after_the_colleagues_write(
    replica, coach_client, work_coach
):
    customer = _diverged_customer(replica)
    with _superuser(replica) as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        try:
            Customer.objects.filter(pk=customer.pk).update(first_name="Grace")
            assert _name_on_page(coach_client, customer) == "Ada"  # the replica
            # The colleague writes something (any unsafe request outside the read views) ...
            coach_client.post(
                reverse("customers:interaction-create", args=[customer.public_id]), {}
            )
            assert colleague_wrote_recently(work_coach.pk)
            # ... and from then on reads their own writes: the primary.
            assert _name_on_page(coach_client, customer) == "Grace"
        finally:
            admin.execute("SELECT pg_wal_replay_resume()")


def test_reads_fall_back_to_the_primary_when_the_replica_lags_past_the_limit(
    replica, coach_client, settings
):
    customer = _diverged_customer(replica)
    with _superuser(replica) as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        try:
            Customer.objects.filter(pk=customer.pk).update(first_name="Grace")
            assert _name_on_page(coach_client, customer) == "Ada"
            time.sleep(1.2)  # replay paused: the lag grows past a 1 s limit
            settings.REPLICA_MAX_LAG_SECONDS = 1
            status = replica_status(fresh=True)
            assert status.available, status
            assert status.lag_seconds > 1, status
            assert not status.usable, status
            assert _name_on_page(coach_client, customer) == "Grace"
        finally:
            admin.execute("SELECT pg_wal_replay_resume()")


def test_reads_fall_back_to_the_primary_when_the_replica_is_down(replica, coach_client):
    customer = _diverged_customer(replica)
    replica_connection = connections[REPLICA_ALIAS]
    port = replica_connection.settings_dict["PORT"]
    with _superuser(replica) as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        try:
            Customer.objects.filter(pk=customer.pk).update(first_name="Grace")
            assert _name_on_page(coach_client, customer) == "Ada"
            # A closed port: a real refused connection, as when the replica's host is down.
            replica_connection.close()
            replica_connection.settings_dict["PORT"] = 1
            status = replica_status(fresh=True)
            assert status.configured, status
            assert not status.available, status
            assert _name_on_page(coach_client, customer) == "Grace"
        finally:
            replica_connection.close()
            replica_connection.settings_dict["PORT"] = port
            admin.execute("SELECT pg_wal_replay_resume()")


SEARCH_FOR_REPLICATON = {
    "query": "Replicaton", "dob_day": "", "dob_month": "", "dob_year": "", "postcode": "",
}  # fmt: skip


def test_search_reads_from_the_replica(replica, coach_client):
    customer = _diverged_customer(replica)
    with _superuser(replica) as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        try:
            Customer.objects.filter(pk=customer.pk).update(first_name="Grace")
            # A search is a POST, but no write of the colleague's: both go to the replica.
            for _ in range(2):
                response = coach_client.post(
                    reverse("customers:search"), SEARCH_FOR_REPLICATON, follow=True
                )
                assert response.status_code == 200
                text = response.content.decode()
                assert OLD_NAME in text
                assert NEW_NAME not in text
        finally:
            admin.execute("SELECT pg_wal_replay_resume()")


def test_reads_inside_a_transaction_and_other_apps_stay_on_the_primary(replica):
    router = ReplicaRouter()
    token = replica_module._reads_from_replica.set(True)
    try:
        assert router.db_for_read(Customer) == REPLICA_ALIAS
        assert router.db_for_read(_user_model()) == "default"
        with transaction.atomic():
            assert router.db_for_read(Customer) == "default"
    finally:
        replica_module._reads_from_replica.reset(token)
    assert router.db_for_read(Customer) == "default"  # outside a read view
    assert router.db_for_write(Customer) == "default"


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def test_a_colleagues_write_is_remembered_for_the_read_your_writes_window(replica, settings):
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 1
    colleague_wrote(424242)
    assert colleague_wrote_recently(424242)
    time.sleep(1.2)
    assert not colleague_wrote_recently(424242)


def test_sync_page_and_health_check_show_the_replica_lag(replica, admin_user, client):
    client.force_login(admin_user)
    page = client.get(reverse("benefits:ops")).content.decode()
    assert "Read replica:</strong> lag" in page
    assert "in use" in page
    detail = client.get(reverse("healthz")).json()["detail"]["replica"]
    assert detail["available"]
    assert detail["in_use"]
    assert 0 <= detail["lag_seconds"] < 60
