"""API tokens: issue, revoke, and authenticate DRF requests with `Authorization: Bearer …`."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.hooks import (
    AccessChange,
    AccessChanged,
    ApiTokenFacts,
    ColleagueChangeSource,
    colleague_access_changed,
)
from accounts.models import ApiToken, User

DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _announce(token: ApiToken, source: ColleagueChangeSource, change: AccessChange) -> None:
    """accounts.hooks.colleague_access_changed: the audit records who issued or revoked it."""
    colleague_access_changed.announce(
        AccessChanged(
            colleague=token.user,
            source=source,
            change=change,
            token=ApiTokenFacts(name=token.name, prefix=token.prefix, expires_at=token.expires_at),
        )
    )


@transaction.atomic
def api_token_issue(
    *,
    user: User,
    name: str,
    source: ColleagueChangeSource,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str:
    """Create a token and return it in full: the only time it exists outside the caller. Who
    issued it (`source`) is announced, for the audit."""
    if not user.is_active:
        raise ValueError("cannot issue a token to a disabled colleague")
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValueError(f"a token lives between 1 second and {MAX_LIFETIME.days} days")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        expires_at=timezone.now() + lifetime,
    )
    _announce(token, source, AccessChange.TOKEN_ISSUED)
    return f"{prefix}.{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, source: ColleagueChangeSource) -> None:
    """Revoke the token (a revoked token stays revoked); who revoked it (`source`) is
    announced, for the audit, unless it was revoked already."""
    now = timezone.now()
    # Revoked only if no one revoked it meanwhile: one revocation, announced once.
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        _announce(token, source, AccessChange.TOKEN_REVOKED)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(f"{self.keyword} "):
            return None
        prefix, _, secret = header[len(self.keyword) + 1 :].strip().partition(".")
        token = (
            ApiToken.objects.select_related("user").filter(prefix=prefix).first()
            if prefix and secret
            else None
        )
        # One message for every failure, so a caller learns nothing about which part was wrong.
        refused = exceptions.AuthenticationFailed("The token is invalid, expired or revoked.")
        if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
            raise refused
        now = timezone.now()
        if token.revoked_at or token.expires_at <= now or not token.user.is_active:
            raise refused
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A colleague's API token (`manage.py api_token_issue`), sent as "
            "`Authorization: Bearer <prefix>.<secret>`.",
        }
