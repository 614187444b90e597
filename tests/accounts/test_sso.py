"""Single sign-on against a real OpenID Connect provider process: the whole code flow with the
Django test client, MFA and role refusals, the session limits, and a colleague disabled at the
provider losing access at the next check, and signing out at the provider too."""

import html
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management import call_command
from django.urls import reverse

from accounts import roles, sso
from accounts.middleware import SIGNED_IN_AT
from accounts.models import ColleagueSession, User
from accounts.roles import user_role_names
from accounts.services import DEMO_COLLEAGUES
from audit.models import AccessEvent
from tests.factories import ColleagueFactory
from tests.oidc_provider import free_loopback_port, sso_sign_in

pytestmark = pytest.mark.django_db
HOME = reverse("home")
SIGN_IN = reverse("accounts:sign-in")
SIGN_OUT = reverse("accounts:sign-out")
SIGNED_OUT = reverse("accounts:signed-out")


def refusal(response) -> str:
    assert response.status_code == 403, response.status_code
    return response.content.decode()


def test_a_new_colleague_signs_in_with_mfa_and_gets_the_role_of_their_group(client, oidc_provider):
    oidc_provider.put_user(
        "f2d6c1e0-new",
        {
            "groups": ["dwp-portal-acssls", "some-other-group"],
            "amr": ["pwd", "mfa"],
            "given_name": "Nia",
            "family_name": "Okafor",
            "email": "nia.okafor@dwp.example",
        },
    )
    response = sso_sign_in(client, oidc_provider, "f2d6c1e0-new")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="f2d6c1e0-new")
    assert (user.first_name, user.last_name, user.email) == (
        "Nia",
        "Okafor",
        "nia.okafor@dwp.example",
    )
    assert user_role_names(user) == [roles.ACSSL]
    assert not user.has_usable_password()
    page = client.get(HOME, follow=True)
    assert page.status_code == 200
    assert page.context["user"] == user
    assert ColleagueSession.objects.filter(user=user).count() == 1


def test_an_existing_colleague_has_their_roles_replaced_by_the_providers_groups(
    client, oidc_provider
):
    colleague = ColleagueFactory(username="sub-leader", role=roles.WORK_COACH)
    oidc_provider.put_user("sub-leader", {"groups": ["dwp-portal-team-leaders"], "amr": ["otp"]})
    assert sso_sign_in(client, oidc_provider, "sub-leader").status_code == 302
    colleague.refresh_from_db()
    assert user_role_names(User.objects.get(pk=colleague.pk)) == [roles.TEAM_LEADER]
    # In the access audit, once: the provider changed their role at sign-in.
    [event] = AccessEvent.objects.filter(action=AccessEvent.Action.COLLEAGUE_CHANGE)
    assert (event.user, event.username, event.channel) == (
        None,
        "(system: identity provider at sign-in)",
        "sign_in",
    )
    assert event.request_id
    assert event.detail["role"] == {"from": [roles.WORK_COACH], "to": [roles.TEAM_LEADER]}


def test_the_next_page_is_kept_through_the_provider(client, oidc_provider, work_coach):
    oidc_provider.put_colleague(work_coach)
    response = sso_sign_in(client, oidc_provider, work_coach.username, next_url="/acs/refer/x/")
    assert response["Location"] == "/acs/refer/x/"


def test_an_acr_at_the_configured_level_counts_as_mfa(client, oidc_provider, work_coach, settings):
    settings.OIDC_MFA_ACR_VALUES = ["urn:dwp:loa:substantial"]
    oidc_provider.put_user(
        work_coach.username,
        {"groups": ["dwp-portal-work-coaches"], "amr": ["pwd"], "acr": "urn:dwp:loa:substantial"},
    )
    assert sso_sign_in(client, oidc_provider, work_coach.username).status_code == 302


@pytest.mark.parametrize(
    "claims",
    [
        {"amr": ["pwd"]},
        {},
        {"amr": "pwd", "acr": "urn:dwp:loa:low"},
    ],
)
def test_sign_in_without_mfa_is_refused_with_a_clear_page(client, oidc_provider, claims):
    oidc_provider.put_user("no-mfa", {"groups": ["dwp-portal-work-coaches"], **claims})
    page = refusal(sso_sign_in(client, oidc_provider, "no-mfa"))
    assert "Sign in with multi-factor authentication" in page
    assert "govuk-heading-l" in page
    assert not User.objects.filter(username="no-mfa").exists()
    assert sso.ACCESS_TOKEN not in client.session
    assert sso.REFRESH_TOKEN not in client.session
    assert client.get(HOME)["Location"].startswith(SIGN_IN)


