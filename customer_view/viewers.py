"""Team leaders' view of who has looked at a customer's record: each colleague by name and
role, their looks in one visit grouped, plain labels, and filters by colleague, date and action."""

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.selectors import customer_viewer_colleagues, customer_viewer_visits
from core.forms import GovukDateField, GovukFormMixin
from customer_view.selectors import customer_viewers_get

PER_PAGE = 50


class ViewersFilterForm(GovukFormMixin, forms.Form):
    colleague = forms.TypedChoiceField(
        label="Colleague", required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(
        label="What they did",
        required=False,
        choices=[("", "Anything")]
        + [
            (value, label)
            for value, label in AccessEvent.Action.choices
            if value not in ("search", "colleague_change")  # never about a customer's record
        ],
    )
    date_from = GovukDateField(label="From", subject="Start date", required=False)
    date_to = GovukDateField(label="To", subject="End date", required=False)

    def __init__(self, *args: Any, colleagues: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["colleague"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Everyone"), *colleagues]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned


@login_required
@require_GET
def customer_viewers(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer, events = customer_viewers_get(public_id=public_id, audit=audit)
    form = ViewersFilterForm(
        request.GET or None, colleagues=customer_viewer_colleagues(events=events)
    )
    chosen: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        chosen = {
            "colleague_id": form.cleaned_data["colleague"],
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
            "action": form.cleaned_data["action"],
        }
    visits = customer_viewer_visits(events=events, audit=audit, **chosen)
    page_obj = Paginator(visits, PER_PAGE).get_page(request.GET.get("page"))
    kept = [(key, value) for key, value in request.GET.items() if key != "page"]
    return render(
        request,
        "audit/customer_viewers.html",
        {
            "customer": customer,
            "page_obj": page_obj,
            "form": form,
            "page_query": urlencode(kept) + "&" if kept else "",
        },
        status=400 if form.errors else 200,
    )
