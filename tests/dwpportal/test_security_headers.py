"""Every page carries a strict CSP with a nonce, and customer-facing pages are never cached."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_csp_is_strict_with_a_fresh_nonce_per_response(coach_client):
    first = coach_client.get(reverse("home"))["Content-Security-Policy"]
    second = coach_client.get(reverse("home"))["Content-Security-Policy"]
    assert "'unsafe-inline'" not in first
    assert "frame-ancestors 'none'" in first
    nonce = re.search(r"'nonce-([^']+)'", first)
    assert nonce, first
    assert nonce.group(1) not in second


def test_no_inline_script_without_a_nonce(coach_client):
    html = coach_client.get(reverse("home")).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "nonce=" in tag, tag
    assert " style=" not in html


def test_signed_in_pages_are_not_stored_and_carry_hygiene_headers(coach_client):
    response = coach_client.get(reverse("home"))
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_error_pages_use_the_service_layout(coach_client):
    response = coach_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-template" in response.content


def test_403_page_uses_the_service_layout(coach_client):
    response = coach_client.get(reverse("benefits:ops"))  # work coaches do not see the sync
    assert response.status_code == 403
    assert b"govuk-template" in response.content
    assert b"DWP Colleague Portal" in response.content


def test_500_page_uses_the_service_layout_without_touching_the_database(
    rf, django_assert_num_queries
):
    from django.urls import get_resolver

    handler = get_resolver().resolve_error_handler(500)
    with django_assert_num_queries(0):
        response = handler(rf.get("/customers/"))
    assert response.status_code == 500
    assert b"govuk-template" in response.content
    assert b"DWP Colleague Portal" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("url", ["/", "/accounts/sign-in/", "/no-such-page/"])
def test_every_response_turns_off_browser_features_the_portal_never_uses(client, url):
    policy = client.get(url)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
