"""The four roles and the permissions each one grants.

Roles are Django groups, created by a data migration (accounts/migrations/0002_roles.py). The
permissions each role holds are listed here, in one place, and applied after every migrate so
that permissions added by later apps reach the roles without another data migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User

WORK_COACH = "Work coach"
ACSSL = "ACSSL"
TEAM_LEADER = "Team leader"
ADMIN = "Admin"
ROLE_NAMES = (WORK_COACH, ACSSL, TEAM_LEADER, ADMIN)

# "app_label.codename" for each role. Apps add their permissions here as they land.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    WORK_COACH: set(),
    ACSSL: set(),
    TEAM_LEADER: set(),
    ADMIN: {
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.view_colleaguesession",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",  # unlocking a locked-out colleague
        "axes.view_accessfailurelog",
        "audit.view_accessevent",
        "accounts.view_apitoken",
        "accounts.change_apitoken",  # revoking
    },
}

# ACS cases (docs/access-control.md, "ACS cases"): every colleague who opens customer records
# refers; ACSSLs and team leaders triage, read and change cases; team leaders see every
# caseload; admins keep the reference data (and, opening no customer records, refer nobody).
ROLE_PERMISSIONS[WORK_COACH] |= {"acs.refer_customer"}
ROLE_PERMISSIONS[ACSSL] |= {"acs.refer_customer", "acs.manage_acs_case", "acs.view_acs_figures"}
ROLE_PERMISSIONS[TEAM_LEADER] |= {
    "acs.refer_customer",
    "acs.manage_acs_case",
    "acs.view_team_caseload",
    "acs.view_acs_figures",
}
ROLE_PERMISSIONS[ADMIN] |= {
    *(
        f"acs.{verb}_{model}"
        for verb in ("view", "add", "change")
        for model in ("casecategory", "partnerorganisation", "caseoutcome", "learningtheme")
    ),
}

# Support needs (docs/access-control.md, "Support needs"): work coaches, ACSSLs and team leaders
# record, review and end needs; only ACSSLs and team leaders read restricted needs and markers;
# admins keep the taxonomy.
for _role in (WORK_COACH, ACSSL, TEAM_LEADER):
    ROLE_PERMISSIONS[_role] |= {"support_needs.record_support_need"}
for _role in (ACSSL, TEAM_LEADER):
    ROLE_PERMISSIONS[_role] |= {"support_needs.view_restricted_need"}
ROLE_PERMISSIONS[ADMIN] |= {f"support_needs.{verb}_needtype" for verb in ("view", "add", "change")}

# Customer records (docs/access-control.md, "Customer records"): work coaches, ACSSLs and team
# leaders search, open records and record interactions; only ACSSLs and team leaders are
# cleared for restricted records (and give a reason each time). Admins do not open records.
for _role in (WORK_COACH, ACSSL, TEAM_LEADER):
    ROLE_PERMISSIONS[_role] |= {"customers.view_customer", "customers.add_interaction"}
for _role in (ACSSL, TEAM_LEADER):
    ROLE_PERMISSIONS[_role] |= {"customers.view_restricted_customer"}

# Legacy sync (benefits): team leaders and admins see the ops page; admins start syncs, edit
# schedules and resolve quarantined records (see docs/adr/0003).
ROLE_PERMISSIONS[TEAM_LEADER] |= {"benefits.view_syncrun"}
ROLE_PERMISSIONS[ADMIN] |= {
    "benefits.start_sync",
    "benefits.view_syncrun",
    "benefits.view_sourcewatermark",
    "benefits.view_syncschedule",
    "benefits.change_syncschedule",
    "benefits.view_quarantinedrecord",
    "benefits.change_quarantinedrecord",
}


def user_role_names(user: User | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    cached: list[str] | None = getattr(user, "_role_names", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def user_has_role(user: User | AnonymousUser, role: str) -> bool:
    return role in user_role_names(user)


def user_is_admin(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user_has_role(user, ADMIN)))


@transaction.atomic
def roles_sync() -> None:
    """Make each role group exist and hold exactly the permissions ROLE_PERMISSIONS lists."""
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                # The app has not been migrated yet; the next post_migrate will catch it.
                continue
            permissions.append(permission)
        group.permissions.set(permissions)


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate fires once per app, and each app's permissions are created by its own
    # signal: wait for the last app, when every permission exists.
    from django.apps import apps

    # Only apps with models get the signal: the last of those is the last to send it.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        roles_sync()


# Access audit: team leaders see who viewed a customer's record (admins search the whole audit
# in Django admin, with audit.view_accessevent above).
ROLE_PERMISSIONS[TEAM_LEADER] |= {"audit.view_customer_access_history"}
