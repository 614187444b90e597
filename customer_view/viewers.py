"""Team leaders' view of who has looked at a customer's record."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import AccessEvent
from audit.selectors import customer_viewers_for_user
from customers.selectors import customer_get_for_user

PER_PAGE = 50


@login_required
@require_GET
def customer_viewers(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    customer = customer_get_for_user(
        public_id=public_id,
        user=request.user,
        request=request,
        what="who viewed this record",
        action=AccessEvent.Action.VIEW_FRAGMENT,
    )
    events = customer_viewers_for_user(customer=customer, user=request.user)
    page_obj = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "audit/customer_viewers.html", {"customer": customer, "page_obj": page_obj}
    )
