"""The session timeout warning's server side: the dialog's settings on every signed-in page and
the keep-alive endpoint that "Stay signed in" posts to."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_carries_the_timeout_and_the_warning(coach_client, settings):
    settings.SESSION_COOKIE_AGE = 1800
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 120
    html = coach_client.get("/").content.decode()
    dialog = re.search(r"<dialog[^>]*id=\"timeout-warning\"[^>]*>", html, re.S)
    assert dialog is not None
    assert 'data-timeout="1800"' in dialog.group(0)
    assert 'data-warning="120"' in dialog.group(0)


def test_the_sign_in_page_has_no_timeout_warning(client):
    assert 'id="timeout-warning"' not in client.get("/accounts/sign-in/").content.decode()


def test_keep_alive_starts_the_idle_time_again(coach_client, settings):
    settings.SESSION_COOKIE_AGE = 600
    response = coach_client.post("/session/keep-alive/")
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "expires_in": 600}
    assert coach_client.session.get_expiry_age() == 600
    assert response.cookies["sessionid"]["max-age"] == 600


def test_keep_alive_is_a_post_and_needs_a_session(coach_client):
    assert coach_client.get("/session/keep-alive/").status_code == 405
    assert Client().post("/session/keep-alive/").status_code == 401


def test_keep_alive_needs_the_csrf_token(work_coach):
    client = Client(enforce_csrf_checks=True)
    client.force_login(work_coach)
    assert client.post("/session/keep-alive/").status_code == 403
