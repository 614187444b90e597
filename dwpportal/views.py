"""Project-wide pages: the home page and the error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Something already failed: render without context processors, which may touch the database.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
