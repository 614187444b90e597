"""/healthz: is the database, Redis and at least one Celery worker reachable?"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from core.replica import replica_status
from dwpportal.celery import app as celery_app

logger = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_celery_worker() -> None:
    replies = celery_app.control.ping(timeout=CHECK_TIMEOUT_SECONDS)
    if not replies:
        raise RuntimeError("no Celery worker answered a ping")


CHECKS = {"database": check_database, "redis": check_redis, "celery": check_celery_worker}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.warning("health check failed", extra={"ctx_check": name})
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    # The read replica is detail, not health: reads fall back to the primary without it.
    detail = {"replica": replica_status().as_dict()}
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results, "detail": detail},
        status=200 if healthy else 503,
    )
