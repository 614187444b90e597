"""Every URL the resolver knows, against every role: a new URL fails here until it is classified.

To classify a URL, add it to ACCESS (expected answer to a GET for each role) and, when it takes
arguments, to URL_KWARGS (built from the sample objects). Django admin URLs are checked
generically: only Admins get in.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import roles
from tests.factories import ColleagueFactory, CustomerFactory, OpenCaseFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "work_coach", "acssl", "team_leader", "admin")
ROLE_GROUPS = {
    "work_coach": roles.WORK_COACH,
    "acssl": roles.ACSSL,
    "team_leader": roles.TEAM_LEADER,
    "admin": roles.ADMIN,
}
SIGN_IN = "sign-in"  # a redirect to the sign-in page
OK, FORBIDDEN, NOT_ALLOWED = 200, 403, 405


def everyone(answer: Any) -> dict[str, Any]:
    return dict.fromkeys(ROLES, answer)


def signed_in(answer: Any) -> dict[str, Any]:
    return {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], answer)}


def only(allowed: set[str], answer: Any = OK, refused: Any = FORBIDDEN) -> dict[str, Any]:
    return {
        "anonymous": SIGN_IN,
        **{role: answer if role in allowed else refused for role in ROLES[1:]},
    }


# The expected answer to a plain GET, per role. A tuple means any of those answers.
ACCESS: dict[str, dict[str, Any]] = {
    # ACSSLs and team leaders are sent on to their first page (acs:home).
    "home": {**signed_in(OK), "acssl": 302, "team_leader": 302},
    # For load balancers: open to all, says only which part is down (503 without a worker).
    "healthz": everyone((200, 503)),
    # Prometheus: the local network (the test client's 127.0.0.1) or a scraper's token; a
    # colleague's session from elsewhere is refused (tests/dwpportal/test_metrics.py).
    "metrics": everyone(OK),
    "accounts:sign-in": {"anonymous": OK, **dict.fromkeys(ROLES[1:], 302)},
    "accounts:sign-out": everyone(NOT_ALLOWED),
    # Where sign-out ends (back from the identity provider); a signed-in colleague goes home.
    "accounts:signed-out": {"anonymous": OK, **dict.fromkeys(ROLES[1:], 302)},
    # Single sign-on: off to the provider (signed in: home); a callback without a code is refused.
    "accounts:sso-start": everyone(302),
    "accounts:sso-callback": everyone(FORBIDDEN),
    # "Stay signed in" from the timeout warning: a POST only.
    "session-keep-alive": everyone(NOT_ALLOWED),
    # The API answers 401 (problem details), never a redirect to the sign-in page.
    "api:me": {"anonymous": 401, **dict.fromkeys(ROLES[1:], OK)},
    "api-schema": {"anonymous": 401, **dict.fromkeys(ROLES[1:], OK)},
    "api-docs": signed_in(OK),
    "audit:customer-viewers": only({"team_leader"}),
}

# ACS cases (docs/access-control.md): everyone refers; ACSSLs and team leaders work cases.
ACS_CASE_WORKERS = {"acssl", "team_leader"}
ACCESS |= {
    "acs:refer": only({"work_coach", "acssl", "team_leader"}),
    "acs:home": only(ACS_CASE_WORKERS),
    "acs:untriaged-immediate-count": only(ACS_CASE_WORKERS),
    "acs:triage": only(ACS_CASE_WORKERS),
    "acs:my-cases": only(ACS_CASE_WORKERS),
    "acs:team": only({"team_leader"}),
    "acs:figures": only(ACS_CASE_WORKERS),
    "acs:figures-csv": only(ACS_CASE_WORKERS),
    "acs:case": only(ACS_CASE_WORKERS),
    "acs:visits": only(ACS_CASE_WORKERS),
    "acs:escalations": only(ACS_CASE_WORKERS),
    **{
        f"acs:{name}": signed_in(NOT_ALLOWED)  # POST only
        for name in (
            "take",
            "assign",
            "status",
            "risk",
            "categories",
            "review",
            "action-add",
            "action-complete",
            "note-add",
            "partner-add",
            "partner-outcome",
            "visit",
            "visit-update",
            "escalation-update",
            "escalate",
            "close",
            "reopen",
        )
    },
}


@dataclass
class Samples:
    customer: Any
    acs_case: Any = field(default_factory=lambda: OpenCaseFactory())
    # A need, a signal and a safeguard, made by support_samples() when a URL needs them.
    _support: dict[str, Any] = field(init=False)


# Arguments for URLs that take them, built from the sample objects.
URL_KWARGS: dict[str, Callable[[Samples], dict[str, Any]]] = {
    "audit:customer-viewers": lambda s: {"public_id": s.customer.public_id},
}
URL_KWARGS |= {"acs:refer": lambda s: {"public_id": s.customer.public_id}}
URL_KWARGS |= {
    f"acs:{name}": lambda s: {"public_id": s.acs_case.public_id}
    for name in (
        "case",
        "take",
        "assign",
        "status",
        "risk",
        "categories",
        "review",
        "action-add",
        "note-add",
        "partner-add",
        "visit",
        "escalate",
        "close",
        "reopen",
    )
}
URL_KWARGS["acs:action-complete"] = lambda s: {"public_id": s.acs_case.public_id, "action_id": 1}
URL_KWARGS["acs:partner-outcome"] = lambda s: {"public_id": s.acs_case.public_id, "partner_id": 1}
URL_KWARGS["acs:visit-update"] = lambda s: {"public_id": s.acs_case.public_id, "visit_id": 1}
URL_KWARGS["acs:escalation-update"] = lambda s: {
    "public_id": s.acs_case.public_id,
    "escalation_id": 1,
}


# Support needs (docs/access-control.md, "Support needs"): work coaches, ACSSLs and team leaders
# work with needs; admins keep the taxonomy in Django admin only.
NEED_WORKERS = {"work_coach", "acssl", "team_leader"}
ACCESS |= {
    f"support_needs:{name}": only(NEED_WORKERS)
    for name in (
        "panel",
        "record",
        "six-point-plan",
        "update",
        "review",
        "end",
        "signal-refer",
        "signal-dismiss",
        "safeguard-complete",
        "reviews-due",
        "safeguards-open",
    )
}


def support_samples(s: Samples) -> dict[str, Any]:
    """A need, a signal and an arrears safeguard for the sample customer (made once per test)."""
    if not hasattr(s, "_support"):
        import datetime as dt

        from support_needs.models import NeedType
        from support_needs.services.needs import support_need_record
        from tests.factories import PaymentFactory
        from tests.support_needs.conftest import audit_as

        coach = ColleagueFactory(username="url-sample-coach", role=roles.WORK_COACH)
        need = support_need_record(
            customer=s.customer,
            audit=audit_as(coach),
            need_type=NeedType.objects.get(code="homelessness"),
            how_learned="customer",
            consent="given",
        )
        PaymentFactory(
            customer=s.customer,
            kind="arrears",
            status="scheduled",
            amount_pence=800000,
            payment_date=timezone.localdate() + dt.timedelta(days=10),
        )
        from support_needs.services.signals import support_signals_compute

        support_signals_compute(customer_ids=[s.customer.pk])
        s._support = {
            "need": need,
            "signal": s.customer.support_signals.get(),
            "safeguard": s.customer.arrears_safeguards.get(),
        }
    return s._support


URL_KWARGS |= {
    f"support_needs:{name}": lambda s: {"public_id": s.customer.public_id}
    for name in ("panel", "record", "six-point-plan")
}
URL_KWARGS |= {
    f"support_needs:{name}": lambda s: {
        "public_id": s.customer.public_id,
        "need_id": support_samples(s)["need"].public_id,
    }
    for name in ("update", "review", "end")
}
URL_KWARGS |= {
    f"support_needs:{name}": lambda s: {
        "public_id": s.customer.public_id,
        "signal_id": support_samples(s)["signal"].public_id,
    }
    for name in ("signal-refer", "signal-dismiss")
}
URL_KWARGS["support_needs:safeguard-complete"] = lambda s: {
    "public_id": s.customer.public_id,
    "safeguard_id": support_samples(s)["safeguard"].public_id,
}


# Customer records (docs/access-control.md, "Customer records"): work coaches, ACSSLs and team
# leaders search and open records; admins do not. An unknown search token sends the colleague
# back to search; the reason page of an unrestricted record goes straight to the record; the
# timeline fragment without htmx goes to the page; interactions are recorded by POST only.
CUSTOMER_READERS = {"work_coach", "acssl", "team_leader"}
ACCESS |= {
    "customers:search": only(CUSTOMER_READERS),
    "customers:search-results": only(CUSTOMER_READERS, 302),
    "customers:detail": only(CUSTOMER_READERS),
    "customers:timeline": only(CUSTOMER_READERS, 302),
    "customers:acs-status": only(CUSTOMER_READERS),
    "customers:restricted-reason": only(CUSTOMER_READERS, 302),
    "customers:interaction-create": signed_in(NOT_ALLOWED),
}
URL_KWARGS |= {
    f"customers:{name}": lambda s: {"public_id": s.customer.public_id}
    for name in ("detail", "timeline", "acs-status", "restricted-reason", "interaction-create")
}
URL_KWARGS["customers:search-results"] = lambda s: {"token": "no-such-search-token"}

# Legacy sync ops page (docs/adr/0003): team leaders and admins see it; starting a sync is a
# POST, for admins only (benefits.start_sync).
ACCESS |= {
    "benefits:ops": only({"team_leader", "admin"}),
    "benefits:ops-progress": only({"team_leader", "admin"}),
    "benefits:ops-start": everyone(NOT_ALLOWED),
}


def all_url_names() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list[Any], namespace: str | None) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, full)
            elif pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    yield from walk(get_resolver().url_patterns, None)


def portal_url_names() -> list[str]:
    return sorted({name for name, _ in all_url_names() if not name.startswith("admin:")})


def admin_url_names() -> list[str]:
    return sorted({name for name, _ in all_url_names() if name.startswith("admin:")})


@pytest.fixture
def samples() -> Samples:
    return Samples(customer=CustomerFactory())


@pytest.fixture
def healthz_waits_briefly(monkeypatch) -> None:
    """/healthz waits CHECK_TIMEOUT_SECONDS (2 s) for a Celery worker to answer its ping. These
    tests start none, so it answers 503 however long it waits (or 200 when the session's shared
    worker runs on this test's Redis database): a short wait gives the same answer without
    2 s for every role and method."""
    monkeypatch.setattr("dwpportal.health.CHECK_TIMEOUT_SECONDS", 0.2)


def client_for(client, role: str):
    if role != "anonymous":
        client.force_login(ColleagueFactory(username=f"url-{role}", role=ROLE_GROUPS[role]))
    return client


def test_every_portal_url_is_classified():
    unclassified = [name for name in portal_url_names() if name not in ACCESS]
    assert not unclassified, f"classify these URLs in ACCESS: {unclassified}"
    stale = [name for name in ACCESS if name not in portal_url_names()]
    assert not stale, f"ACCESS names URLs that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_portal_urls_answer_each_role_as_classified(client, samples, healthz_waits_briefly, role):
    client = client_for(client, role)
    wrong = []
    for name in portal_url_names():
        kwargs = URL_KWARGS[name](samples) if name in URL_KWARGS else {}
        response = client.get(reverse(name, kwargs=kwargs))
        expected = ACCESS[name][role]
        if expected == SIGN_IN:
            good = response.status_code == 302 and reverse("accounts:sign-in") in response.get(
                "Location", ""
            )
        else:
            good = response.status_code in (
                expected if isinstance(expected, tuple) else (expected,)
            )
        if not good:
            wrong.append(f"{name}: expected {expected}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def admin_url(name: str) -> str:
    """Reverse an admin URL with placeholder arguments (object "1", app "accounts")."""
    _, pattern = next((n, p) for n, p in all_url_names() if n == name)
    parameters = pattern.pattern.regex.groupindex  # named groups, whatever the pattern type
    sample = {"app_label": "accounts", "object_id": "1", "content_type_id": 1}
    return reverse(name, kwargs={key: sample.get(key, "1") for key in parameters})


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_admins_only_on_every_admin_url(client, role):
    client = client_for(client, role)
    wrong = []
    for name in admin_url_names():
        if name in {"admin:login", "admin:logout"}:
            continue
        response = client.get(admin_url(name))
        if response.status_code >= 500:
            wrong.append(f"{name}: {response.status_code}")
        elif role == "admin":
            if response.status_code == 302 and "/admin/login/" in response.get("Location", ""):
                wrong.append(f"{name}: admin was sent to the admin login")
        elif not (response.status_code == 302 and "/admin/login/" in response.get("Location", "")):
            wrong.append(f"{name}: {role} got {response.status_code}, not the admin login")
    assert not wrong, "\n".join(wrong)


# The REST API (docs/access-control.md, "REST API"): the pages' rules, answered as problem
# details: 401 to anonymous callers (never a redirect), 403 to refused roles, 405 to a GET of a
# POST-only endpoint.
def api_only(allowed: set[str], answer: Any = OK) -> dict[str, Any]:
    return {"anonymous": 401, **{r: answer if r in allowed else FORBIDDEN for r in ROLES[1:]}}


ACCESS |= {
    "api:customer-search": {"anonymous": 401, **dict.fromkeys(ROLES[1:], NOT_ALLOWED)},
    "api:customer-record": api_only(CUSTOMER_READERS),
    "api:customer-timeline": api_only(CUSTOMER_READERS),
    "api:customer-interactions": api_only(CUSTOMER_READERS),
    "api:support-need-types": api_only(NEED_WORKERS),
    "api:support-needs": api_only(NEED_WORKERS),
    "api:support-need-review": {"anonymous": 401, **dict.fromkeys(ROLES[1:], NOT_ALLOWED)},
    "api:support-need-end": {"anonymous": 401, **dict.fromkeys(ROLES[1:], NOT_ALLOWED)},
    "api:acs-my-cases": api_only(ACS_CASE_WORKERS),
    "api:acs-triage": api_only(ACS_CASE_WORKERS),
    "api:acs-case": api_only(ACS_CASE_WORKERS),
    "api:acs-visits": api_only(ACS_CASE_WORKERS),
    "api:acs-escalations": api_only(ACS_CASE_WORKERS),
    "api:acs-figures": api_only(ACS_CASE_WORKERS),
    **{
        f"api:acs-case-{name}": {"anonymous": 401, **dict.fromkeys(ROLES[1:], NOT_ALLOWED)}
        for name in (
            "take",
            "note-add",
            "action-add",
            "visit-request",
            "visit-update",
            "escalate",
            "escalation-update",
        )
    },
    "api:sync-sources": api_only({"team_leader", "admin"}),
    "api:sync-runs": api_only({"team_leader", "admin"}),
    "api:sync-quarantine": api_only({"admin"}),
}
URL_KWARGS |= {
    f"api:{name}": lambda s: {"public_id": s.customer.public_id}
    for name in ("customer-record", "customer-timeline", "customer-interactions", "support-needs")
}
URL_KWARGS |= {
    f"api:support-need-{name}": lambda s: {
        "public_id": s.customer.public_id,
        "need_id": support_samples(s)["need"].public_id,
    }
    for name in ("review", "end")
}
URL_KWARGS |= {
    f"api:{name}": lambda s: {"public_id": s.acs_case.public_id}
    for name in (
        "acs-case",
        "acs-case-take",
        "acs-case-note-add",
        "acs-case-action-add",
        "acs-case-visit-request",
        "acs-case-escalate",
    )
}
URL_KWARGS["api:acs-case-visit-update"] = lambda s: {
    "public_id": s.acs_case.public_id,
    "visit_id": 1,
}
URL_KWARGS["api:acs-case-escalation-update"] = lambda s: {
    "public_id": s.acs_case.public_id,
    "escalation_id": 1,
}
