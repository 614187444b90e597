"""Change history: every domain write leaves an event row naming the colleague or the sync run."""

import pytest
from django.urls import reverse

from benefits.models import Payment, UniversalCreditAward
from customers.models import Customer, Interaction
from support_needs.models import NeedType, SupportNeed
from support_needs.services.needs import support_need_record
from tests.benefits.conftest import (  # noqa: F401 - fixtures
    legacy,
    legacy_server,
    sync_inline,
)
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as

pytestmark = pytest.mark.django_db


def test_a_colleagues_write_is_recorded_with_who_and_where(coach_client, work_coach):
    customer = CustomerFactory()
    response = coach_client.post(
        reverse("customers:interaction-create", kwargs={"public_id": customer.public_id}),
        {"channel": "phone", "summary": "Asked about the next UC payment"},
    )
    assert response.status_code in (200, 302)
    interaction = Interaction.objects.get(customer=customer)
    event = interaction.change_history.get()
    assert event.pgh_label == "insert"
    assert event.summary == "Asked about the next UC payment"
    assert event.pgh_context.metadata["user"] == work_coach.pk
    assert event.pgh_context.metadata["url"].startswith("/customers/")


@pytest.mark.usefixtures("legacy")
def test_sync_writes_are_recorded_with_their_run():
    run = sync_inline("uc")
    award = UniversalCreditAward.objects.select_related("customer").first()
    award_event = award.change_history.get()
    assert award_event.pgh_context.metadata == {"sync_run": run.pk, "source": "uc"}
    customer_event = award.customer.change_history.first()
    assert customer_event.pgh_context.metadata["sync_run"] == run.pk
    payment = Payment.objects.filter(customer=award.customer).first()
    if payment is not None:
        assert payment.change_history.get().pgh_context.metadata["sync_run"] == run.pk


def test_bulk_updates_are_seen_too_and_history_keeps_the_old_values():
    customer = CustomerFactory(last_name="Smith")
    Customer.objects.filter(pk=customer.pk).update(last_name="Smith-Jones")  # no save(), no signal
    labels = list(customer.change_history.order_by("pgh_id").values_list("pgh_label", "last_name"))
    assert labels == [("insert", "Smith"), ("update", "Smith-Jones")]


def test_support_need_changes_are_tracked_too(work_coach):
    need = support_need_record(
        customer=CustomerFactory(),
        audit=audit_as(work_coach),
        need_type=NeedType.objects.get(code="large-print"),
        format_detail="Size 18",
        how_learned="customer",
        consent="given",
    )
    assert SupportNeed.change_history.field.model.objects.filter(pgh_obj=need).count() == 1
