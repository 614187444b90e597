"""The access audit is append-only in the database, and records who, what, where and why."""

import pytest
from django.db import DatabaseError, transaction
from django.test import RequestFactory

from audit.models import AccessEvent
from audit.services import access_record
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def make_request(user, **meta):
    request = RequestFactory().get("/", **meta)
    request.user = user
    request.request_id = "req-123"
    return request


def test_access_record_writes_who_what_where(work_coach):
    customer = CustomerFactory()
    event = access_record(
        request=make_request(work_coach, REMOTE_ADDR="10.1.2.3"),
        action=AccessEvent.Action.VIEW_CUSTOMER,
        what="customer page",
        customer=customer,
        reason="phone call",
    )
    event.refresh_from_db()
    assert (event.user, event.username, event.customer) == (work_coach, "coach1", customer)
    assert (event.request_id, event.client_address, event.reason) == (
        "req-123",
        "10.1.2.3",
        "phone call",
    )


def test_forwarded_address_is_ignored_without_trusted_proxies(work_coach):
    event = access_record(
        request=make_request(work_coach, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6"),
        action=AccessEvent.Action.SEARCH,
        what="search",
    )
    assert event.client_address == "10.0.0.1"


def test_forwarded_address_is_the_one_the_proxy_saw(work_coach, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    event = access_record(
        request=make_request(work_coach, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.9.8.7"),
        action=AccessEvent.Action.SEARCH,
        what="search",
    )
    assert event.client_address == "10.9.8.7"


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_database_refuses_to_change_or_delete_events(work_coach, operation):
    event = access_record(
        request=make_request(work_coach), action=AccessEvent.Action.SEARCH, what="search"
    )
    rows = AccessEvent.objects.filter(pk=event.pk)
    change = (
        (lambda: rows.update(username="someone-else")) if operation == "update" else rows.delete
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()
    event.refresh_from_db()
    assert event.username == "coach1"
