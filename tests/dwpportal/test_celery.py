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
@pytest.mark.xdist_group("celery-worker")  # shares the session's Celery worker
def test_task_round_trip_through_a_real_worker(celery_worker):
    assert ping.delay("hello").get(timeout=30) == "hello"


def test_results_are_json_too_and_no_task_can_outlive_the_visibility_timeout():
    assert app.conf.result_serializer == "json"
    app.loader.import_default_modules()  # every app's tasks, as the worker loads them
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"dwpportal.ping", "benefits.sync_page", "benefits.sync_dispatch"} <= set(ours)
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in ours.items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert hard, name
        assert hard < visibility, name  # else Redis hands a running task to a second worker
        assert soft, name
        assert soft < hard, name
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name


def test_beat_runs_the_sync_dispatcher_every_minute():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["legacy-sync-dispatch"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60
