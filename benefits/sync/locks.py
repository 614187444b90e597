"""One sync per source at a time: a Redis lock with a TTL, renewed by a heartbeat while working.

If the holder dies (SIGKILL, lost machine) nobody renews the lock and it expires after
SYNC_LOCK_TTL seconds, so the redelivered page can go ahead. The database is the real fence: a
page commits only if the run's page count is still the one it started from (row lock).
"""

import contextlib
import os
import socket
import threading
import uuid
from types import TracebackType

import redis
from django.conf import settings
from redis.exceptions import LockError

_client: redis.Redis | None = None


def redis_client() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


def lock_key(source: str) -> str:
    return f"dwpportal:sync-lock:{source}"


def lock_ttl() -> float:
    return float(settings.SYNC_LOCK_TTL)


def source_lock_holder(source: str) -> str | None:
    """Who holds the source's lock ("run=… page=… pid=… host=…"), or None."""
    value = redis_client().get(lock_key(source))
    if isinstance(value, bytes):
        value = value.decode()
    return value or None


class SourceBusy(Exception):
    """Another worker holds the source's lock."""


class SourceLock:
    """Acquire without waiting; a daemon thread renews the TTL until released."""

    def __init__(self, source: str, *, run_id: int, page: int):
        self.source = source
        self.token = (
            f"run={run_id} page={page} pid={os.getpid()} host={socket.gethostname()} "
            f"id={uuid.uuid4().hex[:8]}"
        )
        self.lock = redis_client().lock(lock_key(source), timeout=lock_ttl(), thread_local=False)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False

    def __enter__(self) -> "SourceLock":
        if not self.lock.acquire(blocking=False, token=self.token):
            raise SourceBusy(f"{self.source} is being synced by {source_lock_holder(self.source)}")
        self._thread = threading.Thread(target=self._renew, daemon=True, name="sync-lock-renew")
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(lock_ttl() / 3):
            try:
                self.lock.extend(lock_ttl(), replace_ttl=True)
            except LockError:
                self.lost = True
                return

    def release(self) -> None:
        """Idempotent: called on commit (before the next page is queued) and on the way out."""
        self._stop.set()
        with contextlib.suppress(LockError):
            self.lock.release()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
