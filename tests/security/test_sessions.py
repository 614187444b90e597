"""Session rules, proved by behaviour (ASVS V7): idle and absolute timeouts, no fixation, and
sign-out, disabling and admins really end a session — the old cookie no longer works."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX, SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import ColleagueSession
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("accounts:sign-in")
HOME = reverse("home")


def sign_in(client: Client, username: str = "coach1") -> str:
    response = client.post(SIGN_IN, {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def replay(session_key: str) -> Client:
    """A fresh browser presenting an old session cookie (e.g. a copied or stolen one)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def idle_for(session_key: str, delta: dt.timedelta) -> None:
    """Age the stored session as if the colleague had done nothing for `delta`.

    cached_db sessions live in Redis (TTL = the idle timeout) and PostgreSQL (expire_date):
    an idle session is gone from the cache and past its expiry date in the database.
    """
    row = Session.objects.get(session_key=session_key)
    row.expire_date -= delta
    row.save(update_fields=["expire_date"])
    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + session_key)


def test_idle_for_thirty_minutes_signs_the_colleague_out(client, work_coach):
    key = sign_in(client)
    assert client.get(HOME).status_code == 200
    idle_for(key, dt.timedelta(minutes=30, seconds=1))
    assert signed_out(client.get(HOME))


def test_each_request_renews_the_thirty_minute_idle_timeout(client, work_coach):
    key = sign_in(client)
    response = client.get(HOME)
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60
    expires = Session.objects.get(session_key=key).expire_date
    assert abs(expires - (timezone.now() + dt.timedelta(minutes=30))) < dt.timedelta(seconds=30)

    idle_for(key, dt.timedelta(minutes=29))  # 29 idle minutes: still signed in ...
    assert client.get(HOME).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date  # ... and the clock restarts
    assert renewed - timezone.now() > dt.timedelta(minutes=29, seconds=30)


def test_absolute_limit_is_twelve_hours_even_when_active(client, work_coach):
    from accounts.middleware import SIGNED_IN_AT

    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 60 * 60
    key = sign_in(client)
    session = SessionStore(session_key=key)
    session[SIGNED_IN_AT] -= 11 * 60 * 60 + 59 * 60  # 11 h 59 min ago: still fine
    session.save()
    assert client.get(HOME).status_code == 200
    session = SessionStore(session_key=key)
    session[SIGNED_IN_AT] -= 2 * 60  # now 12 h 1 min ago
    session.save()
    assert signed_out(client.get(HOME))
    assert signed_out(replay(key).get(HOME))


def test_sign_in_replaces_a_session_an_attacker_planted(client, work_coach):
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    new_key = sign_in(client)
    assert new_key != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    # The planted key does not become a signed-in session for whoever holds it.
    assert signed_out(replay(planted.session_key).get(HOME))


def test_sign_out_kills_the_session_on_the_server(client, work_coach):
    key = sign_in(client)
    assert replay(key).get(HOME).status_code == 200
    client.post(reverse("accounts:sign-out"))
    assert not SessionStore().exists(key)
    assert signed_out(replay(key).get(HOME))


def test_admin_unticking_active_on_the_change_form_ends_sessions(client, admin_user, work_coach):
    coach = Client()
    key = sign_in(coach)
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[work_coach.pk])
    data = {
        "username": work_coach.username,
        "first_name": work_coach.first_name,
        "last_name": work_coach.last_name,
        "email": "",
        # is_active left out: the box is unticked.
        "role": roles.WORK_COACH,
        "staff_number": "",
        "team": work_coach.team,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    work_coach.refresh_from_db()
    assert not work_coach.is_active
    assert signed_out(coach.get(HOME))
    assert not SessionStore().exists(key)  # gone, not merely refused for an inactive user
    assert not ColleagueSession.objects.filter(user=work_coach).exists()


def test_admin_disable_action_ends_sessions(client, admin_user, work_coach):
    coach = Client()
    key = sign_in(coach)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable_colleagues", "_selected_action": [work_coach.pk]},
        follow=True,
    )
    assert b"ended 1 session" in response.content
    assert not SessionStore().exists(key)
    assert signed_out(replay(key).get(HOME))
    # A disabled colleague cannot sign in again either.
    again = Client().post(SIGN_IN, {"username": "coach1", "password": TEST_PASSWORD})
    assert again.status_code == 200


def test_session_cookie_is_httponly_and_samesite(client, work_coach):
    sign_in(client)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_clears_site_data(client, work_coach):
    sign_in(client)
    response = client.post(reverse("accounts:sign-out"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_sign_in_successes_and_failures_are_recorded(client, work_coach):
    from axes.models import AccessAttempt, AccessLog

    client.post(SIGN_IN, {"username": "coach1", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    attempt = AccessAttempt.objects.get(username="coach1")
    assert (attempt.ip_address, attempt.failures_since_start) == ("10.0.0.7", 1)
    client.post(SIGN_IN, {"username": "coach1", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert AccessLog.objects.filter(username="coach1", ip_address="10.0.0.7").exists()


def test_a_new_password_ends_the_colleagues_other_sessions(client, admin_user, work_coach):
    coach = Client()
    key = sign_in(coach)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[work_coach.pk]),
        {"password1": "a-brand-new-passphrase-2026", "password2": "a-brand-new-passphrase-2026"},
    )
    assert response.status_code == 302, response.content
    assert signed_out(coach.get(HOME))  # Django's session auth hash no longer matches
    assert signed_out(replay(key).get(HOME))
