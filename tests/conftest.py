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
from tests import database_reset
from tests.factories import ColleagueFactory
from tests.oidc_provider import OidcProvider

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# A transactional test ends by emptying the database as Django's flush would, but faster.
database_reset.install()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """The test database, with the reference data the migrations seed put back.

    A reused database (--reuse-db) keeps what the last session left, and a transactional test's
    teardown empties every table, so seeded rows (roles, need types, ACS reference data, sync
    schedules) can be missing. The seeding migrations' RunPython steps are idempotent
    (get_or_create), so they run again here, then post_migrate as after every migrate. Then the
    run-tests.sh stamp records that the databases match these migrations.
    """
    from django.core.management.sql import emit_post_migrate_signal
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    with django_db_blocker.unblock():
        loader = MigrationLoader(connection)
        ours = {path.name for path in ROOT.iterdir() if (path / "migrations").is_dir()}
        plan: list[tuple[str, str]] = []
        for leaf in loader.graph.leaf_nodes():
            plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
        with connection.schema_editor(atomic=True) as editor:
            for key in plan:
                operations = loader.graph.nodes[key].operations
                if key[0] not in ours or not any(isinstance(o, RunPython) for o in operations):
                    continue
                # The models as each step saw them: the migration's earlier operations applied
                # (a migration may create a model and then seed it).
                state = loader.project_state(key, at_end=False)
                for operation in operations:
                    if isinstance(operation, RunPython):
                        operation.code(state.apps, editor)
                    else:
                        operation.state_forwards(key[0], state)
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    stamp, value = os.environ.get("TEST_DB_STAMP", ""), os.environ.get("TEST_DB_STAMP_VALUE", "")
    if stamp and value:
        (ROOT / stamp).write_text(value + "\n")


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

    def __init__(self, name: str = "", queues: tuple[str, ...] = ()) -> None:
        """`name` tells several workers of one session apart; `queues` are its -Q (all if none)."""
        self.process: subprocess.Popen[bytes] | None = None
        self.hostname = f"test-worker-{os.getpid()}{name}@localhost"
        self.log_path = ROOT / "var" / f"test-worker-{os.getpid()}{name}.log"
        self.queues = queues
        self.extra_env: dict[str, str] = {}

    def start(self, concurrency: int = 2, extra_env: dict[str, str] | None = None) -> None:
        from dwpportal.celery import app

        self.extra_env = dict(extra_env or {})
        log = open(self.log_path, "ab")  # noqa: SIM115
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
                *(["--queues", ",".join(self.queues)] if self.queues else []),
            ],
            cwd=ROOT,
            env={**_worker_env(), **self.extra_env},
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

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def busy(self) -> bool:
        """Is the worker running a task or holding one it has received?"""
        from dwpportal.celery import app

        inspect = app.control.inspect(destination=[self.hostname], timeout=1.0)
        held = [inspect.active() or {}, inspect.reserved() or {}]
        return any(tasks for replies in held for tasks in replies.values())

    def ensure(self, extra_env: dict[str, str] | None = None) -> None:
        """Start the worker unless it already runs (with this environment, when one is given):
        a test may have killed it, or the previous test needed other settings."""
        if self.running() and (extra_env is None or extra_env == self.extra_env):
            return
        self.stop()
        self.start(extra_env=extra_env)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def shared_celery_worker(django_db_setup, django_db_blocker) -> Iterator[CeleryWorker]:
    """One worker process for the whole session, started by the first test that needs it (the
    `worker` tests are in one xdist_group, so they run on one xdist worker) and stopped
    before the test database goes."""
    worker = CeleryWorker()
    try:
        yield worker
    finally:
        worker.stop()


def celery_worker_for_test(
    worker: CeleryWorker, extra_env: dict[str, str] | None = None
) -> Iterator[CeleryWorker]:
    """The shared worker, running (restarted if needed) with an empty queue before and after."""
    from dwpportal.celery import app

    app.control.purge()
    worker.ensure(extra_env)
    try:
        yield worker
    finally:
        app.control.purge()
        if worker.running() and worker.busy():
            # Work left from a failed test would go on into the next one (and hold rows the
            # database flush waits for): stop it; the next test starts a fresh worker.
            worker.stop()


@pytest.fixture
def celery_worker(shared_celery_worker, transactional_db) -> Iterator[CeleryWorker]:
    """A real worker for one test: it sees committed data only, so the test is transactional."""
    yield from celery_worker_for_test(shared_celery_worker)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """A real OpenID Connect provider process on a free loopback port for the whole session; the
    portal's OIDC settings point at it while it runs (tests/oidc_provider.py)."""
    from django.test import override_settings

    provider = OidcProvider()
    provider.start()
    try:
        with override_settings(**provider.settings()):
            yield provider
    finally:
        provider.stop()


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
