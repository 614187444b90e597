"""The worker comparison drops and remakes its database between worker counts: it waits for the
stopped workers' sessions to end first, since its owner role may not end them itself."""

import os
import threading
import time

import psycopg
import pytest

from benchmarks.dataset import server_dsn
from benchmarks.scaling import _sessions_wait


@pytest.fixture
def scratch_database():
    name = f"dwpportal_test_sessions_{os.getpid()}"
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_wait_ends_when_the_last_session_on_the_database_closes(scratch_database):
    session = psycopg.connect(server_dsn(scratch_database))
    threading.Timer(0.5, session.close).start()
    started = time.monotonic()
    _sessions_wait(scratch_database, timeout=20)
    assert session.closed
    assert 0.4 < time.monotonic() - started < 20


def test_a_session_that_stays_is_named_when_the_wait_gives_up(scratch_database):
    with (
        psycopg.connect(server_dsn(scratch_database)),
        pytest.raises(RuntimeError, match="still has sessions after 1 s"),
    ):
        _sessions_wait(scratch_database, timeout=1)
    _sessions_wait(scratch_database, timeout=5)  # closed: nothing to wait for
