"""API plumbing: bearer tokens (hashed, expiring, revocable), problem details, throttles, schema."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.api_tokens import api_token_issue, api_token_revoke
from accounts.models import ApiToken
from accounts.services import colleague_disable
from core.api import PerTokenRateThrottle
from tests.factories.accounts import TEST_CHANGE_SOURCE

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_identifies_the_colleague_and_their_roles(client, work_coach):
    token = api_token_issue(user=work_coach, name="telephony", source=TEST_CHANGE_SOURCE)
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    assert response.json() == {"username": "coach1", "roles": ["Work coach"]}


def test_only_a_hash_of_the_token_is_stored(work_coach):
    token = api_token_issue(user=work_coach, name="telephony", source=TEST_CHANGE_SOURCE)
    prefix, secret = token.split(".")
    stored = ApiToken.objects.get(prefix=prefix)
    assert secret not in stored.secret_hash
    assert len(stored.secret_hash) == 64


@pytest.mark.parametrize("spoil", ["wrong_secret", "expired", "revoked", "disabled", "garbage"])
def test_bad_tokens_get_one_problem_answer(client, work_coach, spoil):
    token = api_token_issue(user=work_coach, name="telephony", source=TEST_CHANGE_SOURCE)
    stored = ApiToken.objects.get(prefix=token.split(".")[0])
    if spoil == "wrong_secret":
        token = token + "x"
    elif spoil == "expired":
        ApiToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - timedelta(1))
    elif spoil == "revoked":
        api_token_revoke(token=stored, source=TEST_CHANGE_SOURCE)
    elif spoil == "disabled":
        colleague_disable(user=work_coach, source=TEST_CHANGE_SOURCE)
    else:
        token = "no-dot-here"
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "The token is invalid, expired or revoked."
    assert response.json()["status"] == 401


def test_token_lifetime_is_bounded(work_coach):
    with pytest.raises(ValueError, match="365"):
        api_token_issue(
            user=work_coach,
            name="forever",
            lifetime=timedelta(days=3650),
            source=TEST_CHANGE_SOURCE,
        )


def test_no_credentials_is_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_api_address_is_404_problem(client, work_coach):
    token = api_token_issue(user=work_coach, name="t", source=TEST_CHANGE_SOURCE)
    response = client.get("/api/v1/no-such-thing", **bearer(token))
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_wrong_method_is_405_problem(client, work_coach):
    token = api_token_issue(user=work_coach, name="t", source=TEST_CHANGE_SOURCE)
    response = client.post("/api/v1/me", **bearer(token))
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM


def test_each_token_is_throttled_separately(client, work_coach, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"per_token": "2/minute"})
    first, second = (
        api_token_issue(user=work_coach, name=n, source=TEST_CHANGE_SOURCE) for n in ("a", "b")
    )
    assert [client.get("/api/v1/me", **bearer(first)).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    limited = client.get("/api/v1/me", **bearer(first))
    assert limited["Content-Type"] == PROBLEM
    assert "Retry-After" in limited
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200


def test_schema_documents_the_api(client, work_coach):
    token = api_token_issue(user=work_coach, name="t", source=TEST_CHANGE_SOURCE)
    response = client.get("/api/schema/?format=json", **bearer(token))
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


def test_docs_page_is_a_portal_page_drawn_from_the_schema(coach_client):
    response = coach_client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>API documentation \N{EN DASH} DWP Colleague Portal</title>" in html
    assert "/api/v1/me" in html
    assert html.count("<main") == 1
    assert "swagger" not in html.lower()
    # The portal's ordinary CSP: no inline styles allowed on this page either.
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
