"""Single sign-on with OpenID Connect: the one place that maps the provider's groups to roles.

Colleagues sign in at the department's identity provider (the code flow, by mozilla-django-oidc).
The ID token must prove multi-factor authentication (its `amr` or `acr` claim); the groups claim
gives the colleague's roles through GROUP_ROLES. Every OIDC_RECHECK_SECONDS the session is checked
again at the provider (userinfo, refreshing the access token when it has expired): a colleague the
provider has disabled, or whose groups no longer grant a role, is signed out at that check.
Signing out ends the session at the provider too (RP-initiated logout): the browser is sent to the
end_session_endpoint of the provider's discovery document with the ID token as a hint, and the
provider sends it back to the portal's signed-out page.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django_htmx.http import HttpResponseClientRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts import roles
from accounts.hooks import PROVIDER_AT_SESSION_CHECK, PROVIDER_AT_SIGN_IN, ColleagueChangeSource
from accounts.models import User
from accounts.services import colleague_session_start, colleague_update_from_provider

logger = logging.getLogger(__name__)

# The provider's group names and the portal role each one grants. A colleague in several groups
# holds each role they grant; a colleague in none of them cannot sign in.
GROUP_ROLES: dict[str, str] = {
    "dwp-portal-work-coaches": roles.WORK_COACH,
    "dwp-portal-acssls": roles.ACSSL,
    "dwp-portal-team-leaders": roles.TEAM_LEADER,
    "dwp-portal-admins": roles.ADMIN,
}

# Session keys: when the provider last vouched for this session, and its tokens.
CHECKED_AT = "sso_checked_at"
ACCESS_TOKEN = "oidc_access_token"
REFRESH_TOKEN = "oidc_refresh_token"
ID_TOKEN = "oidc_id_token"  # kept (OIDC_STORE_ID_TOKEN) as the hint for ending the session there

# Why a sign-in or a session was refused: the refusal page and the sign-in message say which.
MFA_MISSING = "mfa"
NO_ROLE = "no-role"
DISABLED = "disabled"
CANCELLED = "cancelled"
FAILED = "failed"
ENDED = "ended"
REFUSALS: dict[str, tuple[str, str]] = {
    MFA_MISSING: (
        "Sign in with multi-factor authentication",
        "The portal holds personal data about customers, so you must confirm who you are with a"
        " second factor (an authenticator app, a security key or a one-time code) when you sign"
        " in. Your sign-in did not include one. Sign in again and complete the extra step.",
    ),
    NO_ROLE: (
        "You do not have access to the portal",
        "Your account is not in any of the portal's groups (work coach, ACSSL, team leader or"
        " admin). Ask your team leader to request access for you.",
    ),
    DISABLED: (
        "Your account is disabled",
        "Your portal account has been disabled. Ask your team leader or an admin.",
    ),
    CANCELLED: (
        "You did not sign in",
        "Signing in was cancelled at the identity provider.",
    ),
    FAILED: (
        "Sign-in did not complete",
        "The portal could not confirm your sign-in with the identity provider. Try again. If it"
        " keeps happening, contact the IT service desk.",
    ),
}


def roles_for_groups(groups: object) -> list[str]:
    """The portal roles a provider's groups claim grants (unknown groups grant nothing)."""
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list | tuple):
        return []
    return sorted({GROUP_ROLES[group] for group in groups if group in GROUP_ROLES})


def groups_for_roles(role_names: Iterable[str]) -> list[str]:
    """The provider groups that grant these roles (for demo and test colleagues)."""
    wanted = set(role_names)
    return sorted(group for group, role in GROUP_ROLES.items() if role in wanted)


def demo_provider_users() -> list[dict[str, object]]:
    """The local provider's users (`make run`): one per demo colleague, in their role's group and
    signing in with MFA, and two that show the refusals (no MFA; no portal group)."""
    from accounts.services import DEMO_COLLEAGUES

    users: list[dict[str, object]] = [
        {
            "sub": username,
            "given_name": first_name,
            "family_name": last_name,
            "groups": groups_for_roles([role]),
            "amr": ["pwd", "mfa"],
        }
        for username, first_name, last_name, role in DEMO_COLLEAGUES
    ]
    users.append(
        {"sub": "coach-no-mfa", "groups": groups_for_roles([roles.WORK_COACH]), "amr": ["pwd"]}
    )
    users.append({"sub": "no-portal-group", "groups": ["finance-team"], "amr": ["pwd", "mfa"]})
    return users


