"""Search and customer-page measurements through gunicorn, as signed-in colleagues, beside their
floors (the selector's SQL straight to PostgreSQL; the bench-only floor view)."""

import re
import time
from typing import TYPE_CHECKING, Any

import psycopg

from benchmarks.config import BenchConfig, log
from benchmarks.cpu import Meter
from benchmarks.dataset import busiest_customers, sample_customers, server_dsn
from benchmarks.queries import KINDS, SearchQuery, search_mix
from benchmarks.results import Results
from benchmarks.stats import Latency

if TYPE_CHECKING:
    from accounts.models import User


class Colleague:
    """A signed-in browser-like session against the bench's gunicorn."""

    def __init__(self, base: str, username: str, password: str) -> None:
        import requests

        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/accounts/sign-in/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        signed_in = self.http.post(
            f"{base}/accounts/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
            },
            allow_redirects=False,
            timeout=60,
        )
        if signed_in.status_code != 302:
            raise RuntimeError(f"sign-in as {username} failed ({signed_in.status_code})")
        self.http.get(f"{base}/customers/", timeout=60)  # a fresh CSRF cookie after sign-in

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken") or ""

    def timed(self, method: str, path: str, **kwargs: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        response = self.http.request(method, f"{self.base}{path}", timeout=120, **kwargs)
        return (time.perf_counter() - started) * 1000, response

    def search(self, query: SearchQuery, *, live: bool) -> tuple[float, Any]:
        data = {**query.form(), "csrfmiddlewaretoken": self.csrf}
        headers = {}
        if live:
            data["live"] = "1"
            headers = {"HX-Request": "true"}
        # Without JavaScript a name search redirects to its results page: follow it (that is
        # what the colleague waits for); a NINO redirects to the record: the 302 is the answer.
        follow = not live and query.kind != "nino"
        return self.timed("POST", "/customers/", data=data, headers=headers, allow_redirects=follow)


def captured_search_sql(query: SearchQuery, user: "User") -> list[str]:
    """The SQL the search selector runs for this query (its customer query, the name-word
    lexicon lookup and the pg_trgm thresholds), captured in a transaction that is rolled back
    (so no audit row stays)."""
    from django.contrib.sessions.backends.cache import SessionStore
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from audit.context import AuditContext
    from customers.forms import CustomerSearchForm
    from customers.selectors import customer_search_by_name, customer_search_by_nino

    request = RequestFactory().post("/customers/")
    request.user = user
    request.session = SessionStore()
    form = CustomerSearchForm(query.form())
    if not form.is_valid():
        raise RuntimeError(f"bench query is not a valid search: {form.errors}")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        audit = AuditContext.from_request(request)
        if form.nino:
            customer_search_by_nino(nino=form.nino, audit=audit)
        else:
            customer_search_by_name(
                name=form.cleaned_data["query"],
                date_of_birth=form.cleaned_data.get("date_of_birth"),
                postcode=form.cleaned_data.get("postcode", ""),
                audit=audit,
            )
        transaction.set_rollback(True)
    return [
        q["sql"]
        for q in captured.captured_queries
        if "set_config('pg_trgm" in q["sql"]
        or re.search(r'FROM "customers_customer"', q["sql"])
        or "customers_customernameword" in q["sql"]  # the name-word lexicon lookup
    ]


def search_measure(
    config: BenchConfig,
    results: Results,
    base: str,
    database: str,
    users: tuple[str, str],
    meter: Meter,
) -> list[SearchQuery]:
    """Search as a work coach (live and without JavaScript), its raw SQL floor, and the Django
    admin's changelist search as `users`' admin."""
    coach, admin = users
    from accounts.models import User

    customers = sample_customers(config, config.search_per_kind * 4, "search")
    queries = search_mix(customers, per_kind=config.search_per_kind, seed=config.seed)
    colleague = Colleague(base, coach, config.password)
    for query in queries[:10]:  # warm up the workers, connections and caches
        colleague.search(query, live=True)
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    nojs: dict[str, list[float]] = {k: [] for k in KINDS}
    hits: dict[str, int] = dict.fromkeys(KINDS, 0)
    # The live searches alone are metered: searches per CPU-second of the server's processes.
    with meter() as cpu:
        for query in queries:
            ms, response = colleague.search(query, live=True)
            if response.status_code != 200:
                raise RuntimeError(f"search answered {response.status_code}")
            by_kind[query.kind].append(ms)
            hits[query.kind] += f"/customers/{query.expected}/" in response.text
    assert cpu.use is not None
    results.cpu["search"] = cpu.use
    for query in queries:
        ms, response = colleague.search(query, live=False)
        if response.status_code not in (200, 302):
            raise RuntimeError(f"no-JS search answered {response.status_code}")
        nojs[query.kind].append(ms)
    results.search = {k: Latency.of(v) for k, v in by_kind.items()}
    results.search["all"] = Latency.of([x for v in by_kind.values() for x in v])
    results.search_nojs = {k: Latency.of(v) for k, v in nojs.items()}
    results.hits = {k: hits[k] / len(by_kind[k]) for k in KINDS}
    log(
        "search (live htmx): "
        + ", ".join(f"{k} p95 {v.p95:.0f} ms" for k, v in results.search.items())
    )

    # Floor: the same SQL the view's selector runs, straight to PostgreSQL.
    user = User.objects.get(username=coach)
    floor: dict[str, list[float]] = {k: [] for k in KINDS}
    with psycopg.connect(server_dsn(database)) as conn:
        for query in queries:
            statements = captured_search_sql(query, user)
            started = time.perf_counter()
            for sql in statements:
                conn.execute(sql).fetchall()
            conn.rollback()
            floor[query.kind].append((time.perf_counter() - started) * 1000)
    results.search_floor = {k: Latency.of(v) for k, v in floor.items()}
    results.search_floor["all"] = Latency.of([x for v in floor.values() for x in v])

    # The Django admin changelist search (icontains over NINO, names, postcode).
    admin_session = Colleague(base, admin, config.password)
    admin_queries = [
        q for k in KINDS for q in [q for q in queries if q.kind == k][: config.admin_per_kind]
    ]
    admin_session.timed("GET", "/admin/customers/customer/", params={"q": "warm up"})
    timings: dict[str, list[float]] = {k: [] for k in KINDS}
    admin_hits: dict[str, int] = dict.fromkeys(KINDS, 0)
    nino_of = {c.public_id: c.nino for c in customers}
    for query in admin_queries:
        ms, response = admin_session.timed(
            "GET", "/admin/customers/customer/", params={"q": query.admin_terms()}
        )
        if response.status_code != 200:
            raise RuntimeError(f"admin changelist answered {response.status_code}")
        timings[query.kind].append(ms)
        admin_hits[query.kind] += nino_of[query.expected] in response.text
    results.admin = {k: Latency.of(v) for k, v in timings.items() if v}
    results.admin["all"] = Latency.of([x for v in timings.values() for x in v])
    results.admin_hits = {k: admin_hits[k] / len(timings[k]) for k in KINDS if timings[k]}
    log(f"admin changelist search p95 {results.admin['all'].p95:.0f} ms")
    return queries


def page_measure(
    config: BenchConfig, results: Results, base: str, coach: str, meter: Meter
) -> list[str]:
    import requests

    sample = [c.public_id for c in sample_customers(config, config.page_sample, "page")]
    busiest = busiest_customers(config.busiest)
    colleague = Colleague(base, coach, config.password)
    for public_id in sample[:10]:
        colleague.timed("GET", f"/customers/{public_id}/")
    timings: list[float] = []
    busy_timings: list[float] = []
    queries: list[int] = []
    with meter() as cpu:
        for public_id in sample + busiest:
            ms, response = colleague.timed("GET", f"/customers/{public_id}/")
            if response.status_code != 200:
                raise RuntimeError(f"customer page answered {response.status_code}")
            (busy_timings if public_id in busiest else timings).append(ms)
            queries.append(int(response.headers["X-Bench-Queries"]))
    assert cpu.use is not None
    results.cpu["page"] = cpu.use
    floor_http = requests.Session()  # no session cookie: the floor view loads no session or user
    floor_timings, floor_queries = [], set()
    for public_id in (sample + busiest)[:10]:
        floor_http.get(f"{base}/bench/floor/{public_id}/", timeout=60)
    for public_id in sample + busiest:
        started = time.perf_counter()
        response = floor_http.get(f"{base}/bench/floor/{public_id}/", timeout=60)
        floor_timings.append((time.perf_counter() - started) * 1000)
        floor_queries.add(int(response.headers["X-Bench-Queries"]))
    results.page = {
        "all": Latency.of(timings + busy_timings),
        "sample": Latency.of(timings),
        "busiest": Latency.of(busy_timings),
        "floor": Latency.of(floor_timings),
        "queries_max": max(queries),
        "queries_median": sorted(queries)[len(queries) // 2],
        "floor_queries": sorted(floor_queries),
        "sample_size": len(timings),
        "busiest_size": len(busy_timings),
    }
    log(f"customer page p95 {results.page['all'].p95:.0f} ms, queries max {max(queries)}")
    return sample + busiest