@pytest.mark.parametrize("groups", [[], ["finance-team"], None])
def test_a_colleague_whose_groups_map_to_no_role_is_refused(client, oidc_provider, groups):
    claims: dict[str, object] = {"amr": ["mfa"]}
    if groups is not None:
        claims["groups"] = groups
    oidc_provider.put_user("no-role", claims)
    page = refusal(sso_sign_in(client, oidc_provider, "no-role"))
    assert "You do not have access to the portal" in page
    assert not User.objects.filter(username="no-role").exists()


def test_a_colleague_disabled_in_the_portal_is_refused(client, oidc_provider, work_coach):
    work_coach.is_active = False
    work_coach.save()
    oidc_provider.put_colleague(work_coach)
    assert "Your account is disabled" in refusal(
        sso_sign_in(client, oidc_provider, work_coach.username)
    )


def test_denying_at_the_provider_is_a_clear_page(client, oidc_provider):
    assert "You did not sign in" in refusal(sso_sign_in(client, oidc_provider, None))


def test_a_forged_or_replayed_callback_is_a_clear_page_not_a_500(client, oidc_provider):
    client.get(reverse("accounts:sso-start"))  # a state is waiting in the session
    callback = reverse("accounts:sso-callback")
    assert "Sign-in did not complete" in refusal(client.get(callback, {"code": "x", "state": "y"}))
    assert client.get(callback, {"code": "x"}).status_code == 403
    fresh = client.__class__()
    assert fresh.get(callback, {"code": "x", "state": "y"}).status_code == 403


def test_a_replayed_code_is_refused(client, oidc_provider, work_coach):
    oidc_provider.put_colleague(work_coach)
    start = client.get(reverse("accounts:sso-start"))
    back = oidc_provider.authorize(start["Location"], work_coach.username)
    path = back.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 302
    client.logout()
    assert client.get("/" + path).status_code == 403


def test_an_unreachable_provider_is_a_clear_page(client, oidc_provider, work_coach, settings):
    oidc_provider.put_colleague(work_coach)
    start = client.get(reverse("accounts:sso-start"))
    back = oidc_provider.authorize(start["Location"], work_coach.username)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/oauth2/token"  # nothing listens
    path = "/" + back.split("://", 1)[1].split("/", 1)[1]
    assert "Sign-in did not complete" in refusal(client.get(path))


def test_an_id_token_for_another_client_is_refused(client, oidc_provider, work_coach, settings):
    oidc_provider.put_colleague(work_coach)
    start = client.get(reverse("accounts:sso-start"))
    back = oidc_provider.authorize(start["Location"], work_coach.username)
    settings.OIDC_RP_CLIENT_ID = "another-service"  # the token's audience no longer matches
    path = "/" + back.split("://", 1)[1].split("/", 1)[1]
    assert "Sign-in did not complete" in refusal(client.get(path))


