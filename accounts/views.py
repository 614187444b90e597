"""Sign-in and sign-out pages."""

from django.contrib.auth import views as auth_views

from accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign a colleague out.
    template_name = "accounts/signed_out.html"
