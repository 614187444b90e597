"""Support-needs pages and htmx fragments. Thin: parse input, call a selector or service, render.

Every form posts to a real URL and works without JavaScript (the full page, then a redirect back
to the panel). With htmx the same URLs answer with the panel fragment
(templates/support_needs/_panel.html), swapped in place.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.context import AuditContext
from core.requests import HtmxHttpRequest
from customers.models import Customer
from support_needs import selectors
from support_needs.forms import (
    DismissForm,
    EndForm,
    NeedTypeChoiceForm,
    ReferForm,
    ReviewForm,
    SafeguardForm,
    SixPointPlanForm,
    SupportNeedForm,
)
from support_needs.models import NeedType
from support_needs.services import needs, safeguards, signals
from support_needs.services.six_point_plan import six_point_plan_record

# The htmx event a referral raises on the page: the customer page's ACS box shows the case.
ACS_CASE_CHANGED = "acs-case-changed"


def _panel_url(customer: Customer) -> str:
    return reverse("support_needs:panel", kwargs={"public_id": customer.public_id})


def _render_panel(
    request: HtmxHttpRequest,
    audit: AuditContext,
    customer: Customer,
    *,
    form: Form | None = None,
    form_kind: str = "",
    form_action: str = "",
    form_title: str = "",
    subject: Any = None,
    status: int = 200,
    saved: str = "",
) -> HttpResponse:
    context = {
        "customer": customer,
        "audit": audit,
        "panel": selectors.support_need_panel(customer=customer, audit=audit),
        "form": form,
        "form_kind": form_kind,
        "form_action": form_action,
        "form_title": form_title,
        "subject": subject,
        "saved": saved,
    }
    template = "support_needs/_panel.html" if request.htmx else "support_needs/panel_page.html"
    return render(request, template, context, status=status)


def _saved(
    request: HtmxHttpRequest, audit: AuditContext, customer: Customer, message: str
) -> HttpResponse:
    if request.htmx:
        # The panel with a success banner, which takes focus; its text goes to the live region.
        return _render_panel(request, audit, customer, saved=message)
    messages.success(request, message)
    return redirect(_panel_url(customer))


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field_name, field_errors in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _customer(audit: AuditContext, public_id: uuid.UUID) -> Customer:
    return selectors.customer_get_for_needs(public_id=public_id, audit=audit)


def _form_view(
    request: HtmxHttpRequest,
    audit: AuditContext,
    customer: Customer,
    *,
    form_class: Callable[..., Form],
    save: Callable[[dict[str, Any]], Any],
    form_kind: str,
    form_title: str,
    done: str,
    subject: Any = None,
    form_kwargs: dict[str, Any] | None = None,
    announce: str = "",
) -> HttpResponse:
    """GET: the panel with the form open. POST: validate, call the service, back to the panel.

    `announce`: an htmx event the saved answer raises on the page (HX-Trigger), for the parts
    of the page outside the panel that the change affects (the customer page's ACS box listens
    for "acs-case-changed")."""
    form_kwargs = form_kwargs or {}
    form = form_class(request.POST if request.method == "POST" else None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            response = _saved(request, audit, customer, done)
            if announce and request.htmx:
                response["HX-Trigger"] = announce
            return response
    return _render_panel(
        request,
        audit,
        customer,
        form=form,
        form_kind=form_kind,
        form_action=request.get_full_path(),
        form_title=form_title,
        subject=subject,
        # htmx swaps only 2xx answers: the form with its errors comes back as 200 there.
        status=400 if request.method == "POST" and not request.htmx else 200,
    )


@login_required
@require_http_methods(["GET"])
def panel(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    return _render_panel(request, audit, _customer(audit, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def need_record(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Step one chooses the type (GET ?need_type=); step two takes that type's fields."""
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    types = selectors.need_types_for_user(audit=audit)
    chooser = NeedTypeChoiceForm(request.GET or None, need_types=types)
    if not chooser.is_bound or not chooser.is_valid():
        return _render_panel(
            request,
            audit,
            customer,
            form=chooser,
            form_kind="choose_type",
            form_action=request.get_full_path(),
            form_title="Record a support need",
            status=400 if chooser.is_bound and not request.htmx else 200,
        )
    need_type: NeedType = chooser.cleaned_data["need_type"]
    return _form_view(
        request,
        audit,
        customer,
        form_class=SupportNeedForm,
        form_kwargs={"need_type": need_type},
        save=lambda data: needs.support_need_record(
            customer=customer, audit=audit, need_type=need_type, **data
        ),
        form_kind="need",
        form_title=f"Record a support need: {need_type.name}",
        done=f"{need_type.name} recorded.",
        subject=need_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_update(request: HtmxHttpRequest, public_id: uuid.UUID, need_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    need = selectors.support_need_get_for_user(customer=customer, public_id=need_id, audit=audit)
    initial = {name: getattr(need, name) for name in SupportNeedForm.base_fields}
    if request.method == "GET":
        form_kwargs = {"need_type": need.need_type, "initial": initial}
    else:
        form_kwargs = {"need_type": need.need_type}
    return _form_view(
        request,
        audit,
        customer,
        form_class=SupportNeedForm,
        form_kwargs=form_kwargs,
        save=lambda data: needs.support_need_update(need=need, audit=audit, **data),
        form_kind="need",
        form_title=f"Update: {need.need_type.name}",
        done=f"{need.need_type.name} updated.",
        subject=need,
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_review(request: HtmxHttpRequest, public_id: uuid.UUID, need_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    need = selectors.support_need_get_for_user(customer=customer, public_id=need_id, audit=audit)
    return _form_view(
        request,
        audit,
        customer,
        form_class=ReviewForm,
        save=lambda data: needs.support_need_review(need=need, audit=audit, **data),
        form_kind="review",
        form_title=f"Review: {need.need_type.name}",
        done=f"{need.need_type.name} reviewed.",
        subject=need,
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_end(request: HtmxHttpRequest, public_id: uuid.UUID, need_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    need = selectors.support_need_get_for_user(customer=customer, public_id=need_id, audit=audit)
    return _form_view(
        request,
        audit,
        customer,
        form_class=EndForm,
        save=lambda data: needs.support_need_end(need=need, audit=audit, **data),
        form_kind="end",
        form_title=f"End: {need.need_type.name}",
        done=f"{need.need_type.name} ended.",
        subject=need,
    )


@login_required
@require_http_methods(["GET", "POST"])
def six_point_plan(request: HtmxHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    return _form_view(
        request,
        audit,
        customer,
        form_class=SixPointPlanForm,
        save=lambda data: six_point_plan_record(customer=customer, audit=audit, **data),
        form_kind="six_point_plan",
        form_title="Record a Six Point Plan",
        done="Six Point Plan recorded and referred to the ACSSL queue. The ACS case is shown "
        "under Advanced Customer Support.",
        announce=ACS_CASE_CHANGED,
    )


@login_required
@require_http_methods(["GET", "POST"])
def signal_refer(
    request: HtmxHttpRequest, public_id: uuid.UUID, signal_id: uuid.UUID
) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    signal = selectors.support_signal_get_for_user(
        customer=customer, public_id=signal_id, audit=audit
    )
    return _form_view(
        request,
        audit,
        customer,
        form_class=ReferForm,
        save=lambda data: signals.support_signal_refer(signal=signal, audit=audit, **data),
        form_kind="refer",
        form_title="Refer to an ACSSL",
        done="Referred to the ACSSL queue.",
        announce=ACS_CASE_CHANGED,
        subject=signal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def signal_dismiss(
    request: HtmxHttpRequest, public_id: uuid.UUID, signal_id: uuid.UUID
) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    signal = selectors.support_signal_get_for_user(
        customer=customer, public_id=signal_id, audit=audit
    )
    return _form_view(
        request,
        audit,
        customer,
        form_class=DismissForm,
        save=lambda data: signals.support_signal_dismiss(signal=signal, audit=audit, **data),
        form_kind="dismiss",
        form_title="Dismiss the signal",
        done="Signal dismissed.",
        subject=signal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def safeguard_complete(
    request: HtmxHttpRequest, public_id: uuid.UUID, safeguard_id: uuid.UUID
) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = _customer(audit, public_id)
    safeguard = selectors.arrears_safeguard_get_for_user(
        customer=customer, public_id=safeguard_id, audit=audit
    )
    return _form_view(
        request,
        audit,
        customer,
        form_class=SafeguardForm,
        save=lambda data: safeguards.arrears_safeguard_complete(
            safeguard=safeguard, audit=audit, **data
        ),
        form_kind="safeguard",
        form_title="Record the support offered before the arrears payment",
        done="Safeguard closed.",
        subject=safeguard,
    )


@login_required
@require_http_methods(["GET"])
def reviews_due(request: HtmxHttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "")
    scope = scope if scope in selectors.REVIEW_SCOPES else selectors.REVIEW_SCOPE_DEFAULT
    page = selectors.support_needs_review_page(
        audit=AuditContext.from_request(request), page_number=request.GET.get("page"), scope=scope
    )
    context = {"page_obj": page, "scope": scope, "scopes": selectors.REVIEW_SCOPES.items()}
    return render(request, "support_needs/reviews_due.html", context)


@login_required
@require_http_methods(["GET"])
def safeguards_open(request: HtmxHttpRequest) -> HttpResponse:
    page = selectors.arrears_safeguards_open_page(
        audit=AuditContext.from_request(request), page_number=request.GET.get("page")
    )
    return render(request, "support_needs/safeguards_open.html", {"page_obj": page})
