"""Customer pages: search, the single customer view, its timeline, recording an interaction and
the restricted-record reason.

Thin: build the audit context, parse input, call a selector or service (access rules and audit
live there), render. htmx fragments come from the same templates as the pages ({% partialdef %}).
"""

import logging
import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from audit.context import AuditContext, session_reason_keep
from audit.models import AccessEvent
from audit.selectors import can_see_customer_viewers
from core.rate_limits import rate_limit_exceeded
from core.requests import HtmxHttpRequest
from customer_view.selectors import customer_page_get, customer_visit_previous, search_rows
from customer_view.timeline import timeline_page_get, timeline_sources
from customers.forms import CustomerSearchForm, InteractionForm, RestrictedReasonForm
from customers.models import Benefit, Customer
from customers.search_tokens import search_criteria_recall, search_criteria_remember
from customers.selectors import (
    ReasonNotNeeded,
    ReasonRequired,
    RestrictedRecord,
    customer_access_require,
    customer_get_for_reason,
    customer_get_for_user,
    customer_search_by_name,
    customer_search_by_nino,
)
from customers.services import customer_visit_record, interaction_record, restricted_reason_give

RESULTS_PER_PAGE = 20


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _safe_token(value: str) -> str:
    """A search token from a query string, only if it looks like one (it goes into a URL)."""
    return value if re.fullmatch(r"[A-Za-z0-9_-]{8,64}", value or "") else ""


def _restricted_refused(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "customers/restricted_refused.html", status=403)


def _customer_or_response(
    request: HtmxHttpRequest, audit: AuditContext, public_id: uuid.UUID, **kwargs: Any
) -> Customer | HttpResponse:
    """customer_get_for_user, with its refusals turned into the pages a colleague should see."""
    try:
        return customer_get_for_user(public_id=public_id, audit=audit, **kwargs)
    except RestrictedRecord:
        return _restricted_refused(request)
    except ReasonRequired:
        url = reverse("customers:restricted-reason", kwargs={"public_id": public_id})
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)


# --- Search -----------------------------------------------------------------------------------


logger = logging.getLogger(__name__)


def search_rate_exceeded(request: HtmxHttpRequest) -> bool:
    """Anti-automation (ASVS 2.4.1): each colleague's searches, live ones and result pages
    included, are counted per minute and per hour (SEARCH_RATE_LIMITS)."""
    exceeded = rate_limit_exceeded(
        key=f"customer-search:{request.user.pk}", limits=settings.SEARCH_RATE_LIMITS
    )
    if exceeded:
        logger.warning("search rate limit reached by colleague %s", request.user.pk)
    return exceeded


