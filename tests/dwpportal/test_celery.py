"""Celery: configuration that keeps tasks safe, and a real round trip through Redis and a worker."""

import pytest

from dwpportal.celery import app
from dwpportal.tasks import ping


def test_celery_configuration_makes_tasks_safe_to_redeliver():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_broker_is_the_real_redis_not_memory():
    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager


@pytest.mark.worker
def test_task_round_trip_through_a_real_worker(celery_worker):
    assert ping.delay("hello").get(timeout=30) == "hello"
