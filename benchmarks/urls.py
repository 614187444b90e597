"""Bench-only URLs: the product's URLs plus a one-query floor view and a Customer admin.

Used only by dwpportal.settings.bench (ROOT_URLCONF), never by the product or the tests.
"""

import uuid

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from customers.models import Customer
from dwpportal.urls import handler403, handler404, handler500
from dwpportal.urls import urlpatterns as portal_urlpatterns


@admin.register(Customer)
class BenchCustomerAdmin(admin.ModelAdmin):
    """What an admin-built search tool would give: the changelist's icontains search."""

    list_display = ("nino", "first_name", "last_name", "date_of_birth", "postcode")
    search_fields = ("nino", "first_name", "last_name", "postcode")


def customer_floor(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The framework floor for the customer page: same server and middleware, one query.

    Called without a session cookie, so no session or user is loaded: exactly one query.
    """
    row = Customer.objects.filter(public_id=public_id).values_list("first_name", "last_name")
    found = row.first()
    if found is None:
        raise Http404
    return HttpResponse(f"<p>{found[0]} {found[1]}</p>")


urlpatterns = [
    path("bench/floor/<uuid:public_id>/", customer_floor, name="bench-floor"),
    # Again ahead of the portal's own, which was built before the Customer admin was registered.
    path("admin/", admin.site.urls),
    *portal_urlpatterns,
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
