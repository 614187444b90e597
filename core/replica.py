"""Reads from the PostgreSQL streaming replica: which, when, and when not (the one place).

`settings.DATABASE_ROUTERS` names `ReplicaRouter`; `ReplicaReadsMiddleware` decides per request.
A read goes to the replica only when ALL of these hold:
- a replica is configured (the `replica` database alias, from REPLICA_DATABASE_URL) and
  settings.REPLICA_READS is on;
- the request is one of `REPLICA_READ_VIEWS` (search and the customer page, in HTML and the API);
- the table belongs to one of `REPLICA_READ_APPS` (customer data: never sessions, colleagues,
  permissions, sign-in lockouts or the access audit);
- no transaction is open on the primary (a read inside a write stays with the write);
- the colleague has not written anything in the last REPLICA_READ_YOUR_WRITES_SECONDS
  (read-your-writes: any unsafe request outside the read views marks them, in the cache);
- the replica answers, is streaming from the primary and lags by at most
  REPLICA_MAX_LAG_SECONDS (checked at most every REPLICA_CHECK_SECONDS per process).
Otherwise the read goes to the primary. Every write goes to the primary.
"""

import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA_ALIAS = "replica"

# The views (URL names) whose reads may come from the replica: search and the customer page.
REPLICA_READ_VIEWS = frozenset(
    {
        "customers:search",
        "customers:search-results",
        "customers:detail",
        "customers:timeline",
        "customers:acs-status",
        "api:customer-search",
        "api:customer-record",
    }
)
# The apps whose tables those views may read from the replica.
REPLICA_READ_APPS = frozenset({"customers", "benefits", "support_needs", "acs"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_reads_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "reads_from_replica", default=False
)


@dataclass(frozen=True)
class ReplicaStatus:
    """What the last check of the replica found."""

    configured: bool
    available: bool
    lag_seconds: float | None
    problem: str
    checked_at: float

    @property
    def usable(self) -> bool:
        return (
            self.available
            and self.lag_seconds is not None
            and self.lag_seconds <= float(settings.REPLICA_MAX_LAG_SECONDS)
        )

    @property
    def summary(self) -> str:
        if not self.configured:
            return "not configured"
        if not self.available:
            return f"unavailable: {self.problem}"
        state = "in use" if self.usable else "too far behind: reads go to the primary"
        return f"lag {self.lag_seconds:.1f} s, {state}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "available": self.available,
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 3),
            "in_use": self.usable,
            "problem": self.problem,
        }


# Lag: 0 when the replica has replayed everything it received, else the age of the last replayed
# transaction. No WAL receiver process means it is not streaming (cut off from the primary):
# stale. (Its status column is hidden from roles without pg_read_all_stats; the row is not.)
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""

_lock = threading.Lock()
_last: ReplicaStatus | None = None


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def _check() -> ReplicaStatus:
    now = time.monotonic()
    if not replica_configured():
        return ReplicaStatus(False, False, None, "", now)
    connection = connections[REPLICA_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, streaming, lag = cursor.fetchone()
    except Exception as error:  # refused, timed out, forbidden in a test: not usable
        connection.close()
        return ReplicaStatus(True, False, None, type(error).__name__, now)
    if not in_recovery:  # pointed at a primary: its data is current
        return ReplicaStatus(True, True, 0.0, "", now)
    if not streaming:
        return ReplicaStatus(True, False, None, "not streaming from the primary", now)
    return ReplicaStatus(True, True, float(lag or 0), "", now)


def replica_status(*, fresh: bool = False) -> ReplicaStatus:
    """The replica's state, checked again when the last check is older than
    REPLICA_CHECK_SECONDS (or `fresh`)."""
    global _last
    with _lock:
        last = _last
        interval = float(settings.REPLICA_CHECK_SECONDS)
        if fresh or last is None or time.monotonic() - last.checked_at >= interval:
            last = _last = _check()
        return last


def _wrote_key(user_id: object) -> str:
    return f"replica:wrote:{user_id}"


def colleague_wrote_recently(user_id: object) -> bool:
    return cache.get(_wrote_key(user_id)) is not None


def colleague_wrote(user_id: object) -> None:
    """Read-your-writes: this colleague's reads go to the primary for a while."""
    cache.set(_wrote_key(user_id), time.time(), settings.REPLICA_READ_YOUR_WRITES_SECONDS)


def _user_id(request: HttpRequest) -> object | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class ReplicaReadsMiddleware:
    """Lets the read views' reads go to the replica; marks a colleague who writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads_from_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            _reads_from_replica.reset(token)
        match = getattr(request, "resolver_match", None)
        read_view = match is not None and match.view_name in REPLICA_READ_VIEWS
        user_id = _user_id(request)
        if request.method not in SAFE_METHODS and not read_view and user_id is not None:
            colleague_wrote(user_id)
        return response

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> None:
        match = request.resolver_match
        if not settings.REPLICA_READS or match is None:
            return
        if match.view_name not in REPLICA_READ_VIEWS or not replica_configured():
            return
        user_id = _user_id(request)
        if user_id is not None and colleague_wrote_recently(user_id):
            return
        _reads_from_replica.set(True)


class ReplicaRouter:
    """Django database router: see the module's docstring for when a read leaves the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        # Always an answer: otherwise Django would follow an instance read from the replica
        # (its related rows) back to the replica, even inside a write.
        if not _reads_from_replica.get() or model._meta.app_label not in REPLICA_READ_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not settings.REPLICA_READS or not replica_status().usable:
            return DEFAULT_DB_ALIAS
        return REPLICA_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA_ALIAS} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA_ALIAS else None
