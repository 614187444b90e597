"""Sign-in, sign-out and signed-out pages."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from mozilla_django_oidc.views import OIDCLogoutView

from accounts.forms import SignInForm
from accounts.models import ColleagueSession
from accounts.services import colleague_session_start


class SignInView(auth_views.LoginView):
    """Single sign-on; the username and password form only where PASSWORD_SIGN_IN is on."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and not settings.PASSWORD_SIGN_IN:
            return HttpResponseNotAllowed(["GET"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_sign_in": settings.PASSWORD_SIGN_IN}

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)  # logs in with a new session key
        colleague_session_start(request=self.request, user=form.get_user())
        return response


@method_decorator(csrf_protect, name="dispatch")
class SignOutView(OIDCLogoutView):
    """POST only, so a link or prefetch cannot sign a colleague out. Ends the portal's session,
    then sends the browser where OIDC_OP_LOGOUT_URL_METHOD says (accounts.sso.provider_logout_url):
    to end a single-sign-on session at the provider too, or straight to the signed-out page.

    The provider is reached through a page that moves on at once (an instant meta refresh, with
    a link), not a redirect: the Content Security Policy's form-action 'self' stops a browser
    from following a form's redirect to another site, and the sign-out button is a form."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.session.session_key:
            ColleagueSession.objects.filter(session_key=request.session.session_key).delete()
        response: HttpResponse = super().post(request)
        destination = response["Location"]
        if not url_has_allowed_host_and_scheme(destination, allowed_hosts={request.get_host()}):
            response = render(request, "accounts/signing_out.html", {"provider_url": destination})
        # Nothing of the customer records just seen may stay in this browser (ASVS 14.3.1).
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def signed_out(request: HttpRequest) -> HttpResponse:
    """Where sign-out ends, back from the identity provider (its post_logout_redirect_uri)."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signed_out.html")
