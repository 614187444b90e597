"""Roles exist after migrate, demo colleagues only in local mode, admin for admins only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from accounts.services import colleague_ensure_demo_users

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_NAMES)


def test_roles_sync_grants_exactly_the_listed_permissions(monkeypatch):
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, roles.TEAM_LEADER, {"auth.view_group"})
    roles.roles_sync()
    granted = set(
        Group.objects.get(name=roles.TEAM_LEADER).permissions.values_list("codename", flat=True)
    )
    assert granted == {"view_group"}


def test_demo_colleagues_refused_outside_local_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(PermissionError):
        colleague_ensure_demo_users()


def test_demo_colleagues_one_per_role_in_local_mode(settings):
    settings.DEMO_MODE = True
    created = colleague_ensure_demo_users()
    assert {role for _, _, role in created} == set(roles.ROLE_NAMES)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("work_coach", 302), ("acssl", 302), ("team_leader", 302), ("admin_user", 200)],
)
def test_django_admin_is_for_admins_only(client, request, fixture, expected):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("admin:index")).status_code == expected


@pytest.mark.django_db(transaction=True)
def test_roles_and_their_grants_come_back_after_a_flush():
    from django.core.management import call_command

    call_command("flush", "--no-input", verbosity=0)
    coach = Group.objects.get(name=roles.WORK_COACH)
    assert coach.permissions.filter(codename="view_customer").exists()
