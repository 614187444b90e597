"""Team leaders' view of who has looked at a customer's record."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.context import AuditContext
from customer_view.selectors import customer_viewers_get

PER_PAGE = 50


@login_required
@require_GET
def customer_viewers(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    customer, events = customer_viewers_get(
        public_id=public_id, audit=AuditContext.from_request(request)
    )
    page_obj = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "audit/customer_viewers.html", {"customer": customer, "page_obj": page_obj}
    )
