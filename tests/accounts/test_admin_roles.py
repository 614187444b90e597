"""Setting a colleague's role in admin: one choice of the four, nothing else offered."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import User
from tests.factories import ColleagueFactory

pytestmark = pytest.mark.django_db


def change_form(user: User, **overrides: object) -> dict[str, object]:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "team": user.team,
        "staff_number": "",
        "is_active": "on",
        "role": roles.ACSSL,
        **overrides,
    }


def test_the_change_page_offers_one_role_choice_and_no_raw_permissions(client, admin_user):
    colleague = ColleagueFactory(role=roles.WORK_COACH)
    client.force_login(admin_user)
    response = client.get(reverse("admin:accounts_user_change", args=[colleague.pk]))
    page = response.text
    assert 'type="radio" name="role" value="Work coach"' in page
    assert response.context["adminform"].form["role"].value() == roles.WORK_COACH
    for hidden in (
        'name="groups"',
        'name="user_permissions"',
        'name="is_staff"',
        'name="is_superuser"',
    ):
        assert hidden not in page


def test_choosing_a_role_replaces_the_old_one(client, admin_user):
    colleague = ColleagueFactory(role=roles.WORK_COACH)
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    response = client.post(url, change_form(colleague, role=roles.TEAM_LEADER))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert list(colleague.groups.values_list("name", flat=True)) == [roles.TEAM_LEADER]
    assert not colleague.is_staff

    client.post(url, change_form(colleague, role=roles.ADMIN))
    colleague.refresh_from_db()
    assert list(colleague.groups.values_list("name", flat=True)) == [roles.ADMIN]
    assert colleague.is_staff  # an admin reaches Django admin


def test_a_role_is_required_and_a_raw_permission_post_is_ignored(client, admin_user):
    colleague = ColleagueFactory(role=roles.WORK_COACH)
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    refused = client.post(url, change_form(colleague, role=""))
    assert refused.status_code == 200
    assert "This field is required" in refused.text
    client.post(url, change_form(colleague, role="Superhero"))
    client.post(url, change_form(colleague, is_superuser="on", is_staff="on"))
    colleague.refresh_from_db()
    assert (colleague.is_superuser, colleague.is_staff) == (False, False)
    assert list(colleague.groups.values_list("name", flat=True)) == [roles.ACSSL]


def test_a_new_colleague_is_added_with_a_role(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newacssl",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "role": roles.ACSSL,
            "team": "Leeds ACS",
        },
    )
    assert response.status_code == 302
    made = User.objects.get(username="newacssl")
    assert list(made.groups.values_list("name", flat=True)) == [roles.ACSSL]
    assert made.team == "Leeds ACS"


def test_a_role_or_team_change_in_admin_is_in_the_access_audit(client, admin_user):
    from audit.models import AccessEvent

    colleague = ColleagueFactory(
        role=roles.WORK_COACH, team="Leeds", first_name="Wendy", last_name="Coach"
    )
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    response = client.post(url, change_form(colleague, role=roles.ACSSL, team="Leeds ACS"))
    assert response.status_code == 302
    event = AccessEvent.objects.get(action=AccessEvent.Action.COLLEAGUE_CHANGE)
    assert (event.user, event.username, event.channel, event.customer_id) == (
        admin_user,
        admin_user.username,
        "admin",
        None,
    )
    assert event.what == "colleague role and team"
    assert event.detail == {
        "colleague": colleague.username,
        "colleague_id": colleague.pk,
        "colleague_name": "Wendy Coach",
        "added": False,
        "role": {"from": [roles.WORK_COACH], "to": [roles.ACSSL]},
        "team": {"from": "Leeds", "to": "Leeds ACS"},
    }
    assert event.request_id  # the admin request's id, as every access event has

    # Saved again with nothing changed: nothing more in the audit.
    colleague.refresh_from_db()
    client.post(url, change_form(colleague, role=roles.ACSSL))
    assert AccessEvent.objects.filter(action="colleague_change").count() == 1

    # The access audit in admin lists it, in plain words.
    listed = client.get(
        reverse("admin:audit_accessevent_changelist"), {"action": "colleague_change"}
    )
    assert "Changed a colleague&#x27;s role or team" in listed.text
    assert (
        f"Changed Wendy Coach ({colleague.username})&#x27;s role from Work coach to ACSSL"
        " and team from Leeds to Leeds ACS"
    ) in listed.text
    shown = client.get(reverse("admin:audit_accessevent_change", args=[event.pk]))
    assert "Leeds ACS" in shown.text


def test_a_new_colleague_with_a_role_is_in_the_access_audit(client, admin_user):
    from audit.models import AccessEvent

    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newleader",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "role": roles.TEAM_LEADER,
            "team": "York ACS",
        },
    )
    event = AccessEvent.objects.get(action="colleague_change")
    assert event.detail["added"] is True
    assert event.detail["role"] == {"from": [], "to": [roles.TEAM_LEADER]}
    assert event.detail["team"] == {"from": "", "to": "York ACS"}
    listed = client.get(reverse("admin:audit_accessevent_changelist"))
    assert "Added newleader as Team leader in team York ACS" in listed.text
