"""Bad input never gives a 500, a refused request writes nothing, and no GET changes data.

Hypothesis throws random and hostile input at every portal URL the resolver knows (pages,
htmx fragments and API endpoints alike): GETs with hostile query strings, and POSTs carrying
the URL's own form field names (read from its page) filled with hostile values, as JSON for
the API. Every answer must be 2xx/3xx/4xx, and when a write is refused (4xx) no domain table
may change. New URLs are covered automatically; their arguments come from the URL x role test.
"""

import re

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts import roles
from tests.factories import ColleagueFactory
from tests.security.test_url_access import (  # noqa: F401 - samples is a fixture
    URL_KWARGS,
    portal_url_names,
    samples,
)

pytestmark = pytest.mark.django_db

# Tables a GET or a refused request may legitimately touch: the audit itself, sessions, sign-in
# attempt tracking, and the "when did this colleague last open this record" bookmark.
BOOKKEEPING = {"audit", "sessions", "axes", "accounts.colleaguesession", "customers.customervisit"}
SKIP_URLS = {"accounts:sign-out"}  # signs the fuzzing client out; covered by its own tests
# /healthz answers 503 by design when no Celery worker runs (none does in this test).
DESIGNED_5XX = {"healthz": {503}}

HOSTILE = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            " ",
            "'; DROP TABLE customers_customer; --",
            "<script>alert(1)</script>",
            "\x00",
            "ZX 12 34 56 A",
            "QQ123456C",
            "%",
            "_",
            "\\",
            "9" * 400,
            "-1",
            "1e309",
            "2024-02-30",
            "0000-00-00",
            "../../etc/passwd",
            "{{ 7*7 }}",
            "\u202e\u0000\ufeff",
            "a" * 10_000,
        ]
    ),
)
VALUES = st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3), st.integers(), st.none())


def field_names(html: str) -> list[str]:
    names = set(re.findall(r'\bname="([^"]+)"', html))
    return sorted(names - {"csrfmiddlewaretoken"})


def ok(name: str, status: int) -> bool:
    return status < 500 or status in DESIGNED_5XX.get(name, set())


def short(value: object) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "…"


def domain_row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in BOOKKEEPING or label in BOOKKEEPING:
            continue
        if model._meta.managed and not model._meta.proxy:
            counts[label] = model._default_manager.count()
    return counts


@pytest.fixture
def fuzz_setup(client, samples):  # noqa: F811 - the imported fixture
    """An ACSSL (the role that reaches most pages) and each URL with its form's field names."""
    client.force_login(ColleagueFactory(username="fuzzer", role=roles.ACSSL))
    targets = []
    for name in portal_url_names():
        if name in SKIP_URLS:
            continue
        kwargs = URL_KWARGS[name](samples) if name in URL_KWARGS else {}
        url = reverse(name, kwargs=kwargs)
        page = client.get(url)
        targets.append((name, url, field_names(page.content.decode(errors="replace"))))
    return client, targets


@settings(
    max_examples=12,
    deadline=None,
    # No shrinking: a failure is reported as drawn (shrinking many HTTP round trips takes
    # minutes); the message names the URL and the input.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_input_never_gives_a_server_error(fuzz_setup, data):
    client, targets = fuzz_setup
    for name, url, fields in targets:
        query = data.draw(
            st.dictionaries(st.sampled_from([*fields, "page", "q", "x"]), HOSTILE, max_size=4)
        )
        before = domain_row_counts()
        response = client.get(url, query)
        assert domain_row_counts() == before, f"GET {name} changed data (no state change on GET)"
        assert ok(name, response.status_code), (
            f"GET {name} {short(query)} -> {response.status_code}"
        )

        body = data.draw(st.dictionaries(st.sampled_from([*fields, "x"]), VALUES, max_size=6))
        if url.startswith("/api/"):
            response = client.post(url, body, content_type="application/json")
        else:
            form = {
                k: ("" if v is None else [str(i) for i in v] if isinstance(v, list) else str(v))
                for k, v in body.items()
            }
            response = client.post(url, form)
        assert ok(name, response.status_code), (
            f"POST {name} {short(body)} -> {response.status_code}"
        )
        if 400 <= response.status_code < 500:
            assert domain_row_counts() == before, f"refused POST {name} {short(body)} wrote data"