# Sessions: the same limits as any sign-in, and the provider's word checked every few minutes.
def signed_in(client, provider, user) -> SessionStore:
    provider.put_colleague(user)
    assert sso_sign_in(client, provider, user.username).status_code == 302
    assert client.get(HOME, follow=True).status_code == 200
    return SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def advance(session: SessionStore, key: str, seconds: float) -> None:
    """Move the session's clock back, as if `seconds` had passed since `key` was stamped."""
    session[key] -= seconds
    session.save()


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_an_sso_session_has_the_thirty_minute_idle_and_twelve_hour_limits(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    assert session.get_expiry_age() == 30 * 60
    response = client.get(HOME)
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60
    advance(session, SIGNED_IN_AT, 12 * 60 * 60 + 1)
    advance(session, sso.CHECKED_AT, 0)
    assert is_signed_out(client.get(HOME))


def test_a_colleague_disabled_at_the_provider_is_signed_out_at_the_next_check(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    oidc_provider.revoke_tokens(work_coach.username)  # disabled at the provider
    # Until the next check the session stands; the check comes within OIDC_RECHECK_SECONDS.
    assert settings.OIDC_RECHECK_SECONDS <= 5 * 60
    assert client.get(HOME, follow=True).status_code == 200
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_SECONDS)
    response = client.get(HOME)
    assert is_signed_out(response)
    assert "no longer valid" in client.get(response["Location"]).content.decode()
    assert is_signed_out(client.get(HOME))


def test_a_colleague_removed_from_the_portals_groups_is_signed_out_at_the_next_check(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    oidc_provider.put_user(work_coach.username, {"groups": [], "amr": ["mfa"]})
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_SECONDS)
    assert is_signed_out(client.get(HOME))


def test_a_role_changed_at_the_provider_applies_at_the_next_check(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    changes = AccessEvent.objects.filter(action=AccessEvent.Action.COLLEAGUE_CHANGE)
    assert not changes.exists()  # signed in with the groups of the role they had: no change
    oidc_provider.put_user(
        work_coach.username, {"groups": ["dwp-portal-team-leaders"], "amr": ["mfa"]}
    )
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_SECONDS)
    assert client.get(HOME, follow=True).status_code == 200
    assert user_role_names(User.objects.get(pk=work_coach.pk)) == [roles.TEAM_LEADER]
    assert SessionStore(session_key=session.session_key)[sso.CHECKED_AT] > time.time() - 60
    # In the access audit, once: the provider changed their role at the session check.
    [event] = changes
    assert (event.user, event.username, event.channel) == (
        None,
        "(system: identity provider at a session check)",
        "sign_in",
    )
    assert event.detail["role"] == {"from": [roles.WORK_COACH], "to": [roles.TEAM_LEADER]}
    # The next check with the same groups records nothing more.
    advance(SessionStore(session_key=session.session_key), sso.CHECKED_AT, 10**4)
    assert client.get(HOME, follow=True).status_code == 200
    assert changes.count() == 1


def test_an_expired_access_token_is_refreshed_and_the_session_goes_on(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    session[sso.ACCESS_TOKEN] = "expired-or-unknown"  # the provider answers 401
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_SECONDS)
    assert client.get(HOME, follow=True).status_code == 200
    refreshed = SessionStore(session_key=session.session_key)
    assert refreshed[sso.ACCESS_TOKEN] != "expired-or-unknown"
    assert refreshed[sso.CHECKED_AT] > time.time() - 60


def test_an_unreachable_provider_keeps_the_session_only_for_the_grace_period(
    client, oidc_provider, work_coach, settings
):
    session = signed_in(client, oidc_provider, work_coach)
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/userinfo"  # nothing listens
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_SECONDS)
    assert client.get(HOME, follow=True).status_code == 200
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_GRACE_SECONDS)
    assert is_signed_out(client.get(HOME))


def test_a_password_session_is_not_checked_at_the_provider(client, work_coach):
    from tests.factories.accounts import TEST_PASSWORD

    client.post(SIGN_IN, {"username": work_coach.username, "password": TEST_PASSWORD})
    assert sso.CHECKED_AT not in client.session
    assert client.get(HOME, follow=True).status_code == 200


# `make run`: the local provider's users are the demo colleagues, in their roles' groups.
@pytest.mark.parametrize("user", sso.demo_provider_users(), ids=lambda user: str(user["sub"]))
def test_each_local_provider_user_signs_in_as_make_run_says(client, oidc_provider, user):
    claims = {key: value for key, value in user.items() if key != "sub"}
    oidc_provider.put_user(str(user["sub"]), claims)
    response = sso_sign_in(client, oidc_provider, str(user["sub"]))
    if user["sub"] == "coach-no-mfa":
        assert "multi-factor" in refusal(response)
    elif user["sub"] == "no-portal-group":
        assert "You do not have access" in refusal(response)
    else:
        assert response.status_code == 302
        expected = [role for username, *_, role in DEMO_COLLEAGUES if username == user["sub"]]
        assert user_role_names(User.objects.get(username=user["sub"])) == expected


def test_demo_users_writes_the_provider_users_and_says_how_to_sign_in(settings, tmp_path):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("demo_users", sso_users_file=str(tmp_path / "sso-users.json"), stdout=out)
    written = json.loads((tmp_path / "sso-users.json").read_text())
    assert [user["sub"] for user in written] == [
        "coach",
        "acssl",
        "leader",
        "admin",
        "coach-no-mfa",
        "no-portal-group",
    ]
    assert "Sign in with your DWP account" in out.getvalue()
    assert "coach-demo-2026" in out.getvalue()


