"""An admin's look at a quarantined record (its raw legacy payload) is audited."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from benefits.models import QuarantinedRecord, SyncRun
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_opening_a_quarantined_record_in_admin_is_audited(client, admin_user):
    customer = CustomerFactory(nino="ZX000019B")
    run = SyncRun.objects.create(source="uc", status="succeeded")
    record = QuarantinedRecord.objects.create(
        source="uc",
        sync_run=run,
        position="0",
        record_key="ZX000019B",
        raw_payload='{"nino": "ZX000019B", "first_name": "Ann"}',
        reason="unknown code",
    )
    client.force_login(admin_user)
    response = client.get(reverse("admin:benefits_quarantinedrecord_change", args=[record.pk]))
    assert response.status_code == 200
    event = AccessEvent.objects.get(what="quarantined record (admin)")
    assert (event.username, event.channel, event.customer_id, event.detail) == (
        "admin1",
        "admin",
        customer.pk,
        {"record": record.pk},
    )
