"""Pages and fragments that show customers, other than the customer page itself (see
test_customer_page.py): search results, live results, the timeline fragment and recording an
interaction answer in a fixed number of queries whatever the number of matches or entries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Interaction
from tests.factories import BenefitEventFactory, CustomerFactory, PaymentFactory
from tests.support_needs.conftest import record

pytestmark = pytest.mark.django_db


def same_count(django_assert_max_num_queries, grow, ask, limit=30):
    grow(2)
    with django_assert_max_num_queries(limit) as small:
        assert ask().status_code in (200, 302)
    grow(20)
    with django_assert_max_num_queries(limit) as large:
        assert ask().status_code in (200, 302)
    assert len(large.captured_queries) == len(small.captured_queries)


def search_data(query):
    return {"query": query, "dob_day": "", "dob_month": "", "dob_year": "", "postcode": ""}


def alex_joneses(by):
    def grow(n):
        for _ in range(n):
            customer = CustomerFactory(first_name="Alex", last_name="Jones", restricted=False)
            record(customer, by, "bsl-interpreter")
            record(customer, by, "large-print")
        CustomerFactory(first_name="Alex", last_name="Jones", restricted=True)

    return grow


def test_name_search_results_page(coach_client, work_coach, django_assert_max_num_queries):
    url = coach_client.post("/customers/", search_data("Alex Jones"))["Location"]
    same_count(
        django_assert_max_num_queries, alex_joneses(work_coach), lambda: coach_client.get(url)
    )


def test_live_results_fragment(coach_client, work_coach, django_assert_max_num_queries):
    data = {**search_data("Alex Jnes"), "live": "1"}
    same_count(
        django_assert_max_num_queries,
        alex_joneses(work_coach),
        lambda: coach_client.post("/customers/", data, HTTP_HX_REQUEST="true"),
    )


def test_timeline_fragment_and_recording(coach_client, work_coach, django_assert_max_num_queries):
    customer = CustomerFactory()

    def grow(n):
        # Older than the repeated-contact window, so recording one more raises no new signal
        # (that is a different write, not a query per entry).
        for i in range(n):
            Interaction.objects.create(
                customer=customer,
                channel="email",
                summary=f"Email {i}",
                recorded_by=work_coach,
                recorded_at=timezone.now() - dt.timedelta(days=200, minutes=i),
            )
            PaymentFactory(customer=customer)
            BenefitEventFactory(customer=customer)

    timeline = reverse("customers:timeline", args=[customer.public_id])
    same_count(
        django_assert_max_num_queries,
        grow,
        lambda: coach_client.get(timeline + "?page=2", HTTP_HX_REQUEST="true"),
    )
    record_url = reverse("customers:interaction-create", args=[customer.public_id])
    same_count(
        django_assert_max_num_queries,
        grow,
        lambda: coach_client.post(
            record_url, {"channel": "phone", "summary": "Called"}, HTTP_HX_REQUEST="true"
        ),
        limit=40,
    )
