"""Sign-in and sign-out pages."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed

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


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView), so a link or prefetch cannot sign a colleague out."""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        if request.session.session_key:
            ColleagueSession.objects.filter(session_key=request.session.session_key).delete()
        response = super().post(request, *args, **kwargs)
        # Nothing of the customer records just seen may stay in this browser (ASVS 14.3.1).
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
