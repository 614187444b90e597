"""The sync through a real Celery worker: the fault matrix, and workers killed mid-page."""

import io
import os
import re
import signal
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from benefits.models import SyncRun
from benefits.sync.locks import redis_client, source_lock_holder
from benefits.sync.selectors.reconcile import reconcile
from benefits.sync.services import sync_start
from benefits.tasks import sync_dispatch
from tests.benefits.conftest import OPERATOR, SYSTEM, wait_for_runs, worker_log_tail
from tests.conftest import CeleryWorker

# One xdist group for every `worker` test: they share one Celery worker process.
pytestmark = [
    pytest.mark.worker,
    pytest.mark.xdist_group("celery-worker"),
    pytest.mark.django_db(transaction=True),
]

FAULT_MATRIX = (
    "*:500=0.1,*:503=0.1,*:429=0.1,*:truncate=0.1,*:hang=0.05,*:duplicate=0.3,"
    "*:out_of_order=0.3,esa:trailer=0.3,*:malformed=0.03"
)


def holders(legacy, source):
    return sum(1 for t in legacy.truth() if source in t["sources"])


def test_fault_matrix_end_to_end_leaves_no_unexplained_difference(legacy, sync_worker):
    legacy.faults(FAULT_MATRIX, hang_seconds=2, retry_after=1)
    out = io.StringIO()
    call_command("sync_legacy", source="all", wait=True, timeout=150, stdout=out)
    assert re.search(r"uc #\d+ succeeded\s+100% pages \d+, fetched", out.getvalue())
    legacy.advance(45)  # changes, so out-of-order can serve a customer's older version
    call_command("sync_legacy", source="all", wait=True, timeout=150, stdout=out)
    runs = list(SyncRun.objects.all())
    assert len(runs) == 8
    for run in runs:
        assert run.status == "succeeded", (run, run.error, worker_log_tail(sync_worker))
        assert run.fetched == run.created + run.updated + run.unchanged + run.quarantined
    assert sum(run.quarantined for run in runs) > 0
    assert sum(run.unchanged for run in runs) > 0  # duplicates and stale copies were refused
    differences, compared = reconcile(audit=OPERATOR)
    assert compared > 400
    assert [str(d) for d in differences if not d.explained] == []
    call_command("reconcile_legacy", stdout=io.StringIO())


def _wait_for_holder(source, page, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = source_lock_holder(source)
        if holder and f"page={page} " in holder:
            return int(re.search(r"pid=(\d+)", holder).group(1))
        time.sleep(0.02)
    raise AssertionError(f"no worker started page {page} of {source}")


def _children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _assert_loaded_once(run, legacy, source):
    assert run.status == "succeeded", run.error
    wanted = holders(legacy, source)
    # Nothing lost (every record created) and nothing twice (no page counted again).
    assert (run.fetched, run.created, run.updated, run.unchanged) == (wanted, wanted, 0, 0)
    assert [d for d in reconcile(audit=OPERATOR)[0] if d.source == source] == []


def test_pool_process_killed_mid_page_is_redone_and_the_run_completes(legacy, sync_worker):
    legacy.faults(
        "uc:latency=700"
    )  # every UC page takes 0.7 s (under the 1 s timeout): time to kill it
    run = sync_start(source="uc", audit=SYSTEM)
    pid = _wait_for_holder("uc", page=2)
    assert pid != sync_worker.process.pid
    os.kill(pid, signal.SIGKILL)
    (run,) = wait_for_runs([run.pk], timeout=90)
    _assert_loaded_once(run, legacy, "uc")
    assert "WorkerLostError" in worker_log_tail(sync_worker)


def test_whole_worker_killed_then_restarted_resumes_and_completes(legacy, sync_worker):
    legacy.faults("sp:latency=700")
    run = sync_start(source="sp", audit=SYSTEM)
    _wait_for_holder("sp", page=2)
    main = sync_worker.process.pid
    for child in _children(main):
        os.kill(child, signal.SIGKILL)
    os.kill(main, signal.SIGKILL)
    sync_worker.process.wait()
    # The dead worker's message stays unacknowledged in Redis until the visibility timeout;
    # a new worker plus the beat dispatcher (which resumes stalled runs) finish the run.
    restarted = CeleryWorker()
    restarted.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status != "running" and run.status != "queued":
                break
            sync_dispatch.delay()  # what beat does every minute
            time.sleep(2)
        _assert_loaded_once(run, legacy, "sp")
    finally:
        restarted.stop()
        # Drop the dead worker's unacknowledged message so no later session gets it back.
        redis_client().delete("unacked", "unacked_index")
