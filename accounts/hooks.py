"""What the accounts app announces to the apps above it (see core/hooks.py)."""

from dataclasses import dataclass

from accounts.models import User
from core.hooks import Hook


@dataclass(frozen=True, slots=True)
class ColleagueChangeSource:
    """Who changed a colleague, through what and from where: what the audit records of it."""

    by: User | None
    via: str  # the channel: "admin" (Django admin), "command"
    request_id: str = ""
    client_address: str | None = None


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
    "A colleague's role or team was set (the one role control in Django admin), inside the "
    "saving transaction, only when something changed or the colleague is new. audit records "
    "who changed whose role and team, from what to what.",
)
