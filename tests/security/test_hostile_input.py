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
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts import roles
from tests.factories import ColleagueFactory, CustomerFactory
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
# URLs whose GET waits by design (/healthz pings Celery for 2 s when no worker answers) and reads
# no input: fuzzed with a hostile query once per test (the first example), not per example.
SLOW_GET_ONCE = {"healthz"}

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


def domain_tables() -> list[str]:
    """Every domain table: all managed models' tables (history event tables and many-to-many
    tables included) except the bookkeeping ones above."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label in BOOKKEEPING or label in BOOKKEEPING:
            continue
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def domain_writes() -> dict[str, int]:
    """Rows inserted, updated or deleted in each domain table so far in this transaction, in one
    query. The test runs in one transaction, and PostgreSQL keeps these per-transaction counters
    (pg_stat_xact_user_tables) live in the session: unlike pg_stat_user_tables they are not
    delayed, and unlike row counts they also see an UPDATE. A write rolled back to a savepoint
    still counts: it was attempted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema() AND relname = ANY(%s)"
            " AND n_tup_ins + n_tup_upd + n_tup_del > 0",
            [domain_tables()],
        )
        return dict(cursor.fetchall())


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The tables written between two snapshots of domain_writes(), with how many rows."""
    return {table: n - before.get(table, 0) for table, n in after.items() if n != before.get(table)}


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
        if name in SLOW_GET_ONCE:
            targets.append((name, url, []))  # a JSON answer: no form to read field names from
            continue
        page = client.get(url)
        targets.append((name, url, field_names(page.content.decode(errors="replace"))))
    return client, targets, set()


@settings(
    max_examples=8,  # every URL, GET and POST, 8 hostile draws each: about 1,500 requests
    deadline=None,
    # No shrinking: a failure is reported as drawn (shrinking many HTTP round trips takes
    # minutes); the message names the URL and the input.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_input_never_gives_a_server_error(fuzz_setup, data):
    client, targets, slow_done = fuzz_setup
    for name, url, fields in targets:
        query = data.draw(
            st.dictionaries(st.sampled_from([*fields, "page", "q", "x"]), HOSTILE, max_size=4)
        )
        before = domain_writes()
        if name not in slow_done:
            if name in SLOW_GET_ONCE:
                slow_done.add(name)
            response = client.get(url, query)
            written = changed(before, domain_writes())
            assert not written, f"GET {name} changed data (no state change on GET): {written}"
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
            written = changed(before, domain_writes())
            assert not written, f"refused POST {name} {short(body)} wrote data: {written}"


def test_the_write_detector_sees_an_insert_an_update_and_a_delete():
    """domain_writes() must catch what it is there to catch, or the tests above prove nothing."""
    customer = CustomerFactory()
    users = ColleagueFactory._meta.model._meta.db_table
    customers = customer._meta.db_table
    before = domain_writes()
    assert changed(before, domain_writes()) == {}  # reading writes nothing
    colleague = ColleagueFactory(username="written")
    inserted = domain_writes()
    assert changed(before, inserted).get(users, 0) >= 1
    type(customer).objects.filter(pk=customer.pk).update(town="Elsewhere")  # row count unchanged
    updated = domain_writes()
    assert changed(inserted, updated).get(customers, 0) >= 1
    colleague.delete()
    assert changed(updated, domain_writes()).get(users, 0) >= 1
