"""Prometheus metrics on /metrics, for a scraper's credential or the local network only.

Request latency is measured in every web process by `RequestMetricsMiddleware`; under gunicorn
the processes share their samples through PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it).
Everything else is read when the scraper asks, from the database, Redis and the replica check:
sync lag and open quarantine per legacy source, Celery queue depth, replica lag, the access
audit's event counter, and per partitioned table the rows its DEFAULT partition caught and how
far ahead its partitions reach. The alert rules that go with them are in docs/scaling.md.
"""

import datetime as dt
import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from audit.models import AccessEvent
from benefits.sync.selectors import sync_sources_status
from core.partitioning import DEFAULT_ROWS_COUNTED, partitions_coverage
from core.replica import replica_status
from core.requests import client_address_of

REQUEST_SECONDS = Histogram(
    "dwpportal_request_duration_seconds",
    "Time to answer a request, by view (URL name), method and status class.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class RequestMetricsMiddleware:
    """Observes each request's duration under its URL name (never its path: no NINO, no id)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match else "unresolved"
        REQUEST_SECONDS.labels(
            view=view, method=request.method or "", status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response


class PortalCollector(Collector):
    """What the scraper reads at scrape time: a handful of small queries."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        now = timezone.now()
        lag = GaugeMetricFamily(
            "dwpportal_sync_lag_seconds",
            "Seconds since the source's last successful sync (absent: never synced).",
            labels=["source"],
        )
        quarantine = GaugeMetricFamily(
            "dwpportal_quarantine_open",
            "Records from the source waiting in quarantine for an admin.",
            labels=["source"],
        )
        running = GaugeMetricFamily(
            "dwpportal_sync_running", "1 while a sync of the source is queued or running.",
            labels=["source"],
        )  # fmt: skip
        for row in sync_sources_status():
            if row.last_success_at is not None:
                lag.add_metric([row.source], (now - row.last_success_at).total_seconds())
            quarantine.add_metric([row.source], row.open_quarantine)
            running.add_metric([row.source], 1 if row.active_run else 0)
        yield lag
        yield quarantine
        yield running

        depth = GaugeMetricFamily(
            "dwpportal_celery_queue_depth", "Tasks waiting in the Celery queue.", labels=["queue"]
        )
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
        try:
            for queue in settings.CELERY_TASK_QUEUES:
                depth.add_metric([queue.name], client.llen(queue.name))
        finally:
            client.close()
        yield depth

        status = replica_status()
        yield GaugeMetricFamily(
            "dwpportal_replica_available",
            "1 when the read replica answers and streams from the primary.",
            value=1 if status.available else 0,
        )
        yield GaugeMetricFamily(
            "dwpportal_replica_in_use", "1 when reads may go to the read replica.",
            value=1 if status.usable else 0,
        )  # fmt: skip
        if status.lag_seconds is not None:
            yield GaugeMetricFamily(
                "dwpportal_replica_lag_seconds", "How far the read replica is behind the primary.",
                value=status.lag_seconds,
            )  # fmt: skip

        last_event = AccessEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        yield CounterMetricFamily(
            "dwpportal_audit_events",
            "Access-audit events written (the audit's id sequence): rate() is the write rate.",
            value=last_event,
        )

        yield from partition_gauges(now)


def partition_gauges(now: dt.datetime) -> Iterator[GaugeMetricFamily]:
    """Rows the DEFAULT partitions caught and how far ahead partitions are made: both warn that
    `manage.py partitions ensure` is not running (docs/scaling.md)."""
    default_rows = GaugeMetricFamily(
        "dwpportal_partition_default_rows",
        f"Rows in the table's DEFAULT partition (outside every range; counted up to "
        f"{DEFAULT_ROWS_COUNTED}). Normally 0.",
        labels=["table"],
    )
    ahead = GaugeMetricFamily(
        "dwpportal_partition_made_ahead_seconds",
        "Seconds from now to the end of the table's furthest partition; rows dated after it go "
        "to the DEFAULT partition.",
        labels=["table"],
    )
    with connection.cursor() as cursor:
        coverage = partitions_coverage(cursor)
    for table in coverage:
        if table.default_rows is not None:
            default_rows.add_metric([table.table], table.default_rows)
        if table.made_until is not None:
            end = dt.datetime.combine(table.made_until, dt.time(), tzinfo=dt.UTC)
            ahead.add_metric([table.table], (end - now).total_seconds())
    yield default_rows
    yield ahead


def scraper_allowed(request: HttpRequest) -> bool:
    """The scraper's bearer token (METRICS_BEARER_TOKEN), or an address on METRICS_NETWORKS."""
    token = settings.METRICS_BEARER_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    address = client_address_of(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_NETWORKS)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not scraper_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)  # every gunicorn worker's samples
    else:
        requests = REGISTRY  # this process's
    output = generate_latest(requests) + generate_latest(PORTAL_REGISTRY)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


# Read at scrape time only (registering it does not query anything).
PORTAL_REGISTRY = CollectorRegistry(auto_describe=False)
PORTAL_REGISTRY.register(PortalCollector())
