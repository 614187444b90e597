"""Project-wide pages: the home page and the error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader

from core.api import problem_response
from customers.forms import CustomerSearchForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # ACSSLs and team leaders start on their cases and the triage queue; others on search.
    if request.user.has_perm("acs.manage_acs_case"):
        return redirect("acs:home")
    return render(request, "home.html", {"form": CustomerSearchForm()})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(request, 404, "There is nothing at this address.")
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(request, 500, "Something went wrong. Nothing was saved.")
    # Something already failed: render without context processors, which may touch the database.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