def mfa_satisfied(claims: Mapping[str, object]) -> bool:
    """Did the sign-in use multi-factor authentication, by the ID token's `amr` or `acr`?"""
    amr = claims.get("amr")
    methods = {amr} if isinstance(amr, str) else set(amr) if isinstance(amr, list) else set()
    if methods & set(settings.OIDC_MFA_AMR_VALUES):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in settings.OIDC_MFA_ACR_VALUES


def _refuse(request: HttpRequest, reason: str, claims: Mapping[str, object]) -> None:
    request.sso_refusal = reason  # type: ignore[attr-defined]
    logger.warning("single sign-on refused (%s) for subject %s", reason, claims.get("sub"))


class SsoBackend(OIDCAuthenticationBackend):
    """The code flow's last step: check the tokens, then MFA and roles, then the colleague."""

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.token_response: dict[str, Any] = super().get_token(payload)
        return self.token_response

    def store_tokens(self, access_token: str, id_token: str) -> None:
        super().store_tokens(access_token, id_token)
        self.request.session[REFRESH_TOKEN] = self.token_response.get("refresh_token")

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        # The library checks the signature, expiry and nonce; the issuer and audience here.
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        subject = payload.get("sub")
        if not isinstance(subject, str) or not subject or userinfo.get("sub") != subject:
            raise SuspiciousOperation("userinfo is about another subject")
        if len(subject) > 150:  # AbstractUser.username's length
            raise SuspiciousOperation("subject too long for a username")
        if not mfa_satisfied(payload):
            _refuse(self.request, MFA_MISSING, payload)
            return None
        role_names = roles_for_groups(userinfo.get(settings.OIDC_GROUPS_CLAIM))
        if not role_names:
            _refuse(self.request, NO_ROLE, payload)
            return None
        return colleague_update_from_provider(
            subject=subject,
            claims=userinfo,
            role_names=role_names,
            source=ColleagueChangeSource.for_provider(self.request, label=PROVIDER_AT_SIGN_IN),
        )


class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the colleague to the identity provider (a signed-in colleague goes home)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the colleague back here; a refusal is a page saying why, never a 500."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError) as e:
            logger.warning("single sign-on failed: %s", type(e).__name__)
            return self.refused(FAILED)

    def login_success(self) -> HttpResponse:
        key_before = self.request.session.session_key
        auth.login(self.request, self.user)
        if self.request.session.session_key == key_before:
            self.request.session.cycle_key()  # a new session key on every sign-in
        colleague_session_start(request=self.request, user=self.user)
        self.request.session[CHECKED_AT] = time.time()
        return HttpResponseRedirect(self.success_url)

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "sso_refusal", None)
        if reason is None:
            user = getattr(self, "user", None)
            if user is not None and not user.is_active:
                reason = DISABLED
            elif self.request.GET.get("error") == "access_denied":
                reason = CANCELLED
            else:
                reason = FAILED
        return self.refused(reason)

    def refused(self, reason: str) -> HttpResponse:
        for key in (ACCESS_TOKEN, REFRESH_TOKEN, ID_TOKEN):  # no tokens kept for a refusal
            self.request.session.pop(key, None)
        heading, explanation = REFUSALS[reason]
        context = {"heading": heading, "explanation": explanation, "reason": reason}
        return render(self.request, "accounts/sso_refused.html", context, status=403)


def _provider_post(url: str, data: dict[str, str]) -> requests.Response:
    return requests.post(url, data=data, timeout=settings.OIDC_TIMEOUT)


def _userinfo(access_token: str) -> requests.Response:
    return requests.get(
        settings.OIDC_OP_USER_ENDPOINT,
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=settings.OIDC_TIMEOUT,
    )


