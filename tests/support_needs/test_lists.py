"""The colleague lists (reviews due and overdue, arrears safeguards open): paginated, a fixed
number of queries whatever the number of needs, and each look logged by count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from benefits.models import Payment
from support_needs.models import SupportNeed
from support_needs.selectors import LIST_PAGE_SIZE as PER_PAGE
from support_needs.services.signals import support_signals_compute
from tests.factories import CustomerFactory, PaymentFactory
from tests.support_needs.conftest import record

pytestmark = pytest.mark.django_db


def overdue_needs(by, n):
    for _ in range(n):
        need = record(CustomerFactory(), by, "homelessness")
        SupportNeed.objects.filter(pk=need.pk).update(
            review_due=timezone.localdate() - dt.timedelta(days=1)
        )


def open_safeguards(by, n):
    customers = []
    for _ in range(n):
        customer = CustomerFactory()
        record(customer, by, "mental-health")
        PaymentFactory(
            customer=customer,
            kind=Payment.Kind.ARREARS,
            status=Payment.Status.SCHEDULED,
            amount_pence=650000,
            payment_date=timezone.localdate() + dt.timedelta(days=5),
        )
        customers.append(customer.pk)
    support_signals_compute(customer_ids=customers)


@pytest.mark.parametrize(
    ("url_name", "grow"),
    [
        ("support_needs:reviews-due", overdue_needs),
        ("support_needs:safeguards-open", open_safeguards),
    ],
)
def test_list_queries_do_not_grow_and_each_look_is_logged(
    client, work_coach, team_leader, url_name, grow, django_assert_max_num_queries
):
    client.force_login(team_leader)
    grow(work_coach, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(url_name)).status_code == 200
    grow(work_coach, 10)
    with django_assert_max_num_queries(20) as large:
        response = client.get(reverse(url_name))
    assert len(large.captured_queries) == len(small.captured_queries)
    event = AccessEvent.objects.filter(user=team_leader).latest("occurred_at")
    assert event.action == AccessEvent.Action.VIEW_FRAGMENT
    assert event.detail == {"shown": 12, "page": 1}
    assert event.customer_id is None  # a list: no one customer, no names in the trail
    assert response.status_code == 200


def test_reviews_due_pages(client, work_coach):
    overdue_needs(work_coach, PER_PAGE + 2)
    client.force_login(work_coach)
    first = client.get(reverse("support_needs:reviews-due"))
    assert len(first.context["page_obj"].object_list) == PER_PAGE
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("support_needs:reviews-due") + "?page=2")
    assert len(second.context["page_obj"].object_list) == 2
    assert client.get(reverse("support_needs:reviews-due") + "?page=x").status_code == 200


def _overdue(need):
    SupportNeed.objects.filter(pk=need.pk).update(
        review_due=timezone.localdate() - dt.timedelta(days=3)
    )
    return need


def _listed(client, scope=None):
    url = reverse("support_needs:reviews-due") + (f"?scope={scope}" if scope else "")
    response = client.get(url)
    assert response.status_code == 200
    return {need.pk for need in response.context["page_obj"].object_list}


def test_reviews_due_are_the_colleagues_own_and_teams_by_default_with_all_on_request(
    client, work_coach
):
    from accounts import roles
    from customers.models import Channel
    from customers.services import interaction_record
    from tests.factories import ColleagueFactory
    from tests.support_needs.conftest import audit_as

    teammate = ColleagueFactory(role=roles.WORK_COACH, team=work_coach.team)
    elsewhere = ColleagueFactory(role=roles.WORK_COACH, team="Bradford jobcentre")
    mine = _overdue(record(CustomerFactory(), work_coach, "homelessness"))
    contacted = CustomerFactory()  # someone else's need, but a customer I spoke to
    of_my_contact = _overdue(record(contacted, elsewhere, "homelessness"))
    interaction_record(
        customer=contacted, audit=audit_as(work_coach), channel=Channel.PHONE, summary="Called."
    )
    teams = _overdue(record(CustomerFactory(), teammate, "homelessness"))
    others = _overdue(record(CustomerFactory(), elsewhere, "homelessness"))

    client.force_login(work_coach)
    assert _listed(client, "mine") == {mine.pk, of_my_contact.pk}
    assert _listed(client) == _listed(client, "team") == {mine.pk, of_my_contact.pk, teams.pk}
    assert _listed(client, "all") >= {mine.pk, of_my_contact.pk, teams.pk, others.pk}
    assert _listed(client, "nonsense") == _listed(client, "team")  # an unknown scope: the default
    page = client.get(reverse("support_needs:reviews-due") + "?scope=mine")
    assert 'id="scope-mine" name="scope" type="radio" value="mine" checked' in page.text


def test_reviews_due_pages_keep_the_scope(client, work_coach):
    overdue_needs(work_coach, PER_PAGE + 1)
    client.force_login(work_coach)
    first = client.get(reverse("support_needs:reviews-due") + "?scope=mine")
    assert "?scope=mine&amp;page=2" in first.text
