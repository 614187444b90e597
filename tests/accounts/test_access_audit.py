"""Every change to a colleague's access is in the access audit, once, saying who did what to
whom: disabled or enabled again in admin, their sessions ended, an API token issued by the
command or revoked in admin, and their roles changed by the identity provider."""

import html
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.api_tokens import api_token_issue
from accounts.hooks import PROVIDER_AT_SIGN_IN, ColleagueChangeSource
from accounts.models import ApiToken, ColleagueSession, User
from accounts.services import colleague_update_from_provider
from audit.models import AccessEvent
from tests.factories import ColleagueFactory
from tests.factories.accounts import TEST_CHANGE_SOURCE, TEST_PASSWORD

pytestmark = pytest.mark.django_db
COLLEAGUES = reverse("admin:accounts_user_changelist")
AUDIT_LIST = reverse("admin:audit_accessevent_changelist")


@pytest.fixture
def wendy(db) -> User:
    return ColleagueFactory(
        username="wcoach", first_name="Wendy", last_name="Coach", role=roles.WORK_COACH
    )


@pytest.fixture
def admin_client(client, admin_user) -> Client:
    client.force_login(admin_user)
    return client


def signed_in_elsewhere(colleague: User, times: int = 1) -> None:
    """The colleague signs in on `times` devices of their own."""
    for _ in range(times):
        device = Client()
        response = device.post(
            reverse("accounts:sign-in"),
            {"username": colleague.username, "password": TEST_PASSWORD},
        )
        assert response.status_code == 302
    assert ColleagueSession.objects.filter(user=colleague).count() == times


def access_events() -> list[AccessEvent]:
    return list(
        AccessEvent.objects.filter(action=AccessEvent.Action.COLLEAGUE_ACCESS).order_by("pk")
    )


def the_one_access_event() -> AccessEvent:
    events = access_events()
    assert len(events) == 1, [event.what for event in events]
    return events[0]


def listed(client: Client) -> str:
    """The access audit list in admin, as a reader sees its text."""
    return html.unescape(client.get(AUDIT_LIST).text)


def assert_by_admin(event: AccessEvent, admin_user: User, colleague: User) -> None:
    assert (event.user, event.username, event.channel, event.customer_id) == (
        admin_user,
        admin_user.username,
        "admin",
        None,
    )
    assert event.request_id  # the admin request's
    assert event.client_address == "127.0.0.1"
    assert (event.detail["colleague"], event.detail["colleague_id"]) == (
        colleague.username,
        colleague.pk,
    )
    assert event.detail["colleague_name"] == colleague.get_full_name()


def test_the_disable_action_is_audited_once_with_the_sessions_it_ended(
    admin_client, admin_user, wendy
):
    signed_in_elsewhere(wendy, times=2)
    admin_client.post(COLLEAGUES, {"action": "disable_colleagues", "_selected_action": [wendy.pk]})

    event = the_one_access_event()
    assert_by_admin(event, admin_user, wendy)
    assert event.what == "colleague disabled"
    assert event.detail["change"] == "disabled"
    assert event.detail["sessions_ended"] == 2
    assert "Disabled Wendy Coach (wcoach) and ended 2 sessions" in listed(admin_client)

    # Disabling them again changes nothing, and adds nothing to the audit.
    admin_client.post(COLLEAGUES, {"action": "disable_colleagues", "_selected_action": [wendy.pk]})
    assert len(access_events()) == 1


def test_the_end_sessions_action_is_audited_once(admin_client, admin_user, wendy):
    signed_in_elsewhere(wendy)
    admin_client.post(COLLEAGUES, {"action": "end_sessions", "_selected_action": [wendy.pk]})

    event = the_one_access_event()
    assert_by_admin(event, admin_user, wendy)
    assert (event.what, event.detail["sessions_ended"]) == ("colleague sessions ended", 1)
    assert "Ended 1 session of Wendy Coach (wcoach)" in listed(admin_client)
    wendy.refresh_from_db()
    assert wendy.is_active

    # No session left to end: nothing ended, nothing audited.
    admin_client.post(COLLEAGUES, {"action": "end_sessions", "_selected_action": [wendy.pk]})
    assert len(access_events()) == 1


def change_form(colleague: User, *, active: bool) -> dict[str, object]:
    form: dict[str, object] = {
        "username": colleague.username,
        "first_name": colleague.first_name,
        "last_name": colleague.last_name,
        "email": "",
        "team": colleague.team,
        "staff_number": "",
        "role": roles.WORK_COACH,  # the role they have: only their access changes
    }
    return {**form, "is_active": "on"} if active else form


