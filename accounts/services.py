"""Writes about colleagues."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts import roles
from accounts.models import User

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