def _search_context(form: CustomerSearchForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def customer_search(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the search page. POST: search (never GET: a name or NINO must not be in a URL).

    htmx sends live=1 as the colleague types: answer with the results fragment only.
    """
    audit = AuditContext.from_request(request)
    customer_access_require(audit=audit, what="customer search")
    if request.method == "GET":
        return render(request, "customers/search.html", _search_context(CustomerSearchForm()))
    if search_rate_exceeded(request):
        return render(request, "customers/search_rate_limited.html", status=429)
    live = bool(request.htmx) and request.POST.get("live") == "1"
    template = "customers/search.html#results" if live else "customers/search.html"
    form = CustomerSearchForm(request.POST)
    if not form.is_valid():
        return render(request, template, _search_context(form, searched=True, live=live))
    if form.nino:
        match = customer_search_by_nino(nino=form.nino, audit=audit)
        if match is not None and not live:
            return redirect("customers:detail", public_id=match.customer.public_id)
        rows = search_rows(results=[match] if match else [], audit=audit)
        return render(
            request,
            template,
            _search_context(
                form,
                searched=True,
                live=live,
                nino_match=rows[0] if rows else None,
                nino_results=rows,
                by_nino=True,
            ),
        )
    token = search_criteria_remember(user=request.user, criteria=form.criteria())
    if not live:
        return redirect("customers:search-results", token=token)
    context = _name_results_context(audit, form, token, page="1")
    return render(request, template, {**context, "live": True})


def _name_results_context(
    audit: AuditContext, form: CustomerSearchForm, token: str, page: str | None
) -> dict[str, Any]:
    found = customer_search_by_name(**form.name_criteria(), audit=audit)
    paginator = Paginator(search_rows(results=found.results, audit=audit), RESULTS_PER_PAGE)
    return _search_context(
        form,
        searched=True,
        token=token,
        results_page=paginator.get_page(page),
        result_count=len(found.results),
        truncated=found.truncated,
    )


@login_required
@require_http_methods(["GET"])
def customer_search_results(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """A page of name-search results, found again from criteria kept behind the token."""
    audit = AuditContext.from_request(request)
    customer_access_require(audit=audit, what="customer search")
    if search_rate_exceeded(request):
        return render(request, "customers/search_rate_limited.html", status=429)
    criteria = search_criteria_recall(user=request.user, token=token)
    if criteria is None:
        messages.info(request, "Your search has expired. Search again.")
        return redirect("customers:search")
    form = CustomerSearchForm(criteria)  # the date of birth as an ISO date, which it reads
    if not form.is_valid():  # the criteria were valid when stored; be safe anyway
        return redirect("customers:search")
    context = _name_results_context(audit, form, token, request.GET.get("page"))
    return render(request, "customers/search.html", context)


# --- The customer page ------------------------------------------------------------------------


def _timeline_filters(request: HtmxHttpRequest) -> dict[str, Any]:
    types = {s.type for s in timeline_sources()}
    kind = request.GET.get("type", "")
    benefit = request.GET.get("benefit", "")
    return {
        "timeline_type": kind if kind in types else "",
        "timeline_benefit": benefit if benefit in Benefit.values else "",
        "timeline_page": _page_number(request.GET.get("page")),
    }


def _timeline_context() -> dict[str, Any]:
    return {
        "timeline_types": [(s.type, s.label) for s in timeline_sources()],
        "benefit_choices": Benefit.choices,
    }


def _detail_context(
    request: HtmxHttpRequest,
    audit: AuditContext,
    customer: Customer,
    interaction_form: InteractionForm,
) -> dict[str, Any]:
    page = customer_page_get(
        customer=customer,
        audit=audit,
        previous_visit=customer_visit_previous(customer=customer, audit=audit),
        **_timeline_filters(request),
    )
    return {
        "audit": audit,
        "customer": customer,
        "page": page,
        "timeline": page.timeline,
        "interaction_form": interaction_form,
        "back_token": _safe_token(request.GET.get("results", "")),
        "can_see_viewers": can_see_customer_viewers(audit.user),
        **_timeline_context(),
    }


@login_required
@require_http_methods(["GET"])
def customer_detail(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer_or_response(request, audit, public_id)
    if isinstance(customer, HttpResponse):
        return customer
    context = _detail_context(request, audit, customer, InteractionForm())
    customer_visit_record(customer=customer, audit=audit)
    return render(request, "customers/detail.html", context)


@login_required
@require_http_methods(["GET"])
def customer_timeline(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The timeline fragment (htmx filter and paging); without htmx, the page at the timeline."""
    audit = AuditContext.from_request(request)
    customer_access_require(audit=audit, what="customer timeline")
    if not request.htmx:
        query = request.GET.urlencode()
        url = reverse("customers:detail", kwargs={"public_id": public_id})
        return redirect(f"{url}{'?' + query if query else ''}#timeline")
    customer = _customer_or_response(
        request, audit, public_id, what="customer timeline", action=AccessEvent.Action.VIEW_FRAGMENT
    )
    if isinstance(customer, HttpResponse):
        return customer
    filters = _timeline_filters(request)
    timeline = timeline_page_get(
        customer=customer,
        audit=audit,
        type=filters["timeline_type"],
        benefit=filters["timeline_benefit"],
        page=filters["timeline_page"],
    )
    context = {"customer": customer, "timeline": timeline, **_timeline_context()}
    return render(request, "customers/detail.html#timeline", context)


@login_required
@require_http_methods(["GET"])
def customer_acs_status(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The ACS box of the customer page, again: htmx asks for it when a referral was made on the
    page (the acs-case-changed event), so the new case shows without a reload."""
    audit = AuditContext.from_request(request)
    customer = _customer_or_response(
        request,
        audit,
        public_id,
        what="customer acs status",
        action=AccessEvent.Action.VIEW_FRAGMENT,
    )
    if isinstance(customer, HttpResponse):
        return customer
    context = {"customer": customer, "audit": audit}
    return render(request, "customers/_acs_status.html", context)


@login_required
@require_POST
def interaction_create(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Record an interaction: htmx swaps in a fresh form and the updated timeline."""
    audit = AuditContext.from_request(request)
    customer = _customer_or_response(
        request,
        audit,
        public_id,
        what="record interaction",
        action=AccessEvent.Action.VIEW_FRAGMENT,
    )
    if isinstance(customer, HttpResponse):
        return customer
    form = InteractionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            interaction_record(
                customer=customer,
                audit=audit,
                channel=data["channel"],
                benefits=data["benefits"],
                summary=data["summary"],
                outcome=data["outcome"],
                follow_up_action=data["follow_up_action"],
                follow_up_date=data["follow_up_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, "Interaction recorded")
                url = reverse("customers:detail", kwargs={"public_id": public_id})
                return redirect(f"{url}#timeline")
            timeline = timeline_page_get(customer=customer, audit=audit)
            context = {
                "customer": customer,
                "interaction_form": InteractionForm(),
                "recorded": True,
                "timeline": timeline,
                "timeline_oob": True,
                **_timeline_context(),
            }
            return HttpResponse(
                render_to_string("customers/detail.html#interaction_form", context, request)
                + render_to_string("customers/detail.html#timeline", context, request)
            )
    if request.htmx:
        context = {"customer": customer, "interaction_form": form}
        return render(request, "customers/detail.html#interaction_form", context)
    context = _detail_context(request, audit, customer, form)
    return render(request, "customers/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def restricted_reason(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A cleared colleague says why they need a restricted record before it opens."""
    audit = AuditContext.from_request(request)
    try:
        customer = customer_get_for_reason(public_id=public_id, audit=audit)
    except RestrictedRecord:
        return _restricted_refused(request)
    except ReasonNotNeeded:
        return redirect("customers:detail", public_id=public_id)
    form = RestrictedReasonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            reason = restricted_reason_give(
                audit=audit, customer=customer, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            session_reason_keep(
                request.session, customer_public_id=customer.public_id, reason=reason
            )
            return redirect(_after_reason(request) or reverse("customers:detail", args=[public_id]))
    return render(request, "customers/restricted_reason.html", {"form": form, "customer": customer})


def _after_reason(request: HtmxHttpRequest) -> str:
    """Where the colleague was going (e.g. an ACS case), if it is a path on this site."""
    next_url = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)
    return next_url if safe and next_url.startswith("/") and not next_url.startswith("//") else ""