def test_unticking_and_ticking_active_are_each_audited_once(admin_client, admin_user, wendy):
    signed_in_elsewhere(wendy)
    url = reverse("admin:accounts_user_change", args=[wendy.pk])

    assert admin_client.post(url, change_form(wendy, active=False)).status_code == 302
    disabled = the_one_access_event()
    assert_by_admin(disabled, admin_user, wendy)
    assert (disabled.what, disabled.detail["sessions_ended"]) == ("colleague disabled", 1)
    assert not ColleagueSession.objects.filter(user=wendy).exists()

    # Saved again still unticked: no change, no event.
    assert admin_client.post(url, change_form(wendy, active=False)).status_code == 302
    assert len(access_events()) == 1

    assert admin_client.post(url, change_form(wendy, active=True)).status_code == 302
    wendy.refresh_from_db()
    assert wendy.is_active
    enabled = access_events()[1:]
    assert [event.what for event in enabled] == ["colleague enabled"]
    assert_by_admin(enabled[0], admin_user, wendy)
    assert "sessions_ended" not in enabled[0].detail
    text = listed(admin_client)
    assert "Enabled Wendy Coach (wcoach) again" in text
    assert "Disabled Wendy Coach (wcoach) and ended 1 session" in text

    # Their role was not touched: no role event either.
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.COLLEAGUE_CHANGE).exists()


def test_revoking_a_token_in_admin_is_audited_once(admin_client, admin_user, wendy):
    api_token_issue(user=wendy, name="telephony", source=TEST_CHANGE_SOURCE)
    token = ApiToken.objects.get(user=wendy)
    issued = AccessEvent.objects.filter(what="colleague API token issued").count()
    revoke = {"action": "revoke", "_selected_action": [token.pk]}

    admin_client.post(reverse("admin:accounts_apitoken_changelist"), revoke)
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AccessEvent.objects.get(what="colleague API token revoked")
    assert_by_admin(revoked, admin_user, wendy)
    assert revoked.detail["token"]["name"] == "telephony"
    assert revoked.detail["token"]["prefix"] == token.prefix
    assert (
        f"Revoked the API token “telephony” (starting {token.prefix}) of Wendy Coach (wcoach)"
        in listed(admin_client)
    )

    # A revoked token stays revoked: revoking it again writes nothing.
    admin_client.post(reverse("admin:accounts_apitoken_changelist"), revoke)
    assert AccessEvent.objects.filter(what="colleague API token revoked").count() == 1
    assert AccessEvent.objects.filter(what="colleague API token issued").count() == issued


def test_issuing_a_token_with_the_command_is_audited_once_without_its_secret(admin_client, wendy):
    out = io.StringIO()
    call_command("api_token_issue", username="wcoach", name="telephony", days=30, stdout=out)
    printed = out.getvalue().strip()
    prefix, secret = printed.split(".")

    event = the_one_access_event()
    assert (event.user, event.username, event.channel) == (
        None,
        "(system: api_token_issue)",
        "command",
    )
    assert event.what == "colleague API token issued"
    assert event.detail["colleague"] == "wcoach"
    assert event.detail["token"]["name"] == "telephony"
    assert event.detail["token"]["prefix"] == prefix
    assert secret not in json.dumps(event.detail)
    expires = timezone.localtime(ApiToken.objects.get(prefix=prefix).expires_at)
    text = listed(admin_client)
    assert (
        f"Issued the API token “telephony” (starting {prefix}) to Wendy Coach (wcoach),"
        f" expiring {expires.day} {expires:%B %Y}"
    ) in text
    assert "(system: api_token_issue)" in text


# The identity provider's groups at sign-in (the whole flow: tests/accounts/test_sso.py).
def provider_signs_in(colleague_subject: str, role_names: list[str]) -> User:
    request = RequestFactory().get("/accounts/oidc/callback/", REMOTE_ADDR="10.1.2.3")
    request.request_id = "req-sso"  # type: ignore[attr-defined]
    return colleague_update_from_provider(
        subject=colleague_subject,
        claims={"given_name": "Nia", "family_name": "Okafor"},
        role_names=role_names,
        source=ColleagueChangeSource.for_provider(request, label=PROVIDER_AT_SIGN_IN),
    )


def role_events() -> list[AccessEvent]:
    return list(
        AccessEvent.objects.filter(action=AccessEvent.Action.COLLEAGUE_CHANGE).order_by("pk")
    )


def test_roles_changed_by_the_provider_are_audited_only_when_they_change(admin_client):
    nia = provider_signs_in("nia-sub", [roles.WORK_COACH])
    [first] = role_events()
    assert (first.user, first.username, first.channel) == (
        None,
        "(system: identity provider at sign-in)",
        "sign_in",
    )
    assert (first.request_id, first.client_address) == ("req-sso", "10.1.2.3")
    assert first.detail["added"] is True
    assert first.detail["role"] == {"from": [], "to": [roles.WORK_COACH]}

    provider_signs_in("nia-sub", [roles.WORK_COACH])  # the same groups: nothing to record
    assert len(role_events()) == 1

    provider_signs_in("nia-sub", [roles.ACSSL, roles.TEAM_LEADER])
    [_, changed] = role_events()
    assert changed.detail["colleague"] == nia.username
    assert changed.detail["added"] is False
    assert changed.detail["role"] == {
        "from": [roles.WORK_COACH],
        "to": [roles.ACSSL, roles.TEAM_LEADER],
    }
    assert changed.detail["team"] == {"from": nia.team, "to": nia.team}
    text = listed(admin_client)
    assert "Added Nia Okafor (nia-sub) as Work coach" in text
    assert "Changed Nia Okafor (nia-sub)'s role from Work coach to ACSSL and Team leader" in text
    assert not access_events()
