"""The audit context: who is acting, through what, from where and why — built once per request
(or per task or command) and passed to every selector and service, which write the access
audit from it. Nothing below the views ever sees an HttpRequest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.requests import client_address_of

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from accounts.models import User

# A reason a cleared colleague gave to open a restricted record lasts this long in their session.
RESTRICTED_REASON_TTL = dt.timedelta(minutes=30)
SESSION_REASONS_KEY = "restricted_reasons"


class Channel(models.TextChoices):
    """How the colleague (or the system) reached the data."""

    PAGE = "page", "Page"
    FRAGMENT = "fragment", "Part of a page"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    TASK = "task", "Background task"
    COMMAND = "command", "Command"
    # The identity provider, at a colleague's sign-in or at the check of their session.
    SIGN_IN = "sign_in", "Sign-in"


_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who acts, through which channel, from where, and the reasons they have given.

    `reason` is a reason sent with this very request (the API's X-Access-Reason header, or the
    reason form being posted); `session_reasons` are the still-current reasons this colleague
    gave earlier in their session, by customer public id. `reason_for` picks the one that holds.
    `session_hash` names the colleague's signed-in session without revealing its key
    (session_hash_of), so the audit can tell one session's looks from another's.
    """

    user: User | None
    channel: Channel
    request_id: str = ""
    client_address: str | None = None
    reason: str = ""
    session_reasons: Mapping[str, str] = field(default=_EMPTY)
    # What the task or command is (e.g. "sync_legacy"), for the audit's `what` when it has none.
    actor_label: str = ""
    session_hash: str = ""

    # --- Building one ---------------------------------------------------------------------

    @classmethod
    def from_request(
        cls, request: HttpRequest, *, channel: Channel | None = None, reason: str = ""
    ) -> AuditContext:
        """The context of a web or API request: call once in the view."""
        user = getattr(request, "user", None)
        return cls(
            user=user if user is not None and user.is_authenticated else None,
            channel=channel or channel_of(request),
            request_id=getattr(request, "request_id", ""),
            client_address=client_address_of(request),
            reason=reason.strip(),
            session_reasons=session_reasons_current(getattr(request, "session", None)),
            session_hash=session_hash_of(getattr(request, "session", None)),
        )

    @classmethod
    def for_task(
        cls, *, task_name: str, user: User | None = None, task_id: str = ""
    ) -> AuditContext:
        """A Celery task acting for `user` (or for the system when None)."""
        return cls(user=user, channel=Channel.TASK, request_id=task_id, actor_label=task_name)

    @classmethod
    def for_command(cls, *, command: str, user: User | None = None) -> AuditContext:
        """A management command run by an operator (acting as `user`, or as the system)."""
        return cls(user=user, channel=Channel.COMMAND, actor_label=command)

    def with_channel(self, channel: Channel) -> AuditContext:
        return replace(self, channel=channel)

    def with_reason(self, reason: str) -> AuditContext:
        return replace(self, reason=reason.strip())

    # --- Reading one ----------------------------------------------------------------------

    def reason_for(self, customer_public_id: Any) -> str:
        """The reason that opens this restricted record now: one sent with this request, else
        one given earlier in the session (still within RESTRICTED_REASON_TTL), else ""."""
        return self.reason or self.session_reasons.get(str(customer_public_id), "")

    @property
    def username(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return f"(system: {self.actor_label})" if self.actor_label else "(anonymous)"

    def has_perm(self, perm: str) -> bool:
        return self.user is not None and self.user.is_active and self.user.has_perm(perm)


def channel_of(request: HttpRequest) -> Channel:
    """API under the "api" URL namespace, admin under "admin", an htmx request is a fragment,
    anything else a page."""
    match = getattr(request, "resolver_match", None)
    namespaces = match.namespaces if match is not None else []
    if "api" in namespaces:
        return Channel.API
    if "admin" in namespaces:
        return Channel.ADMIN
    if request.headers.get("HX-Request"):
        return Channel.FRAGMENT
    return Channel.PAGE


# The length of session_hash_of's answer (AccessEvent.session_hash holds it).
SESSION_HASH_LENGTH = 32


def session_hash_of(session: SessionBase | None) -> str:
    """A stable name for the colleague's session, for grouping their looks in the audit: a keyed
    hash (HMAC with SECRET_KEY) of the session key, so the audit never holds a key that would
    let anyone who reads it act as the colleague. "" without a session (a bearer token, a task)."""
    key = session.session_key if session is not None else None
    if not key:
        return ""
    return salted_hmac("audit.session", key, algorithm="sha256").hexdigest()[:SESSION_HASH_LENGTH]


# --- Reasons kept in the session (the one place that knows their format) ---------------------


def session_reasons_current(session: SessionBase | None) -> Mapping[str, str]:
    """public_id -> reason, for the reasons given within RESTRICTED_REASON_TTL."""
    if session is None:
        return _EMPTY
    kept = session.get(SESSION_REASONS_KEY) or {}
    now = timezone.now()
    current = {}
    for public_id, given in kept.items():
        try:
            at = dt.datetime.fromisoformat(given["at"])
        except (KeyError, TypeError, ValueError):
            continue
        if now - at <= RESTRICTED_REASON_TTL:
            current[public_id] = given["reason"]
    return MappingProxyType(current)


def session_reason_keep(session: SessionBase, *, customer_public_id: Any, reason: str) -> None:
    """Remember a reason (already accepted by a service) in the colleague's session."""
    reasons = dict(session.get(SESSION_REASONS_KEY) or {})
    reasons[str(customer_public_id)] = {"reason": reason, "at": timezone.now().isoformat()}
    session[SESSION_REASONS_KEY] = reasons
