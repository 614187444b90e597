"""Sign-in (single sign-on, and locally a password), sign-out."""

from django.urls import path

from accounts import sso, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("sso/start/", sso.SsoStartView.as_view(), name="sso-start"),
    path("sso/callback/", sso.SsoCallbackView.as_view(), name="sso-callback"),
]
