"""Lockout after repeated failures, idle and absolute timeouts, ending a colleague's sessions."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.middleware import LAST_ACTIVE_AT, SIGNED_IN_AT
from accounts.models import ColleagueSession
from accounts.services import colleague_disable, colleague_end_sessions
from tests.factories.accounts import TEST_CHANGE_SOURCE, TEST_PASSWORD

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("accounts:sign-in")


def sign_in(client, username="coach1", password=TEST_PASSWORD, address="10.0.0.1"):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_records_a_colleague_session(client, work_coach):
    assert sign_in(client).status_code == 302
    tracked = ColleagueSession.objects.get(user=work_coach)
    assert tracked.session_key == client.session.session_key
    assert tracked.client_address == "10.0.0.1"


def test_five_failures_lock_the_username_from_that_address(client, work_coach):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, password="wrong").status_code == 200
    assert sign_in(client, password="wrong").status_code == 429  # the fifth failure locks
    locked = sign_in(client)  # even the right password is refused now
    assert locked.status_code == 429
    assert b"Your account is locked" in locked.content
    assert "_auth_user_id" not in client.session
    # The same username from another address is not locked (lockout is per username + address).
    assert sign_in(client, address="10.0.0.2").status_code == 302


def _last_active(client, seconds_ago: float) -> None:
    session = client.session
    session[LAST_ACTIVE_AT] = time.time() - seconds_ago
    session.save()


def test_a_pages_timed_poll_is_not_activity(client, acssl):
    """The ACSSL's untriaged count polls every 30 seconds: a page left open on it must still
    sign out when the colleague has done nothing for 30 minutes."""
    client.force_login(acssl)
    assert client.get(reverse("customers:search")).status_code == 200
    _last_active(client, settings.SESSION_COOKIE_AGE - 60)
    before = client.session[LAST_ACTIVE_AT]
    count = reverse("acs:untriaged-immediate-count")
    poll = client.get(count, headers={"X-Poll": "1", "HX-Request": "true"})
    assert poll.status_code == 200
    assert client.session[LAST_ACTIVE_AT] == before
    _last_active(client, settings.SESSION_COOKIE_AGE + 1)
    # Though each poll saved (and so renewed) the stored session, the colleague is signed out,
    # and the whole page goes to sign-in, not the sign-in page into the navigation.
    signed_out = client.get(count, headers={"X-Poll": "1", "HX-Request": "true"})
    assert signed_out.headers["HX-Redirect"] == reverse("accounts:sign-in")
    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[0][0].startswith(reverse("accounts:sign-in"))
    assert "signed out after 30 minutes without activity" in page.content.decode()


def test_every_timed_poll_in_the_templates_says_it_is_a_poll():
    """An htmx `every` trigger without the X-Poll header would count as the colleague's
    activity, here and in static/js/timeout-warning.mjs."""
    templates = Path(settings.BASE_DIR) / "templates"
    polls = []
    for path in templates.rglob("*.html"):
        for tag in re.findall(r"<[^<>]*hx-trigger=\"[^\"]*\bevery\b[^<>]*>", path.read_text()):
            polls.append(path.name)
            assert """hx-headers='{"X-Poll": "1"}'""" in tag, f"{path}: {tag[:120]}"
    assert {"untriaged_count.html", "ops.html"} <= set(polls)


def test_session_older_than_twelve_hours_is_signed_out(client, work_coach):
    sign_in(client)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-in")
    assert client.get(reverse("home")).status_code == 302


def test_fresh_session_is_not_signed_out(client, work_coach):
    sign_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_disabling_a_colleague_ends_their_sessions(client, work_coach):
    sign_in(client)
    assert client.get(reverse("home")).status_code == 200
    assert colleague_disable(user=work_coach, source=TEST_CHANGE_SOURCE) == 1
    assert client.get(reverse("home")).status_code == 302
    assert not ColleagueSession.objects.filter(user=work_coach).exists()


def test_ending_sessions_signs_out_every_device(client, django_user_model, work_coach):
    from django.test import Client

    other_device = Client()
    sign_in(client)
    sign_in(other_device, address="10.0.0.9")
    assert colleague_end_sessions(user=work_coach, source=TEST_CHANGE_SOURCE) == 2
    assert client.get(reverse("home")).status_code == 302
    assert other_device.get(reverse("home")).status_code == 302
    work_coach.refresh_from_db()
    assert work_coach.is_active  # ending sessions is not disabling


def test_sign_out_forgets_the_tracked_session(client, work_coach):
    sign_in(client)
    client.post(reverse("accounts:sign-out"))
    assert not ColleagueSession.objects.filter(user=work_coach).exists()


def test_admin_unticking_active_ends_sessions(client, admin_user, work_coach):
    from django.test import Client

    coach_client = Client()
    sign_in(coach_client)
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_changelist")
    response = client.post(
        url, {"action": "end_sessions", "_selected_action": [work_coach.pk]}, follow=True
    )
    assert b"Ended 1 session" in response.content
    assert coach_client.get(reverse("home")).status_code == 302
