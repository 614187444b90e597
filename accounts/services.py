"""Writes about colleagues: their role and team, demo colleagues, session tracking, disabling,
enabling and ending sessions. Each change to a colleague's role, team or access is announced
(accounts/hooks.py) with who made it, for the access audit; nothing is announced when nothing
changed."""

import time
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from accounts import roles
from accounts.hooks import (
    AccessChange,
    AccessChanged,
    ColleagueChangeSource,
    RoleChanged,
    colleague_access_changed,
    colleague_role_changed,
)
from accounts.middleware import SIGNED_IN_AT
from accounts.models import ColleagueSession, User
from core.requests import client_address_of

# Local demo only: demo_users refuses unless settings.DEMO_MODE, and production sets it off.
DEMO_COLLEAGUES = (
    ("coach", "Wendy", "Coach", roles.WORK_COACH),
    ("acssl", "Ada", "Senior", roles.ACSSL),
    ("leader", "Tariq", "Leader", roles.TEAM_LEADER),
    ("admin", "Alex", "Admin", roles.ADMIN),
)


def demo_password(username: str) -> str:
    return f"{username}-demo-2026"


@transaction.atomic
def colleague_ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create (or reset) one demo colleague per role; returns (username, password, role)."""
    if not settings.DEMO_MODE:
        raise PermissionError("demo colleagues exist only in local mode")
    created = []
    for username, first_name, last_name, role in DEMO_COLLEAGUES:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.team = first_name, last_name, "Demo team"
        user.is_active = True
        user.is_staff = role == roles.ADMIN
        user.set_password(demo_password(username))
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        created.append((username, demo_password(username), role))
    return created


@transaction.atomic
def colleague_role_set(*, user: User, role: str) -> User:
    """Give the colleague exactly one of the four roles (its group; an Admin is also staff, to
    reach Django admin). Superuser status and any permissions given one by one are left as
    they are: no form offers them."""
    if role not in roles.ROLE_NAMES:
        raise ValueError(f"Unknown role: {role}")
    user.groups.set([Group.objects.get(name=role)])
    staff = role == roles.ADMIN
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    user._role_names = [role]  # the per-request role cache (accounts.roles.user_role_names)
    return user


@transaction.atomic
def colleague_role_and_team_set(
    *,
    colleague: User,
    role: str,
    team: str,
    source: ColleagueChangeSource,
    added: bool = False,
) -> User:
    """Set the colleague's one role and their team, as Django admin's one role control does,
    and announce the change (accounts.hooks.colleague_role_changed: the audit records who
    changed whose role and team, from what to what). What they had is read from the database,
    so call it before anything else saves the colleague; `added`: the colleague is new (they
    had nothing). Nothing is announced when nothing changed."""
    if added:
        roles_before: tuple[str, ...] = ()
        team_before = ""
    else:
        roles_before = tuple(sorted(colleague.groups.values_list("name", flat=True)))
        team_before = User.objects.filter(pk=colleague.pk).values_list("team", flat=True).get()
    colleague_role_set(user=colleague, role=role)
    colleague.team = team
    if team != team_before:
        colleague.save(update_fields=["team"])
    if added or roles_before != (role,) or team != team_before:
        colleague_role_changed.announce(
            RoleChanged(
                colleague=colleague,
                source=source,
                roles_before=roles_before,
                roles_after=(role,),
                team_before=team_before,
                team_after=team,
                added=added,
            )
        )
    return colleague


@transaction.atomic
def colleague_update_from_provider(
    *,
    subject: str,
    claims: Mapping[str, object],
    role_names: Sequence[str],
    source: ColleagueChangeSource,
) -> User:
    """The colleague the identity provider vouched for, created on first sign-in, with the roles
    and names the provider gives now. The username is the provider's subject; such a colleague
    has no usable password. A colleague disabled here stays disabled. When their roles change
    (a new colleague's first roles included) it is announced as an admin's change is
    (accounts.hooks.colleague_role_changed), by `source` (the provider, at a sign-in or a
    session check); nothing is announced when they stay the same."""
    user, created = User.objects.get_or_create(username=subject)
    if created:
        user.set_unusable_password()
    for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
        value = claims.get(claim)
        if isinstance(value, str) and value:
            setattr(user, field, value[:150])  # AbstractUser's name lengths
    email = claims.get("email")
    if isinstance(email, str) and "@" in email:
        user.email = email[:254]
    user.is_staff = roles.ADMIN in role_names
    user.save()
    had = () if created else tuple(sorted(user.groups.values_list("name", flat=True)))
    wanted = tuple(sorted(set(role_names)))
    if had != wanted:
        user.groups.set(Group.objects.filter(name__in=wanted))
        colleague_role_changed.announce(
            RoleChanged(
                colleague=user,
                source=source,
                roles_before=had,
                roles_after=wanted,
                team_before=user.team,
                team_after=user.team,
                added=created,
            )
        )
    return user


def colleague_session_start(*, request: HttpRequest, user: User) -> ColleagueSession:
    """Record a fresh sign-in. Django has already cycled the session key (no fixation)."""
    request.session[SIGNED_IN_AT] = time.time()
    if request.session.session_key is None:
        request.session.save()
    session_key = request.session.session_key
    assert session_key is not None  # save() gave the session its key
    return ColleagueSession.objects.create(
        user=user,
        session_key=session_key,
        client_address=client_address_of(request),
    )


def _delete_sessions(session_keys: list[str]) -> None:
    # cached_db sessions live in Redis and PostgreSQL: remove both copies.
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    cache.delete_many([KEY_PREFIX + key for key in session_keys])
    Session.objects.filter(session_key__in=session_keys).delete()


def _end_sessions(user: User) -> int:
    tracked = ColleagueSession.objects.filter(user=user)
    keys = list(tracked.values_list("session_key", flat=True))
    _delete_sessions(keys)
    tracked.delete()
    return len(keys)


def _access_changed(
    user: User, source: ColleagueChangeSource, change: AccessChange, sessions_ended: int
) -> None:
    colleague_access_changed.announce(
        AccessChanged(colleague=user, source=source, change=change, sessions_ended=sessions_ended)
    )


@transaction.atomic
def colleague_end_sessions(*, user: User, source: ColleagueChangeSource) -> int:
    """End every session the colleague has open; returns how many were ended. Announced
    (accounts.hooks.colleague_access_changed) when there were any."""
    ended = _end_sessions(user)
    if ended:
        _access_changed(user, source, AccessChange.SESSIONS_ENDED, ended)
    return ended


@transaction.atomic
def colleague_active_set(*, colleague: User, active: bool, source: ColleagueChangeSource) -> int:
    """Enable or disable the colleague; disabling ends their sessions at once. Returns the
    sessions ended. What they had is read from the database, so call it before anything else
    saves the colleague. The change is announced (accounts.hooks.colleague_access_changed) when
    there was one; disabling a colleague already disabled only ends any sessions left (announced
    as such, if there were any)."""
    was_active = User.objects.filter(pk=colleague.pk).values_list("is_active", flat=True).get()
    colleague.is_active = active
    if was_active != active:
        colleague.save(update_fields=["is_active"])
    ended = 0 if active else _end_sessions(colleague)
    if was_active != active:
        change = AccessChange.ENABLED if active else AccessChange.DISABLED
        _access_changed(colleague, source, change, ended)
    elif ended:
        _access_changed(colleague, source, AccessChange.SESSIONS_ENDED, ended)
    return ended


def colleague_disable(*, user: User, source: ColleagueChangeSource) -> int:
    """Disable the account and end its sessions at once; returns the sessions ended."""
    return colleague_active_set(colleague=user, active=False, source=source)
