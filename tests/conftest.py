"""Shared fixtures: colleagues per role, a real Celery worker, and the browser set-up."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from accounts import roles
from tests.factories import ColleagueFactory

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def work_coach(db):
    return ColleagueFactory(username="coach1", role=roles.WORK_COACH)


@pytest.fixture
def acssl(db):
    return ColleagueFactory(username="acssl1", role=roles.ACSSL)


@pytest.fixture
def team_leader(db):
    return ColleagueFactory(username="leader1", role=roles.TEAM_LEADER)


@pytest.fixture
def admin_user(db):
    return ColleagueFactory(username="admin1", role=roles.ADMIN)


@pytest.fixture
def coach_client(client, work_coach):
    client.force_login(work_coach)
    return client


def _worker_env() -> dict[str, str]:
    """The worker process must use the test database and the test Redis, like the tests."""
    from django.conf import settings

    env = dict(os.environ)
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"
    )
    env["DJANGO_SETTINGS_MODULE"] = "dwpportal.settings.test"
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["CELERY_RESULT_BACKEND"] = settings.CELERY_RESULT_BACKEND
    return env


class CeleryWorker:
    """A real `celery worker` process against the test Redis and test database."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.hostname = f"test-worker-{os.getpid()}@localhost"

    def start(self, concurrency: int = 2) -> None:
        from dwpportal.celery import app

        log = open(ROOT / "var" / f"test-worker-{os.getpid()}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dwpportal",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--hostname",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=_worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {self.process.returncode}")
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        raise RuntimeError("Celery worker did not answer within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[CeleryWorker]:
    """A worker for one test: it sees committed data only, so the test is transactional."""
    from dwpportal.celery import app

    app.control.purge()
    worker = CeleryWorker()
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


# Browser tests: the system Chromium (Playwright cannot download its own here).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
