"""Fixtures for the sync tests: the simulated legacy systems, small pages, a real worker."""

import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from audit.context import AuditContext, Channel
from benefits.models import SyncRun
from benefits.sources import SOURCES
from benefits.sync.services import sync_page_process, sync_start
from legacy_mocks.server import MockServer, start_in_thread
from tests.conftest import CeleryWorker, celery_worker_for_test

# The sync as beat's task starts it, for the system.
SYSTEM = AuditContext.for_task(task_name="tests")
# reconcile_legacy as an operator runs it.
OPERATOR = AuditContext.for_command(command="reconcile_legacy")


def as_admin(user: User) -> AuditContext:
    """An admin resolving quarantine in Django admin."""
    return AuditContext(user=user, channel=Channel.ADMIN, request_id="test")


CUSTOMERS = 600
# Small pages and short timeouts so the whole set runs in well under the time budget.
FAST_SYNC = {
    "SYNC_PAGE_SIZE": "60",
    "LEGACY_HTTP_TIMEOUT": "1.0",
    "LEGACY_HTTP_ATTEMPTS": "20",
    "LEGACY_HTTP_BACKOFF": "0.01",
    "SYNC_LOCK_TTL": "3",
    "SYNC_STALL_SECONDS": "4",
}


@dataclass
class Legacy:
    server: MockServer
    url: str

    def post(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload or {}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def advance(self, days: int) -> dict[str, int]:
        return self.post(f"/_control/advance?days={days}")["changed"]

    def faults(self, spec: str, *, hang_seconds: float = 2.0, retry_after: int = 1) -> None:
        self.post(
            "/_control/faults",
            {"spec": spec, "hang_seconds": hang_seconds, "retry_after": retry_after},
        )

    def get(self, path: str, *, fault: str = "") -> bytes:
        headers = {"X-Mock-Fault": fault} if fault else {}
        request = urllib.request.Request(self.url + path, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()

    def truth(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.get("/_truth/customers").splitlines()]


@pytest.fixture(scope="session")
def legacy_server() -> Iterator[tuple[MockServer, str]]:
    server, url = start_in_thread(
        port=0, customers=CUSTOMERS, seed="sync-tests", pip_batch_size=120, hang_seconds=2
    )
    yield server, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def legacy(legacy_server, settings, monkeypatch) -> Legacy:
    """The simulated systems at day 0 with no faults; the portal (and any worker) pointed at it."""
    server, url = legacy_server
    server.reset()
    settings.LEGACY_BASE_URL = url
    monkeypatch.setenv("LEGACY_BASE_URL", url)
    for name, value in FAST_SYNC.items():
        setattr(settings, name, float(value) if "." in value else int(value))
        monkeypatch.setenv(name, value)
    return Legacy(server, url)


@pytest.fixture
def sync_worker(legacy, shared_celery_worker, transactional_db) -> Iterator[CeleryWorker]:
    """The session's real Celery worker process, (re)started if it is not running with the
    mocks' URL and the fast settings."""
    yield from celery_worker_for_test(
        shared_celery_worker, {"LEGACY_BASE_URL": legacy.url, **FAST_SYNC}
    )


def sync_inline(source: str, *, full: bool = False) -> SyncRun:
    """Run one source's sync to the end in this process (the same service the tasks call)."""
    run = sync_start(source=source, audit=SYSTEM, full=full)
    page = run.pages + 1
    while True:
        outcome = sync_page_process(run_id=run.pk, page=page)
        run.refresh_from_db()
        if run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
            return run
        assert outcome == "page done", outcome
        page += 1


def sync_all_inline(*, full: bool = False) -> dict[str, SyncRun]:
    return {source: sync_inline(source, full=full) for source in SOURCES}


def wait_for_runs(run_ids: list[int], timeout: float = 90) -> list[SyncRun]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(SyncRun.objects.filter(pk__in=run_ids).order_by("pk"))
        if all(r.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED) for r in runs):
            return runs
        time.sleep(0.3)
    raise AssertionError(
        "runs did not finish: "
        + ", ".join(f"#{r.pk} {r.source} {r.status} p{r.pages}" for r in runs)
    )


def worker_log_tail(worker: CeleryWorker) -> str:
    from tests.conftest import ROOT

    path = ROOT / "var" / f"test-worker-{os.getpid()}.log"
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""
