"""A Celery queue per legacy source: routing, and one sync shared by two workers per queue."""

import io
import json
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from audit.context import AuditContext
from benefits.models import SyncRun
from benefits.sync.locks import redis_client
from benefits.sync.queues import route_task
from benefits.sync.services import sync_start
from dwpportal.celery import app
from tests.benefits.conftest import FAST_SYNC
from tests.conftest import CeleryWorker

QUEUES = {"uc": "uc", "pip": "pip", "esa": "esa", "sp": "state_pension"}


def test_settings_declare_a_queue_per_source_and_a_default():
    names = {queue.name for queue in app.conf.task_queues}
    assert names == {"default", *QUEUES.values()}
    assert app.conf.task_default_queue == "default"


@pytest.mark.parametrize("source", sorted(QUEUES))
def test_a_sync_page_is_routed_to_its_sources_queue(source):
    assert route_task("benefits.sync_page", (1, 2), {"source": source}, {}) == {
        "queue": QUEUES[source]
    }
    # Through Celery's own router, as `delay` does.
    route = app.amqp.router.route({}, "benefits.sync_page", (1, 2), {"source": source})
    assert route["queue"].name == QUEUES[source]


def test_other_tasks_and_unlabelled_pages_go_to_the_default_queue():
    assert route_task("benefits.sync_dispatch", (), {}, {}) is None
    assert route_task("benefits.sync_page", (1, 2), {}, {}) is None
    for name, kwargs in (("benefits.sync_dispatch", {}), ("benefits.sync_page", {})):
        assert app.amqp.router.route({}, name, (1, 2), kwargs)["queue"].name == "default"


@pytest.mark.django_db
@pytest.mark.xdist_group("celery-worker")  # where the session's worker may be running: stop it
def test_starting_a_sync_puts_its_first_page_on_that_sources_queue(
    django_capture_on_commit_callbacks, shared_celery_worker
):
    shared_celery_worker.stop()  # it would take the page; the next worker test restarts it
    client = redis_client()
    app.control.purge()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = sync_start(source="sp", audit=AuditContext.for_task(task_name="tests"))
        assert client.llen("state_pension") == 1
        assert client.llen("default") == client.llen("uc") == 0
        message = json.loads(client.lindex("state_pension", 0))
        assert message["headers"]["task"] == "benefits.sync_page"
        assert message["headers"]["argsrepr"] == f"({run.pk}, 1)"
    finally:
        app.control.purge()


# Two workers on each queue: "a" takes UC and ESA (and the default queue), "b" PIP and SP.
GROUPS = {"a": ("default", "uc", "esa"), "b": ("pip", "state_pension")}


def _page_results() -> list[dict]:
    """Every sync page task's stored result (the test settings keep args, worker and queue)."""
    client = redis_client()
    results = []
    for key in client.scan_iter("celery-task-meta-*"):
        stored = client.get(key)
        assert stored is not None
        meta = json.loads(stored)
        if meta.get("name") == "benefits.sync_page":
            results.append(meta)
    return results


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_four_workers_two_per_queue_apply_every_page_once_and_reconcile_clean(
    legacy, shared_celery_worker
):
    app.control.purge()
    shared_celery_worker.stop()  # it consumes every queue; the next worker test restarts it
    client = redis_client()
    for key in client.scan_iter("celery-task-meta-*"):
        client.delete(key)
    workers = {
        f"{group}{n}": CeleryWorker(name=f"-{group}{n}", queues=queues)
        for group, queues in GROUPS.items()
        for n in (1, 2)
    }
    try:
        for worker in workers.values():
            worker.start(concurrency=1, extra_env={"LEGACY_BASE_URL": legacy.url, **FAST_SYNC})
        out = io.StringIO()
        call_command("sync_legacy", source="all", wait=True, timeout=240, stdout=out)
        runs = {run.source: run for run in SyncRun.objects.all()}
        assert sorted(runs) == sorted(QUEUES)
        holders = Counter(source for truth in legacy.truth() for source in truth["sources"])
        for source, run in runs.items():
            log = "".join(w.log_path.read_text(errors="replace")[-2000:] for w in workers.values())
            assert run.status == "succeeded", (run.error, log)
            # Every record created once: no page was applied twice, none was lost.
            assert (run.fetched, run.created, run.updated, run.unchanged) == (
                holders[source],
                holders[source],
                0,
                0,
            )

        pages_done: dict[tuple[int, int], list[str]] = defaultdict(list)
        worker_of_queue: dict[str, set[str]] = defaultdict(set)
        for meta in _page_results():
            run_id, page = meta["args"][:2]
            if meta["result"] in ("page done", "finished"):
                pages_done[(run_id, page)].append(meta["worker"])
            worker_of_queue[QUEUES[meta["kwargs"]["source"]]].add(meta["worker"].split("@")[0])
        for source, run in runs.items():
            applied = [pages_done[(run.pk, page)] for page in range(1, run.pages + 1)]
            assert all(len(by) == 1 for by in applied), (source, applied)
        # Each source's pages ran only on the two workers of its queue. (Which of the two takes
        # each page is the broker's choice: one may take them all, so that is not asserted.)
        for group, queues in GROUPS.items():
            mine = {workers[f"{group}{n}"].hostname.split("@")[0] for n in (1, 2)}
            for queue in QUEUES.values():
                if queue in queues:
                    assert worker_of_queue[queue] <= mine, (queue, worker_of_queue[queue])
        assert sum(run.pages >= 3 for run in runs.values()) >= 2, runs

        report = io.StringIO()
        try:
            call_command("reconcile_legacy", stdout=report)
        except CommandError as error:
            raise AssertionError(report.getvalue()) from error
        assert ": 0 differences," in report.getvalue(), report.getvalue()
    finally:
        for worker in workers.values():
            worker.stop()
        app.control.purge()
