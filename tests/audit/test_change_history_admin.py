"""Admins see a customer record's change history (who or which sync run, what changed), read-only,
without the values; each look is audited; other roles are kept out."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from benefits.models import SyncRun
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:pghistory_events_changelist")


def rows(response) -> list[dict[str, str]]:
    changelist = response.context["cl"]
    return [
        {
            "record": changelist.model_admin.record(event),
            "label": event.pgh_label,
            "fields": changelist.model_admin.fields_changed(event),
            "by": changelist.model_admin.by(event),
        }
        for event in changelist.result_list
    ]


def test_admin_sees_who_changed_which_fields_never_the_values(client, admin_user, coach_client):
    customer = CustomerFactory(nino="ZX555001A", last_name="Smith")
    # First, outside any request. (In a test everything is one transaction, and pghistory's
    # context lasts to its end, so the colleague's request must come after.)
    Customer.objects.filter(pk=customer.pk).update(last_name="Smith-Jones")
    coach_client.post(
        reverse("customers:interaction-create", kwargs={"public_id": customer.public_id}),
        {"channel": "phone", "summary": "Asked about PIP"},
    )

    client.force_login(admin_user)
    response = client.get(URL, {"q": "zx 55 50 01 a"})
    assert response.status_code == 200
    found = rows(response)
    assert {"record": "interaction", "label": "insert", "fields": "", "by": "coach1"} in found
    update = next(r for r in found if r["record"] == "customer" and r["label"] == "update")
    assert update["fields"] == "last_name"
    assert "no context" in update["by"]
    page = response.content.decode()
    assert "Smith-Jones" not in page
    assert "Asked about PIP" not in page
    assert AccessEvent.objects.filter(
        customer=customer, username="admin1", what="change history (admin)"
    ).exists()


def test_sync_changes_name_the_sync_run(client, admin_user):
    import pghistory

    customer = CustomerFactory(nino="ZX555002B")
    run = SyncRun.objects.create(source="uc")
    with pghistory.context(sync_run=run.pk, source="uc"):
        Customer.objects.filter(pk=customer.pk).update(first_name="Renamed")
    client.force_login(admin_user)
    found = rows(client.get(URL, {"q": "ZX555002B"}))
    assert {
        "record": "customer",
        "label": "update",
        "fields": "first_name",
        "by": f"sync run {run.pk} (uc)",
    } in found


def test_nothing_is_listed_until_a_customer_is_named(client, admin_user):
    CustomerFactory()
    client.force_login(admin_user)
    for query in ({}, {"q": "Smith"}, {"q": "ZX999999A"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert rows(response) == []
    assert not AccessEvent.objects.filter(what="change history (admin)").exists()


def test_read_only_and_admins_only(client, admin_user, team_leader):
    client.force_login(team_leader)
    assert client.get(URL).status_code == 302  # to the admin sign-in
    client.force_login(admin_user)
    response = client.get(URL, {"q": "ZX555003C"})
    assert response.status_code == 200
    admin = response.context["cl"].model_admin
    request = response.wsgi_request
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
    assert response.context["cl"].model_admin.get_urls()[0].name == ("pghistory_events_changelist")
    assert len(admin.get_urls()) == 1  # no per-event page that would show the values