def sso_session_recheck(*, request: HttpRequest) -> str | None:
    """Ask the provider about this session's colleague again; the refusal reason, or None.

    A refused access token is refreshed once with the refresh token; a provider that refuses both
    (the colleague was disabled there, or their tokens revoked) ends the session. Roles follow the
    groups the provider gives now. An unreachable provider keeps the session for
    OIDC_RECHECK_GRACE_SECONDS after the last good check, then ends it.
    """
    session = request.session
    user = request.user
    try:
        response = _userinfo(session.get(ACCESS_TOKEN) or "")
        # A refused token is 401 by RFC 6750; some providers answer 400 or 403.
        if response.status_code in (400, 401, 403) and session.get(REFRESH_TOKEN):
            refreshed = _provider_post(
                settings.OIDC_OP_TOKEN_ENDPOINT,
                {
                    "grant_type": "refresh_token",
                    "refresh_token": session[REFRESH_TOKEN],
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                    "client_secret": settings.OIDC_RP_CLIENT_SECRET,
                },
            )
            if refreshed.status_code != 200:
                return ENDED
            tokens = refreshed.json()
            session[ACCESS_TOKEN] = tokens["access_token"]
            session[REFRESH_TOKEN] = tokens.get("refresh_token") or session[REFRESH_TOKEN]
            response = _userinfo(session[ACCESS_TOKEN])
        if response.status_code != 200:
            return ENDED
        claims = response.json()
    except (requests.RequestException, ValueError, KeyError) as error:
        if time.time() - session[CHECKED_AT] > settings.OIDC_RECHECK_GRACE_SECONDS:
            return ENDED
        logger.warning("identity provider unreachable for the session check: %s", error)
        return None
    if claims.get("sub") != user.get_username():
        return ENDED
    role_names = roles_for_groups(claims.get(settings.OIDC_GROUPS_CLAIM))
    if not role_names:
        return NO_ROLE
    colleague_update_from_provider(
        subject=user.get_username(),
        claims=claims,
        role_names=role_names,
        source=ColleagueChangeSource.for_provider(request, label=PROVIDER_AT_SESSION_CHECK),
    )
    session[CHECKED_AT] = time.time()
    return None


class SsoRecheckMiddleware:
    """Signs a colleague out when the provider no longer vouches for them (sso_session_recheck)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        checked_at = request.session.get(CHECKED_AT) if request.user.is_authenticated else None
        if checked_at is not None and time.time() - checked_at >= settings.OIDC_RECHECK_SECONDS:
            reason = sso_session_recheck(request=request)
            if reason is not None:
                logger.warning("single sign-on session ended (%s)", reason)
                auth.logout(request)
                message = (
                    REFUSALS[NO_ROLE][1]
                    if reason == NO_ROLE
                    else "Your sign-in is no longer valid at the identity provider. Sign in again."
                )
                messages.info(request, message)
                if getattr(request, "htmx", False):  # a fragment request: the whole page goes
                    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


# Sign-out at the provider (OpenID Connect RP-Initiated Logout 1.0).
DISCOVERY_CACHE_SECONDS = 60 * 60
DISCOVERY_TIMEOUT_SECONDS = 5  # a colleague signing out waits no longer for an unreachable provider


def provider_end_session_endpoint() -> str | None:
    """The provider's end_session_endpoint, from its discovery document (kept for an hour), or
    None when it has none or cannot be reached (then it is asked again at the next sign-out)."""
    url = f"{settings.OIDC_OP_ISSUER.rstrip('/')}/.well-known/openid-configuration"
    key = "sso:end-session-endpoint:" + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return str(cached) or None
    try:
        response = requests.get(url, timeout=min(settings.OIDC_TIMEOUT, DISCOVERY_TIMEOUT_SECONDS))
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("identity provider's discovery document unavailable: %s", error)
        return None
    endpoint = document.get("end_session_endpoint") if isinstance(document, dict) else None
    # Only a web address, and https whenever the issuer is (never a downgrade or a javascript:).
    issuer_scheme = urlsplit(settings.OIDC_OP_ISSUER).scheme
    if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in {"https", issuer_scheme}:
        endpoint = ""
    cache.set(key, endpoint, DISCOVERY_CACHE_SECONDS)
    return endpoint or None


def provider_logout_url(request: HttpRequest) -> str:
    """Where the browser goes once the portal has ended its own session (mozilla-django-oidc's
    OIDC_OP_LOGOUT_URL_METHOD, called by accounts.views.SignOutView before the session ends).

    A single-sign-on session goes to the provider's end_session_endpoint with its ID token as
    id_token_hint, the portal's client_id and, as post_logout_redirect_uri, the portal's
    signed-out page (which must be registered at the provider); the provider ends its own
    session and sends the browser back there. A password session, or a provider without an
    end_session_endpoint, goes straight to the signed-out page.
    """
    signed_out = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get(ID_TOKEN)
    endpoint = provider_end_session_endpoint() if id_token else None
    if not endpoint:
        return signed_out
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(signed_out),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if urlsplit(endpoint).query else '?'}{query}"
