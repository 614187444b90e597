"""Sign-in, sign-out and the pages a signed-out colleague can reach."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_sign_in_with_correct_password_starts_a_new_session(client, work_coach):
    client.get(reverse("accounts:sign-in"))
    before = client.session.session_key
    response = client.post(
        reverse("accounts:sign-in"), {"username": "coach1", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session.session_key != before
    assert client.get(reverse("home")).status_code == 200


def test_sign_in_with_wrong_password_says_so(client, work_coach):
    response = client.post(reverse("accounts:sign-in"), {"username": "coach1", "password": "nope"})
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_is_post_only_and_ends_the_session(coach_client):
    assert coach_client.get(reverse("accounts:sign-out")).status_code == 405
    response = coach_client.post(reverse("accounts:sign-out"))
    # A password session has no provider session to end: straight to the signed-out page.
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:signed-out"))
    assert "_auth_user_id" not in coach_client.session
    assert coach_client.get(reverse("home")).status_code == 302
    page = coach_client.get(response["Location"])
    assert "You have signed out" in page.content.decode()
    assert 'href="/accounts/sign-in/"' in page.content.decode()


def test_the_signed_out_page_sends_a_signed_in_colleague_home(coach_client):
    response = coach_client.get(reverse("accounts:signed-out"))
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_home_shows_the_colleague_and_role(coach_client, work_coach):
    page = coach_client.get(reverse("home")).content.decode()
    # Escaped as the template escapes it: factory names can hold an apostrophe (O'Donnell).
    assert work_coach.username in page or escape(work_coach.get_full_name()) in page
    assert "Work coach" in page
