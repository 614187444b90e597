"""Input that once answered 500: absurd admin date filters, deeply nested or oversized API
bodies, and a need type whose review period runs past the calendar."""

import json

import pytest
from django.conf import settings
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse

from acs.models import CaseNote
from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Interaction
from support_needs.models import NeedType, SupportNeed
from tests.api.conftest import PROBLEM, TokenClient
from tests.factories import CustomerFactory, OpenCaseFactory
from tests.support_needs.conftest import record

pytestmark = pytest.mark.django_db

HUGE_YEAR = "99999999999999999999999"


# --- Admin date filters -----------------------------------------------------------------------


DATE_QUERIES = [
    {"__year": HUGE_YEAR},
    {"__year": "2026", "__month": HUGE_YEAR},
    {"__year": "2026", "__month": "1", "__day": HUGE_YEAR},
    {"__year": "9999"},
    {"__year": "9999", "__month": "12"},
    {"__year": "9999", "__month": "12", "__day": "31"},
    {"__year": "1"},
    {"__year": "0"},
    {"__year": "-1"},
]


def _admins_with_a_date_hierarchy() -> list:
    return [
        model_admin for model_admin in admin.site._registry.values() if model_admin.date_hierarchy
    ]


def test_the_access_audit_and_sync_runs_have_a_date_hierarchy():
    models = {type(a).__name__ for a in _admins_with_a_date_hierarchy()}
    assert {"AccessEventAdmin", "SyncRunAdmin"} <= models


@pytest.mark.parametrize("query", DATE_QUERIES)
def test_every_admin_date_hierarchy_refuses_an_impossible_date_quietly(client, admin_user, query):
    access_record(
        audit=AuditContext(user=admin_user, channel=Channel.ADMIN),
        action=AccessEvent.Action.SEARCH,
        what="search",
    )
    client.force_login(admin_user)
    for model_admin in _admins_with_a_date_hierarchy():
        opts = model_admin.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        params = {f"{model_admin.date_hierarchy}{key}": value for key, value in query.items()}
        response = client.get(url, params, follow=True)
        assert response.status_code < 500, (url, params, response.status_code)
        if type(model_admin).__name__ in ("AccessEventAdmin", "SyncRunAdmin"):
            assert response.status_code == 200, (url, params, response.status_code)


# --- API bodies -------------------------------------------------------------------------------

DEEP = "[" * 100_000


def _assert_problem_400(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 400


def test_a_deeply_nested_search_body_is_a_400_problem(work_coach):
    api = TokenClient(work_coach)
    response = api.client.post(
        reverse("api:customer-search"), DEEP, content_type="application/json", headers=api.headers
    )
    _assert_problem_400(response)


def test_a_deeply_nested_interaction_body_is_a_400_problem(work_coach):
    api = TokenClient(work_coach)
    customer = CustomerFactory()
    url = reverse("api:customer-interactions", kwargs={"public_id": customer.public_id})
    response = api.client.post(url, DEEP, content_type="application/json", headers=api.headers)
    _assert_problem_400(response)
    assert not Interaction.objects.exists()


def test_a_deeply_nested_case_note_body_is_a_400_problem(acssl):
    api = TokenClient(acssl)
    case = OpenCaseFactory(owner=acssl)
    url = reverse("api:acs-case-note-add", kwargs={"public_id": case.public_id})
    response = api.client.post(url, DEEP, content_type="application/json", headers=api.headers)
    _assert_problem_400(response)
    assert not CaseNote.objects.filter(case=case).exists()


def test_a_body_over_the_upload_limit_is_a_400_problem(work_coach):
    api = TokenClient(work_coach)
    customer = CustomerFactory()
    url = reverse("api:customer-interactions", kwargs={"public_id": customer.public_id})
    big = json.dumps(
        {"channel": "phone", "summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    )
    response = api.client.post(url, big, content_type="application/json", headers=api.headers)
    _assert_problem_400(response)
    assert not Interaction.objects.exists()


# --- A need type's review period --------------------------------------------------------------


def _need_type_form(need_type: NeedType, **changes) -> dict:
    data = {
        key: value
        for key, value in model_to_dict(need_type).items()
        if key != "id" and value is not None
    }
    for flag in ("complex_need", "mental_health", "active"):
        if not data.get(flag):
            data.pop(flag, None)
    data.update(changes)
    return data


@pytest.mark.parametrize("days", ["2147483647", "0", "100000"])
def test_the_need_type_admin_refuses_a_review_period_past_two_years(client, admin_user, days):
    need_type = NeedType.objects.get(code="large-print")
    client.force_login(admin_user)
    url = reverse("admin:support_needs_needtype_change", args=[need_type.pk])
    response = client.post(url, _need_type_form(need_type, default_review_days=days))
    assert response.status_code == 200  # the form again, with the error
    assert "review period" in response.content.decode().lower()
    need_type.refresh_from_db()
    assert need_type.default_review_days != int(days)


def test_recording_a_need_whose_type_has_an_absurd_review_period_never_500s(work_coach):
    # A period saved before the admin form checked it (or straight into the database).
    NeedType.objects.filter(code="large-print").update(default_review_days=2147483647)
    customer = CustomerFactory()
    need = record(customer, work_coach, "large-print")
    assert need.recorded_at.date() < need.review_due
    api = TokenClient(work_coach)
    other = CustomerFactory()
    url = reverse("api:support-needs", kwargs={"public_id": other.public_id})
    body = {
        "need_type": "large-print",
        "how_learned": "customer",
        "consent": "given",
        "details": "Told us at interview.",
        "format_detail": "18 point",
    }
    response = api.post(url, body)
    assert response.status_code == 201, response.content[:300]
    assert SupportNeed.objects.filter(customer=other).exists()
