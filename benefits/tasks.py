"""Celery tasks for the legacy sync: thin — take ids, call a service (benefits.sync.services)."""

import random

from celery import Task, shared_task
from django.conf import settings

from benefits.sources.base import SourceUnavailable
from benefits.sync.locks import SourceBusy
from benefits.sync.services import (
    PageRetry,
    sync_page_process,
    sync_run_fail,
    sync_schedules_dispatch,
)


@shared_task(name="benefits.sync_page", bind=True, max_retries=None)
def sync_page(self: Task, run_id: int, page: int, source: str = "") -> str:
    """Process one page of a run; the service queues the next page when this one commits.

    `source` only routes the task to its source's queue (benefits.sync.queues)."""
    try:
        return sync_page_process(run_id=run_id, page=page)
    except SourceBusy as error:
        # Another worker is on this source (or a dead one's lock has not expired yet).
        if self.request.retries >= settings.SYNC_BUSY_RETRIES:
            sync_run_fail(run_id=run_id, error=str(error))
            return "failed"
        raise self.retry(countdown=1 + random.random()) from error
    except (SourceUnavailable, PageRetry) as error:
        attempts = settings.SYNC_PAGE_RETRIES
        if self.request.retries >= attempts:
            sync_run_fail(run_id=run_id, error=f"page {page}: {error}")
            return "failed"
        cap = settings.SYNC_PAGE_RETRY_CAP
        raise self.retry(
            countdown=random.uniform(0, min(cap, 2 ** (self.request.retries + 1)))
        ) from error
    except Exception as error:
        sync_run_fail(run_id=run_id, error=f"page {page}: {type(error).__name__}: {error}")
        raise


@shared_task(name="benefits.sync_dispatch")
def sync_dispatch() -> int:
    """Run by beat every minute: start the syncs due per SyncSchedule (ADR 0002)."""
    return len(sync_schedules_dispatch())
