"""The sync ops page: each source's last run, freshness, live progress (htmx), quarantine, start."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.context import AuditContext
from benefits.sources import SOURCES
from benefits.sync.selectors import (
    sync_any_active,
    sync_progress_news,
    sync_runs_recent,
    sync_sources_status,
    unrecognised_codes,
)
from benefits.sync.services import sync_start
from core.replica import replica_status

TEMPLATE = "benefits/ops.html"


def _context(*, seen: str | None = None) -> dict[str, object]:
    sources = sync_sources_status()
    return {
        "sources": sources,
        "progress": sync_progress_news(sources=sources, seen=seen),
        "recent_runs": sync_runs_recent(limit=15),
        "any_active": sync_any_active(),
        "replica": replica_status(),
    }


@login_required
@permission_required("benefits.view_syncrun", raise_exception=True)
def ops(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATE, {**_context(), "unrecognised_codes": unrecognised_codes()})


@login_required
@permission_required("benefits.view_syncrun", raise_exception=True)
def ops_progress(request: HttpRequest) -> HttpResponse:
    """The status table alone, polled by htmx every few seconds while a run is active; it says
    what changed since the page's last answer (`seen`) for the page's live region to announce."""
    return render(request, f"{TEMPLATE}#status", _context(seen=request.GET.get("seen", "")))


@require_POST
@login_required
@permission_required("benefits.start_sync", raise_exception=True)
def ops_start(request: HttpRequest) -> HttpResponse:
    source = request.POST.get("source", "")
    if source not in (*SOURCES, "all"):
        messages.error(request, "Choose a legacy system to sync.")
        return redirect("benefits:ops")
    full = request.POST.get("full") == "1"
    audit = AuditContext.from_request(request)
    for name in SOURCES if source == "all" else (source,):
        run = sync_start(source=name, audit=audit, full=full)
        messages.success(request, f"{run.get_source_display()} sync #{run.pk} is {run.status}.")
    return redirect("benefits:ops")
