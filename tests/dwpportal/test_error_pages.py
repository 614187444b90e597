"""The portal answers with its own GOV.UK error pages, never Django's debug page."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DEBUG_PAGE_SIGNS = ("URLconf", "DEBUG = True", "Traceback", "Using the URLconf")


def _is_portal_404(response) -> bool:
    page = response.content.decode()
    return (
        response.status_code == 404
        and "Page not found" in page
        and "Go to the home page" in page
        and 'class="govuk-skip-link' in page
        and not any(sign in page for sign in DEBUG_PAGE_SIGNS)
    )


@pytest.mark.django_db
def test_a_missing_customer_gets_the_portals_404_page(coach_client):
    response = coach_client.get("/customers/00000000-0000-4000-8000-000000000000/")
    assert _is_portal_404(response), response.content.decode()[:2000]


@pytest.mark.django_db
def test_an_unknown_address_gets_the_portals_404_page(coach_client, client):
    assert _is_portal_404(coach_client.get("/no-such-page/anywhere/"))
    client.logout()
    assert _is_portal_404(client.get("/customers/not-a-customer-id/"))


def test_debug_is_off_in_the_ordinary_settings_unless_asked_for():
    """`make run` uses the ordinary settings: debug is off without DJANGO_DEBUG=1."""
    script = (
        "from django.conf import settings; import django; django.setup(); print(settings.DEBUG)"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG",)}
    base["DJANGO_SETTINGS_MODULE"] = "dwpportal.settings.base"

    def debug(**extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**base, **extra},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    assert debug() == "False"
    assert debug(DJANGO_DEBUG="1") == "True"


@pytest.mark.django_db
def test_a_refusal_gets_the_portals_403_page(client, admin_user):
    from tests.factories import CustomerFactory

    client.force_login(admin_user)
    response = client.get(f"/customers/{CustomerFactory().public_id}/")
    page = response.content.decode()
    assert response.status_code == 403
    assert '<h1 class="govuk-heading-l">You do not have access to this page</h1>' in page
    assert 'class="govuk-skip-link' in page
    assert not any(sign in page for sign in DEBUG_PAGE_SIGNS)


@pytest.mark.django_db
def test_a_failure_gets_the_portals_500_page_and_the_api_a_problem(settings):
    from django.test import Client

    settings.ROOT_URLCONF = "tests.dwpportal.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/failing/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "a failure the colleague must not see" not in page
    assert not any(sign in page for sign in DEBUG_PAGE_SIGNS)
    api = client.get("/api/v1/failing/")
    assert api.status_code == 500
    assert api["Content-Type"] == "application/problem+json"
    assert "a failure" not in api.content.decode()
