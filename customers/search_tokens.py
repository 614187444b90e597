"""Search criteria kept server-side behind an opaque token, so no name or NINO is ever in a URL.

The token is random, bound to the colleague who searched and expires after SEARCH_TOKEN_TTL.
"""

import secrets

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from accounts.models import User

SEARCH_TOKEN_TTL = 30 * 60  # seconds


def _key(token: str) -> str:
    return f"customer-search:{token}"


def search_criteria_remember(*, user: User | AnonymousUser, criteria: dict[str, str]) -> str:
    token = secrets.token_urlsafe(18)
    cache.set(_key(token), {"user_id": user.pk, "criteria": criteria}, SEARCH_TOKEN_TTL)
    return token


def search_criteria_recall(*, user: User | AnonymousUser, token: str) -> dict[str, str] | None:
    """The criteria behind `token`, or None if unknown, expired or another colleague's."""
    if not token or len(token) > 64:
        return None
    stored = cache.get(_key(token))
    if not stored or stored.get("user_id") != user.pk:
        return None
    return stored["criteria"]
