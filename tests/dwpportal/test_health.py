"""/healthz reports each part and answers 503 naming what failed."""

import pytest
from django.urls import reverse

from dwpportal import health

pytestmark = pytest.mark.django_db


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")  # shares the session's Celery worker
def test_healthy_with_database_redis_and_a_real_worker(client, celery_worker):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "celery": "ok"}


@pytest.mark.xdist_group("celery-worker")  # where the session's worker may be running: stop it
def test_no_worker_running_gives_503_naming_celery(client, shared_celery_worker):
    if shared_celery_worker.running():
        shared_celery_worker.stop()  # the next worker test starts it again
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["celery"].startswith("error")


def test_unreachable_redis_gives_503_naming_redis(client, settings, monkeypatch):
    # A closed port on loopback: a real connection failure, not a mock.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setitem(health.CHECKS, "celery", lambda: None)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error: ConnectionError"
