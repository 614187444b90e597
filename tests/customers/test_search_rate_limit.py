"""Anti-automation on the HTML customer search (ASVS 2.4.1): each colleague's searches are counted
per window; past the limit the search is refused (429, a clear page) and nothing is searched."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache

import core.rate_limits
from accounts import roles
from audit.models import AccessEvent
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = pytest.mark.django_db
SEARCH = "/customers/"


@pytest.fixture(autouse=True)
def counting_from_nothing(monkeypatch):
    """Each test counts from zero, inside one window. The counts live in Redis, which outlives a
    test's database transaction, so counts left under a colleague id seen before are removed;
    and the clock the limiter reads stands still half-way through the current hour, so a test
    that runs across the turn of a minute is not counted in two windows."""
    redis = cache._cache.get_client(write=True)

    def forget_counts() -> None:
        for key in redis.scan_iter(match=cache.make_key("rate:customer-search:*")):
            redis.delete(key)

    forget_counts()
    now = int(time.time())
    still = SimpleNamespace(time=lambda: now - now % 3600 + 1800)
    monkeypatch.setattr(core.rate_limits, "time", still)
    yield
    forget_counts()


@pytest.fixture
def three_a_minute(settings):
    settings.SEARCH_RATE_LIMITS = {60: 3, 3600: 100}


def live_search(client, query: str):
    return client.post(SEARCH, {"query": query, "live": "1"}, HTTP_HX_REQUEST="true")


def test_searches_past_the_limit_are_refused_and_not_run(coach_client, three_a_minute):
    CustomerFactory(first_name="Ngozi", last_name="Okonkwo")
    for _ in range(3):
        assert live_search(coach_client, "Ngozi Okonkwo").status_code == 200
    searches = AccessEvent.objects.filter(action=AccessEvent.Action.SEARCH).count()

    refused = live_search(coach_client, "Ngozi Okonkwo")
    assert refused.status_code == 429
    assert "Too many searches" in refused.content.decode()
    assert AccessEvent.objects.filter(action=AccessEvent.Action.SEARCH).count() == searches
    # A full search and a page of results are counted and refused the same way.
    assert coach_client.post(SEARCH, {"query": "Ngozi Okonkwo"}).status_code == 429


def test_the_limit_is_per_colleague(client, coach_client, three_a_minute):
    for _ in range(4):
        live_search(coach_client, "Okonkwo")
    other = ColleagueFactory(username="coach-other", role=roles.WORK_COACH)
    client.force_login(other)
    assert live_search(client, "Okonkwo").status_code == 200


def test_the_hourly_limit_holds_too(coach_client, settings):
    settings.SEARCH_RATE_LIMITS = {60: 100, 3600: 2}
    assert live_search(coach_client, "Okonkwo").status_code == 200
    assert live_search(coach_client, "Okonkwo").status_code == 200
    assert live_search(coach_client, "Okonkwo").status_code == 429


def test_the_search_page_itself_is_not_counted(coach_client, three_a_minute):
    for _ in range(5):
        assert coach_client.get(SEARCH).status_code == 200
    assert live_search(coach_client, "Okonkwo").status_code == 200
