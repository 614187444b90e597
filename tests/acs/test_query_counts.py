"""Every ACS page that shows customers answers in a fixed number of queries, whatever the number
of cases, referrals, actions, notes and partner referrals; the long lists are paginated."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from acs.views import CASES_PER_PAGE
from tests.factories import (
    AcsCaseFactory,
    CaseActionFactory,
    CaseNoteFactory,
    CustomerFactory,
    OpenCaseFactory,
    PartnerReferralFactory,
    ReferralFactory,
)
from tests.factories.acs import category

pytestmark = pytest.mark.django_db


# A ceiling, whatever the data: the case page reads its case, its parts and the reference lists
# of its forms (outcomes, categories, partners, learning themes, colleagues) once each.
def queries_for(client, url, django_assert_max_num_queries, limit=32):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def same_count_with_more_data(client, url, grow, django_assert_max_num_queries):
    grow(2)
    small = queries_for(client, url, django_assert_max_num_queries)
    grow(12)
    large = queries_for(client, url, django_assert_max_num_queries)
    assert large == small


def test_triage_queue(client, acssl, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            case = AcsCaseFactory(categories=["problem_debt", "abuse"])
            ReferralFactory(case=case)

    client.force_login(acssl)
    same_count_with_more_data(client, reverse("acs:triage"), grow, django_assert_max_num_queries)


def test_my_cases(client, acssl, django_assert_max_num_queries):
    today = timezone.localdate()

    def grow(n):
        for _ in range(n):
            case = OpenCaseFactory(owner=acssl, next_review_on=today)
            CaseActionFactory(case=case, due_on=today - dt.timedelta(days=1))

    client.force_login(acssl)
    same_count_with_more_data(client, reverse("acs:my-cases"), grow, django_assert_max_num_queries)


def test_team_caseload(client, team_leader, acssl, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            case = OpenCaseFactory(owner=acssl)
            case.escalations.create(route="ipr", reason="Delay", escalated_by=acssl)

    client.force_login(team_leader)
    same_count_with_more_data(client, reverse("acs:team"), grow, django_assert_max_num_queries)


def test_case_page(client, acssl, django_assert_max_num_queries):
    case = OpenCaseFactory(owner=acssl, categories=["problem_debt"])

    def grow(n):
        for i in range(n):
            ReferralFactory(case=case)
            CaseActionFactory(case=case)
            CaseNoteFactory(case=case, text=f"note {i}")
            PartnerReferralFactory(case=case)
            case.risk_history.create(level="high", reason="Threats", assessed_by=acssl)

    client.force_login(acssl)
    url = reverse("acs:case", kwargs={"public_id": case.public_id})
    same_count_with_more_data(client, url, grow, django_assert_max_num_queries)


def test_refer_page(client, work_coach, django_assert_max_num_queries):
    customer = CustomerFactory()
    case = AcsCaseFactory(customer=customer)

    def grow(n):
        for _ in range(n):
            ReferralFactory(case=case)

    client.force_login(work_coach)
    url = reverse("acs:refer", kwargs={"public_id": customer.public_id})
    same_count_with_more_data(client, url, grow, django_assert_max_num_queries)


def test_triage_queue_is_paginated(client, acssl):
    debt = category("problem_debt")
    for _ in range(CASES_PER_PAGE + 1):
        AcsCaseFactory().categories.add(debt)
    client.force_login(acssl)
    first = client.get(reverse("acs:triage"))
    assert len(first.context["cases"]) == CASES_PER_PAGE
    assert f"{CASES_PER_PAGE + 1} referrals waiting" in first.text
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("acs:triage") + "?page=2")
    assert len(second.context["cases"]) == 1
    assert client.get(reverse("acs:triage") + "?page=nonsense").status_code == 200


def test_my_cases_is_paginated_but_counts_every_case(client, acssl):
    for _ in range(CASES_PER_PAGE + 3):
        OpenCaseFactory(owner=acssl)
    client.force_login(acssl)
    first = client.get(reverse("acs:my-cases"))
    assert len(first.context["page_obj"].object_list) == CASES_PER_PAGE
    assert "Page 1 of 2" in first.text
    assert f'data-testid="count-cases">{CASES_PER_PAGE + 3}<' in first.text
    second = client.get(reverse("acs:my-cases") + "?page=2")
    assert len(second.context["page_obj"].object_list) == 3
