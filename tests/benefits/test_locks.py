"""One sync per source at a time: the Redis lock refuses a second holder and expires if its
holder dies (a real process, SIGKILLed), so the source is not blocked for ever."""

import os
import signal
import subprocess
import sys
import time

import pytest

from benefits.sync.locks import (
    SourceBusy,
    SourceLock,
    lock_key,
    redis_client,
    source_lock_holder,
)
from tests.conftest import ROOT

HOLD = """
import django, time
django.setup()
from benefits.sync.locks import SourceLock
lock = SourceLock("esa", run_id=41, page=7).__enter__()
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holder():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dwpportal.settings.test", "SYNC_LOCK_TTL": "2"}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait(timeout=10)
    if "run=41" in (source_lock_holder("esa") or ""):  # leave no lock for later tests
        redis_client().delete(lock_key("esa"))


def renewals_seen(source: str, wanted: int, timeout: float = 15.0) -> int:
    """Poll the lock's remaining lifetime until it has gone up `wanted` times (each rise is the
    holder renewing it) or the deadline passes; returns how many renewals were seen."""
    client, key = redis_client(), lock_key(source)
    seen, last = 0, client.pttl(key)
    deadline = time.monotonic() + timeout
    while seen < wanted and time.monotonic() < deadline:
        time.sleep(0.05)
        now = client.pttl(key)
        seen += now > last
        last = now
    return seen


def test_a_second_holder_is_refused_while_the_first_lives_and_renews(holder, settings):
    settings.SYNC_LOCK_TTL = 2
    # Three renewals, a third of the TTL apart: the living holder keeps its lock past the TTL.
    assert renewals_seen("esa", 3) == 3
    assert "run=41 page=7" in (source_lock_holder("esa") or "")
    with pytest.raises(SourceBusy, match="run=41 page=7"), SourceLock("esa", run_id=42, page=1):
        pass
    with SourceLock("sp", run_id=43, page=1):  # other sources are not blocked
        assert "run=43" in (source_lock_holder("sp") or "")
    assert source_lock_holder("sp") is None


def test_a_killed_holders_lock_expires_and_the_next_page_goes_ahead(holder, settings):
    settings.SYNC_LOCK_TTL = 2
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert source_lock_holder("esa")  # nobody released it
    deadline = time.monotonic() + 15
    while source_lock_holder("esa") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert source_lock_holder("esa") is None
    with SourceLock("esa", run_id=42, page=1):
        assert "run=42 page=1" in (source_lock_holder("esa") or "")
