"""Turns the customer selector's refusals into the pages a colleague should see, for every view.

Any view (customer page, support-needs fragments, ACS referral, …) gets its customer through
customers.selectors.customer_get_for_user; this middleware answers its two refusals the same
way everywhere, so no view can handle them differently or forget them.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from core.requests import HtmxHttpRequest
from customers.selectors import ReasonRequired, RestrictedRecord


class RestrictedRecordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HtmxHttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, ReasonRequired):
            url = reverse(
                "customers:restricted-reason", kwargs={"public_id": exception.customer.public_id}
            )
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        if isinstance(exception, RestrictedRecord):
            return render(request, "customers/restricted_refused.html", status=403)
        return None
