"""No IDOR (ASVS 8.2.2): an object id in a URL only ever reaches that customer's own object, and
customers are addressed by an opaque UUID, never a NINO or a guessable number."""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from support_needs.models import NeedType
from support_needs.services.needs import support_need_record
from support_needs.services.signals import support_signals_compute
from tests.factories import CustomerFactory, PaymentFactory
from tests.support_needs.conftest import audit_as

pytestmark = pytest.mark.django_db


def test_another_customers_need_is_not_reachable_through_this_customers_url(
    coach_client, work_coach
):
    mine, theirs = CustomerFactory(), CustomerFactory()
    need = support_need_record(
        customer=theirs,
        audit=audit_as(work_coach),
        need_type=NeedType.objects.get(code="homelessness"),
        how_learned="customer",
        consent="given",
    )
    for name in ("update", "review", "end"):
        url = reverse(
            f"support_needs:{name}",
            kwargs={"public_id": mine.public_id, "need_id": need.public_id},
        )
        assert coach_client.get(url).status_code == 404, name
        assert coach_client.post(url, {}).status_code == 404, name
    need.refresh_from_db()
    assert need.ended_at is None


def test_another_customers_arrears_safeguard_is_refused(coach_client, work_coach):
    mine, theirs = CustomerFactory(), CustomerFactory()
    support_need_record(  # a complex need, so a large arrears payment raises a safeguard
        customer=theirs,
        audit=audit_as(work_coach),
        need_type=NeedType.objects.get(code="homelessness"),
        how_learned="customer",
        consent="given",
    )
    PaymentFactory(
        customer=theirs,
        kind="arrears",
        status="scheduled",
        amount_pence=900000,
        payment_date=timezone.localdate() + dt.timedelta(days=10),
    )
    support_signals_compute(customer_ids=[theirs.pk])
    safeguard = theirs.arrears_safeguards.get()
    url = reverse(
        "support_needs:safeguard-complete",
        kwargs={"public_id": mine.public_id, "safeguard_id": safeguard.public_id},
    )
    assert coach_client.post(url, {}).status_code == 403
    safeguard.refresh_from_db()
    assert safeguard.completed_at is None


def test_customers_are_addressed_by_uuid_only(coach_client):
    customer = CustomerFactory(nino="ZX700001A")
    with pytest.raises(NoReverseMatch):
        reverse("customers:detail", kwargs={"public_id": customer.nino})
    with pytest.raises(NoReverseMatch):
        reverse("customers:detail", kwargs={"public_id": customer.pk})
    assert coach_client.get(f"/customers/{customer.pk}/").status_code == 404
