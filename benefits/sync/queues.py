"""Which Celery queue a task goes to: each legacy source's pages on that source's own queue.

Workers are started per queue (`celery -A dwpportal worker -Q uc`), any number of them on any
host, so one slow or failing legacy system never holds up another's pages, and a source that
needs more throughput gets more workers. Everything else (beat's dispatcher, other apps' tasks)
goes to the default queue. A worker started without -Q consumes every queue (`make run`).
`settings.CELERY_TASK_ROUTES` names `route_task`; the queues are `settings.SYNC_QUEUES`.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings

SYNC_PAGE_TASK = "benefits.sync_page"


def queue_for_source(source: str) -> str:
    """The queue of `source`'s sync pages (settings.SYNC_QUEUES), or the default queue."""
    queues: Mapping[str, str] = settings.SYNC_QUEUES
    return queues.get(source, settings.CELERY_TASK_DEFAULT_QUEUE)


def route_task(
    name: str,
    args: Sequence[Any],
    kwargs: Mapping[str, Any] | None,
    options: Mapping[str, Any],
    task: Any = None,
    **extra: Any,
) -> dict[str, str] | None:
    """Celery router: a sync page (and its retries) to its source's queue; None = the default."""
    if name != SYNC_PAGE_TASK:
        return None
    source = (kwargs or {}).get("source", "")
    return {"queue": queue_for_source(source)} if source else None
