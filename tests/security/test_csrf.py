"""CSRF (ASVS 3.5.1): every portal URL refuses a POST without the token and writes nothing;
htmx writes pass only with the token the page put in <body hx-headers>."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts import roles
from customers.models import Interaction
from tests.factories import ColleagueFactory
from tests.security.test_hostile_input import domain_writes
from tests.security.test_url_access import (  # noqa: F401 - samples is a fixture
    URL_KWARGS,
    portal_url_names,
    samples,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client() -> Client:
    """A browser that really checks CSRF (Django's test client skips it by default)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(ColleagueFactory(username="csrf-acssl", role=roles.ACSSL))
    # Their first page (home sends an ACSSL to it) sets the CSRF cookie, as in a real browser.
    client.get(reverse("home"), follow=True)
    assert client.cookies.get("csrftoken")
    return client


def test_every_portal_url_refuses_a_post_without_the_token(csrf_client, samples):  # noqa: F811
    accepted = []
    for name in portal_url_names():
        kwargs = URL_KWARGS[name](samples) if name in URL_KWARGS else {}
        url = reverse(name, kwargs=kwargs)
        before = domain_writes()
        if url.startswith("/api/"):
            response = csrf_client.post(url, {}, content_type="application/json")
        else:
            response = csrf_client.post(url, {"x": "1"}, HTTP_HX_REQUEST="true")
        after = domain_writes()
        if response.status_code != 403 or after != before:
            changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
            accepted.append(f"{name}: {response.status_code} {changed}")
    assert not accepted, "POST without a CSRF token was not refused:\n" + "\n".join(accepted)


def test_an_htmx_write_carries_the_pages_token_and_succeeds(csrf_client, samples):  # noqa: F811
    customer = samples.customer
    page = csrf_client.get(reverse("customers:detail", kwargs={"public_id": customer.public_id}))
    hx_headers = re.search(r"<body[^>]*hx-headers='([^']+)'", page.content.decode())
    assert hx_headers, "the page must give htmx the CSRF header"
    headers = json.loads(hx_headers.group(1))
    url = reverse("customers:interaction-create", kwargs={"public_id": customer.public_id})
    form = {"channel": "phone", "summary": "Called about PIP review"}

    refused = csrf_client.post(url, form, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN="forged" * 6)
    assert refused.status_code == 403
    assert not Interaction.objects.filter(customer=customer).exists()

    accepted = csrf_client.post(
        url, form, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=headers["X-CSRFToken"]
    )
    assert accepted.status_code < 400, accepted.content
    assert Interaction.objects.filter(customer=customer).exists()


def test_sign_in_refuses_a_post_without_the_token(work_coach):
    from tests.factories.accounts import TEST_PASSWORD

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:sign-in"), {"username": "coach1", "password": TEST_PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
