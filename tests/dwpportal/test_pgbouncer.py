"""PgBouncer in transaction mode (scripts/dev.sh pgbouncer): the portal's settings work through it.

A separate process with PGBOUNCER=1 reaches this test's database through the real PgBouncer and
does what the web does: a colleague's search and customer page (sessions, audit, the search's
transaction-local settings) and a long iterator (server-side cursors are off).
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from accounts import roles
from tests.conftest import ROOT
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = r"""
import json
import django

django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AccessEvent
from customers.models import Customer

client = Client()
client.force_login(User.objects.get(username="pooled-coach"))
search = client.post(
    reverse("customers:search"),
    {"query": "Pooledson", "dob_day": "", "dob_month": "", "dob_year": "", "postcode": ""},
    follow=True,
)
customer = Customer.objects.get(last_name="Pooledson")
page = client.get(reverse("customers:detail", args=[customer.public_id]))
with connection.cursor() as cursor:
    cursor.execute("SELECT inet_server_port(), current_setting('application_name')")
    server_port = cursor.fetchone()[0]
print(json.dumps({
    "port": settings.DATABASES["default"]["PORT"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "no_server_cursors": settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
    "server_port": server_port,
    "search": search.status_code,
    "search_found": "Pooledson" in search.content.decode(),
    "page": page.status_code,
    "iterated": sum(1 for _ in Customer.objects.order_by("pk").iterator(chunk_size=3)),
    "audited": AccessEvent.objects.filter(customer=customer).count(),
}))
"""


def _local_env(name: str) -> str:
    for line in (ROOT / "var" / "local.env").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    return ""


def _pgbouncer_running() -> bool:
    port = _local_env("PGBOUNCER_PORT") if (ROOT / "var" / "local.env").exists() else ""
    if not port:
        return False
    ready = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", port], check=False, timeout=30
    )
    return ready.returncode == 0


@pytest.fixture(scope="session")
def pgbouncer_url() -> Iterator[str]:
    """PgBouncer for this session. One the test started is stopped afterwards: left running, it
    keeps idle server connections to this session's test database, and the next run's
    --create-db could not drop that database. One already running (`make run PGBOUNCER=1`) is
    left alone."""
    was_running = _pgbouncer_running()
    dev = str(ROOT / "scripts" / "dev.sh")
    subprocess.run([dev, "pgbouncer"], check=True, timeout=300)
    yield _local_env("PGBOUNCER_DATABASE_URL")
    if not was_running:
        subprocess.run([dev, "pgbouncer-stop"], check=True, timeout=60)


def test_the_web_works_through_pgbouncer_in_transaction_mode(pgbouncer_url):
    from django.conf import settings
    from django.db import connection

    ColleagueFactory(username="pooled-coach", role=roles.WORK_COACH)
    for n in range(7):
        CustomerFactory(first_name=f"Pat{n}", last_name="Pooledson" if n == 0 else "Other")
    database = connection.settings_dict["NAME"]
    url = pgbouncer_url.rsplit("/", 1)[0] + f"/{database}"
    test_redis = settings.REDIS_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dwpportal.settings.base",
        "PGBOUNCER": "1",
        "PGBOUNCER_DATABASE_URL": url,
        "REDIS_URL": test_redis,
        "CELERY_BROKER_URL": test_redis,
        "CELERY_RESULT_BACKEND": test_redis,
        "REPLICA_READS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    bouncer_port = int(url.rsplit(":", 1)[1].split("/")[0])
    assert int(seen["port"]) == bouncer_port
    assert seen["server_port"] != bouncer_port  # PostgreSQL itself answered, behind PgBouncer
    assert seen["conn_max_age"] == 0
    assert seen["no_server_cursors"] is True
    assert seen["search"] == 200
    assert seen["search_found"]
    assert seen["page"] == 200
    assert seen["iterated"] == 7
    assert seen["audited"] >= 1
