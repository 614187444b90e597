"""The Celery app: Redis broker, JSON only, late acks so a killed worker's task is redone."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dwpportal.settings.base")

app = Celery("dwpportal")
app.config_from_object("django.conf:settings", namespace="CELERY")

# The longest task (a sync page) is bounded by the hard time limit; the broker's visibility
# timeout must be longer, or Redis would hand a still-running task to a second worker.
TASK_HARD_TIME_LIMIT = 15 * 60
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Our tasks are idempotent, so the safe failure is "run again", never "lost":
    # acknowledge after the task finishes, and requeue when the worker process dies.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=TASK_HARD_TIME_LIMIT - 60,
    task_time_limit=TASK_HARD_TIME_LIMIT,
    broker_transport_options={"visibility_timeout": TASK_HARD_TIME_LIMIT + 5 * 60},
    result_backend_transport_options={"visibility_timeout": TASK_HARD_TIME_LIMIT + 5 * 60},
    result_expires=24 * 60 * 60,
    broker_connection_retry_on_startup=True,
    timezone="Europe/London",
    enable_utc=True,
    worker_hijack_root_logger=False,
)
app.autodiscover_tasks()
app.autodiscover_tasks(["dwpportal"])

# One static beat entry: the dispatcher reads SyncSchedule and starts the syncs that are due
# (docs/adr/0002-sync-schedules-in-our-own-table.md).
app.conf.beat_schedule = {
    "legacy-sync-dispatch": {"task": "benefits.sync_dispatch", "schedule": 60.0},
}
