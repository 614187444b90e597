"""Search criteria kept server-side behind an opaque token, so no name or NINO is ever in a URL.

The token is random, bound to the colleague who searched and expires after SEARCH_TOKEN_TTL.
"""

import secrets
from typing import Any

from django.core.cache import cache

SEARCH_TOKEN_TTL = 30 * 60  # seconds


def _key(token: str) -> str:
    return f"customer-search:{token}"


def search_criteria_remember(*, user: Any, criteria: dict[str, str]) -> str:
    token = secrets.token_urlsafe(18)
    cache.set(_key(token), {"user_id": user.pk, "criteria": criteria}, SEARCH_TOKEN_TTL)
    return token


def search_criteria_recall(*, user: Any, token: str) -> dict[str, str] | None:
    """The criteria behind `token`, or None if unknown, expired or another colleague's."""
    if not token or len(token) > 64:
        return None
    stored = cache.get(_key(token))
    if not stored or stored.get("user_id") != user.pk:
        return None
    return stored["criteria"]