def test_single_sign_on_starts_a_new_session_and_the_old_key_is_dead(client, oidc_provider):
    oidc_provider.put_user("fixation", {"groups": ["dwp-portal-work-coaches"], "amr": ["mfa"]})
    start = client.get(reverse("accounts:sso-start"))
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value  # e.g. set by an attacker
    back = oidc_provider.authorize(start["Location"], "fixation")
    assert client.get("/" + back.split("://", 1)[1].split("/", 1)[1]).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted
    assert not SessionStore(session_key=planted).exists(planted)


def test_an_htmx_request_after_the_provider_ended_the_session_reloads_the_sign_in_page(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    oidc_provider.revoke_tokens(work_coach.username)
    advance(session, sso.CHECKED_AT, settings.OIDC_RECHECK_SECONDS)
    response = client.get(HOME, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == SIGN_IN
    assert is_signed_out(client.get(HOME))


# Signing out ends the session at the provider too (RP-initiated logout). The provider process
# keeps no sign-in session of its own (it asks who to sign in as every time), so what a test can
# show is the portal's side: the browser sent to the provider's end_session_endpoint with the
# right parameters, and the provider's end-session page sending it back to the signed-out page.
def test_sign_out_ends_the_session_at_the_provider_and_comes_back_signed_out(
    client, oidc_provider, work_coach
):
    session = signed_in(client, oidc_provider, work_coach)
    id_token = session[sso.ID_TOKEN]
    response = client.post(SIGN_OUT)

    # A page that moves on at once (a form's redirect to another site breaks the CSP), with a
    # link for a browser that does not follow the refresh.
    assert response.status_code == 200
    page = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page)
    assert refresh, page
    provider_url = html.unescape(refresh.group(1))
    assert f'href="{refresh.group(1)}"' in page
    location = urlsplit(provider_url)
    endpoint = oidc_provider.discovery()["end_session_endpoint"]
    assert f"{location.scheme}://{location.netloc}{location.path}" == endpoint
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]  # the ID token the provider issued at sign-in
    hint = jwt.decode(id_token, options={"verify_signature": False})
    assert (hint["sub"], hint["iss"]) == (work_coach.username, oidc_provider.url)
    assert query["post_logout_redirect_uri"] == [f"http://testserver{SIGNED_OUT}"]
    assert query["client_id"] == [settings.OIDC_RP_CLIENT_ID]
    # The portal's own session ended before the browser left for the provider.
    assert not SessionStore(session_key=session.session_key).exists(session.session_key)
    assert is_signed_out(client.get(HOME))

    back = urlsplit(oidc_provider.end_session(provider_url))
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"http://testserver{SIGNED_OUT}"
    page = client.get(back.path)
    assert page.status_code == 200
    assert "You have signed out" in page.content.decode()


@pytest.fixture
def provider_without_end_session(oidc_provider) -> Iterator[str]:
    """A provider whose discovery document names no end_session_endpoint (many do not)."""
    document = {**oidc_provider.discovery()}
    del document["end_session_endpoint"]
    body = json.dumps(document).encode()

    class Discovery(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_loopback_port()), Discovery)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("provider", ["without an end_session_endpoint", "unreachable"])
def test_sign_out_ends_the_portal_session_whatever_the_provider_says(
    client, oidc_provider, work_coach, settings, request, provider
):
    session = signed_in(client, oidc_provider, work_coach)
    if provider == "unreachable":
        settings.OIDC_OP_ISSUER = f"http://127.0.0.1:{free_loopback_port()}"  # nothing listens
    else:
        settings.OIDC_OP_ISSUER = request.getfixturevalue("provider_without_end_session")
    response = client.post(SIGN_OUT)
    assert (response.status_code, response["Location"]) == (302, SIGNED_OUT)
    assert not SessionStore(session_key=session.session_key).exists(session.session_key)
    assert is_signed_out(client.get(HOME))


def test_a_refused_sign_in_keeps_no_id_token(client, oidc_provider):
    oidc_provider.put_user("no-mfa", {"groups": ["dwp-portal-work-coaches"], "amr": ["pwd"]})
    refusal(sso_sign_in(client, oidc_provider, "no-mfa"))
    assert sso.ID_TOKEN not in client.session
