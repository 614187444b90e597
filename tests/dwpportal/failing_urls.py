"""The portal's URLs plus two addresses that fail, to show the 500 pages (test_error_pages)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from dwpportal.urls import handler403, handler404, handler500
from dwpportal.urls import urlpatterns as portal


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure the colleague must not see")


urlpatterns = [path("failing/", fail), path("api/v1/failing/", fail), *portal]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
