"""The legacy HTTP client: timeouts, retries with backoff and jitter, Retry-After, cut bodies."""

import pytest

from benefits.sources import client_for
from benefits.sources.base import LegacyHttpClient, SourceUnavailable


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(legacy, **options):
    sleeps = Sleeps()
    http = LegacyHttpClient(legacy.url, sleep=sleeps, backoff_base=0.01, **options)
    return http, sleeps


def test_429_is_retried_after_the_time_the_system_asks_for(legacy):
    legacy.faults("uc:429=0.9", retry_after=7)
    http, sleeps = client(legacy, attempts=60)
    for cursor in ("", "100", "200"):
        assert client_for("uc", http=http).read_page(cursor).records
    assert http.retries >= 1
    assert sleeps
    assert all(seconds >= 7 for seconds in sleeps)


@pytest.mark.parametrize("fault", ["500", "503", "truncate"])
def test_server_errors_and_cut_bodies_are_retried_with_jittered_backoff(legacy, fault):
    legacy.faults(f"sp:{fault}=0.6")
    http, sleeps = client(legacy, attempts=30)
    page = client_for("sp", http=http).read_page("")
    assert page.records
    assert not page.rejected
    assert http.retries == len(sleeps) >= 1
    assert all(0 <= seconds <= 0.01 * 2**n for n, seconds in enumerate(sleeps))


def test_a_hung_request_times_out_and_is_retried(legacy):
    legacy.faults("pip:hang=0.7", hang_seconds=2)
    http, _sleeps = client(legacy, attempts=30, timeout=0.3)
    for after in ("", "1", "", "1"):  # a repeated request is a fresh draw
        assert client_for("pip", http=http).read_page(after).records
    assert http.retries >= 1


def test_retries_run_out_into_source_unavailable(legacy):
    legacy.faults("esa:503=1")
    http, sleeps = client(legacy, attempts=3)
    with pytest.raises(SourceUnavailable, match="gave up after 3 attempts"):
        client_for("esa", http=http).read_page("")
    assert len(sleeps) == 2


def test_backoff_grows_exponentially_and_is_capped():
    http = LegacyHttpClient("http://127.0.0.1:9", backoff_base=1, backoff_cap=5)
    assert all(0 <= http.backoff(0) <= 1 for _ in range(50))
    assert max(http.backoff(2) for _ in range(200)) > 2  # up to 4, jittered
    assert all(http.backoff(10) <= 5 for _ in range(50))
