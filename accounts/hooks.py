"""What the accounts app announces to the apps above it (see core/hooks.py)."""

import datetime as dt
import enum
from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import User
from core.hooks import Hook
from core.requests import client_address_of

# Who changed a colleague when no colleague did: the identity provider, at a sign-in or at the
# check of a signed-in session every few minutes (accounts/sso.py).
PROVIDER_AT_SIGN_IN = "identity provider at sign-in"
PROVIDER_AT_SESSION_CHECK = "identity provider at a session check"


@dataclass(frozen=True, slots=True)
class ColleagueChangeSource:
    """Who changed a colleague, through what and from where: what the audit records of it (the
    audit's AuditContext, which accounts, below audit, cannot import)."""

    by: User | None
    via: str  # the channel: "admin" (Django admin), "command", "sign_in" (identity provider)
    request_id: str = ""
    client_address: str | None = None
    label: str = ""  # who acted when `by` is None: a command's name, or the identity provider

    @classmethod
    def for_admin(cls, request: HttpRequest) -> "ColleagueChangeSource":
        """The colleague using Django admin in this request."""
        return cls(
            by=request.user if isinstance(request.user, User) else None,
            via="admin",
            request_id=getattr(request, "request_id", ""),
            client_address=client_address_of(request),
        )

    @classmethod
    def for_provider(cls, request: HttpRequest, *, label: str) -> "ColleagueChangeSource":
        """The identity provider, through the sign-in or session check made in this request
        (`label`: PROVIDER_AT_SIGN_IN or PROVIDER_AT_SESSION_CHECK)."""
        return cls(
            by=None,
            via="sign_in",
            request_id=getattr(request, "request_id", ""),
            client_address=client_address_of(request),
            label=label,
        )

    @classmethod
    def for_command(cls, *, command: str) -> "ColleagueChangeSource":
        """A management command run by an operator."""
        return cls(by=None, via="command", label=command)


@dataclass(frozen=True, slots=True)
class RoleChanged:
    """A colleague's role or team was set: from what (nothing when `added`) to what."""

    colleague: User
    source: ColleagueChangeSource
    roles_before: tuple[str, ...]
    roles_after: tuple[str, ...]
    team_before: str
    team_after: str
    added: bool = False


colleague_role_changed: Hook[RoleChanged, None] = Hook(
    "accounts.colleague_role_changed",
    "A colleague's role or team was set — in Django admin's one role control, or from the "
    "identity provider's groups at a sign-in or a session check — inside the saving "
    "transaction, only when something changed or the colleague is new. audit records who "
    "changed whose role and team, from what to what.",
)


class AccessChange(enum.StrEnum):
    """What changed in a colleague's access (other than their role)."""

    DISABLED = "disabled"
    ENABLED = "enabled"
    SESSIONS_ENDED = "sessions ended"
    TOKEN_ISSUED = "API token issued"
    TOKEN_REVOKED = "API token revoked"


@dataclass(frozen=True, slots=True)
class ApiTokenFacts:
    """Which API token (never its secret)."""

    name: str
    prefix: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AccessChanged:
    """A colleague's access changed: `sessions_ended` of their sessions were ended (with
    DISABLED or SESSIONS_ENDED), `token` is the API token issued or revoked."""

    colleague: User
    source: ColleagueChangeSource
    change: AccessChange
    sessions_ended: int = 0
    token: ApiTokenFacts | None = None


colleague_access_changed: Hook[AccessChanged, None] = Hook(
    "accounts.colleague_access_changed",
    "A colleague was disabled or enabled again, had their sessions ended, or had an API token "
    "issued or revoked, inside the saving transaction, only when something changed. audit "
    "records who did what to whose access.",
)
