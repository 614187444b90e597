"""Project-level tasks: a round-trip probe used by `make run`, /healthz and the tests."""

from celery import shared_task


@shared_task(name="dwpportal.ping")
def ping(value: str = "pong") -> str:
    """Echo a value, proving a worker took the task from the broker and answered."""
    return value
