"""The access audit is append-only in the database, and records who, what, where and why."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from support_needs.models import SupportSignal
from support_needs.selectors import six_point_plans_for_customer
from support_needs.services.signals import support_signal_dismiss
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as, record
from tests.support_needs.test_services import six_point_plan

pytestmark = pytest.mark.django_db


def make_request(user, **meta):
    request = RequestFactory().get("/", **meta)
    request.user = user
    request.request_id = "req-123"
    return request


def audit_of(user, **meta) -> AuditContext:
    """The audit context a view builds from a request by `user` with these headers."""
    return AuditContext.from_request(make_request(user, **meta))


def test_access_record_writes_who_what_where(work_coach):
    customer = CustomerFactory()
    event = access_record(
        audit=audit_of(work_coach, REMOTE_ADDR="10.1.2.3"),
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
        audit=audit_of(work_coach, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6"),
        action=AccessEvent.Action.SEARCH,
        what="search",
    )
    assert event.client_address == "10.0.0.1"


def test_forwarded_address_is_the_one_the_proxy_saw(work_coach, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    event = access_record(
        audit=audit_of(work_coach, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.9.8.7"),
        action=AccessEvent.Action.SEARCH,
        what="search",
    )
    assert event.client_address == "10.9.8.7"


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_database_refuses_to_change_or_delete_events(work_coach, operation):
    event = access_record(
        audit=audit_of(work_coach), action=AccessEvent.Action.SEARCH, what="search"
    )
    rows = AccessEvent.objects.filter(pk=event.pk)
    change = (
        (lambda: rows.update(username="someone-else")) if operation == "update" else rows.delete
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()
    event.refresh_from_db()
    assert event.username == "coach1"


@pytest.mark.parametrize("statement", ["UPDATE {} SET username = 'someone-else'", "DELETE FROM {}"])
def test_database_refuses_to_change_an_event_in_its_partition_by_name(work_coach, statement):
    """The audit is partitioned by month: its append-only trigger guards each partition too,
    even for a statement that names the partition itself."""
    event = access_record(
        audit=audit_of(work_coach), action=AccessEvent.Action.SEARCH, what="search"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_accessevent WHERE id = %s", [event.pk]
        )
        partition = cursor.fetchone()[0]
        assert partition.startswith("audit_accessevent_")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement.format(partition) + " WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.username == "coach1"


def test_admin_finds_events_by_colleague_and_customer_and_exports_csv(client, admin_user):
    customer = CustomerFactory(nino="ZX999001A")
    other = CustomerFactory(nino="ZX999002B")
    for who in (customer, other):
        access_record(
            audit=audit_of(admin_user),
            action=AccessEvent.Action.VIEW_CUSTOMER,
            what="customer page",
            customer=who,
        )
    client.force_login(admin_user)
    page = client.get("/admin/audit/accessevent/", {"q": "ZX999001A"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1

    ids = list(AccessEvent.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/audit/accessevent/", {"action": "export_csv", "_selected_action": ids}
    )
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("occurred_at,username,action")
    assert len(body.splitlines()) == 1 + len(ids)
    # The export itself is audited.
    assert AccessEvent.objects.filter(action=AccessEvent.Action.EXPORT, username="admin1").exists()


def test_admin_cannot_change_or_delete_events(client, admin_user):
    event = access_record(
        audit=audit_of(admin_user), action=AccessEvent.Action.SEARCH, what="search"
    )
    client.force_login(admin_user)
    assert client.post(f"/admin/audit/accessevent/{event.pk}/delete/").status_code == 403


def test_admin_reads_of_the_audit_are_audited(client, admin_user):
    customer = CustomerFactory(nino="ZX999003C")
    event = access_record(
        audit=audit_of(admin_user),
        action=AccessEvent.Action.VIEW_CUSTOMER,
        what="customer page",
        customer=customer,
    )
    client.force_login(admin_user)

    def reads():
        return list(
            AccessEvent.objects.filter(what__startswith="access audit")
            .order_by("pk")  # a partitioned table gives no order unless asked
            .values_list("action", "what", "channel")
        )

    assert client.get("/admin/audit/accessevent/").status_code == 200
    assert reads() == [(AccessEvent.Action.VIEW_FRAGMENT, "access audit list", "admin")]
    assert client.get("/admin/audit/accessevent/", {"q": "ZX999003C"}).status_code == 200
    assert reads()[-1] == (AccessEvent.Action.SEARCH, "access audit list", "admin")
    assert client.get(f"/admin/audit/accessevent/{event.pk}/change/").status_code == 200
    last = AccessEvent.objects.order_by("pk").last()
    assert (last.what, last.customer_id, last.detail) == (
        "access audit event",
        customer.pk,
        {"event": event.pk},
    )


def marker_events(customer, *, work_coach, acssl, admin_user):
    """Every event that names a marker, written by the support-needs code that writes it."""
    record(customer, acssl, "risk-of-harm")  # "support need recorded", detail type
    six_point_plan(customer, work_coach)  # "six point plan recorded"
    six_point_plans_for_customer(customer=customer, audit=audit_as(acssl))  # "six point plans"
    with pytest.raises(PermissionDenied):  # "six point plan record", refused
        six_point_plan(customer, admin_user)
    signal = customer.support_signals.get(rule="recent_spp")
    signal.status = SupportSignal.Status.OPEN
    signal.save()
    # "support signal dismissed", detail rule
    support_signal_dismiss(signal=signal, audit=audit_as(acssl), reason="In hand")
    return AccessEvent.objects.filter(customer=customer)


# What an admin not cleared for markers must never read: a marker's type, a signal rule named
# after one, or an event name that says a Six Point Plan.
MARKER_WORDS = ("risk-of-harm", "recent_spp", "six point plan", "six-point-plan")


def test_admins_not_cleared_for_markers_never_read_a_markers_type(
    client, admin_user, work_coach, acssl
):
    customer = CustomerFactory()
    events = marker_events(customer, work_coach=work_coach, acssl=acssl, admin_user=admin_user)
    assert {"six point plan recorded", "six point plans", "six point plan record"} <= set(
        events.values_list("what", flat=True)
    )
    client.force_login(admin_user)
    listing = client.get("/admin/audit/accessevent/").content.decode()
    changes = [
        client.get(f"/admin/audit/accessevent/{pk}/change/").content.decode()
        for pk in events.values_list("pk", flat=True)
    ]
    ids = list(AccessEvent.objects.values_list("pk", flat=True))
    export = client.post(
        "/admin/audit/accessevent/", {"action": "export_csv", "_selected_action": ids}
    )
    csv_body = b"".join(export.streaming_content).decode()
    for shown in (listing, *changes, csv_body):
        for word in MARKER_WORDS:
            assert word not in shown.lower()
    assert "restricted marker recorded" in listing
    assert "restricted marker records read" in listing


def events_about(user, *events):
    """A new customer, and a look by `user` at their record for each (what, detail)."""
    customer = CustomerFactory()
    for what, detail in events:
        access_record(
            audit=audit_of(user),
            action=AccessEvent.Action.VIEW_CUSTOMER,
            what=what,
            customer=customer,
            detail=detail,
        )
    return customer


@pytest.mark.parametrize(
    "query",
    [
        {"detail__type": "risk-of-harm"},
        {"detail__rule": "recent_spp"},
        {"detail__has_key": "type"},
        {"detail__contains": '{"type": "risk-of-harm"}'},
        {"what": "six point plans"},
        {"what__exact": "six point plan recorded"},
        {"what__startswith": "six point"},
        {"what__icontains": "plan"},
        {"what__in": "customer page,six point plans"},
        {"what__gt": "six point"},
    ],
)
def test_admins_not_cleared_for_markers_cannot_filter_the_audit_by_one(client, admin_user, query):
    """The hidden columns would still answer a filter typed into the address: which customers
    have that marker. Django refuses a lookup it does not allow with a 400."""
    customer = events_about(
        admin_user,
        ("support need recorded", {"type": "risk-of-harm"}),
        ("six point plans", {"shown": 1}),
    )
    client.force_login(admin_user)
    response = client.get("/admin/audit/accessevent/", query)
    assert response.status_code == 400
    assert customer.nino_display not in response.content.decode()


def test_the_audit_filters_that_tell_no_marker_still_work(client, admin_user):
    events_about(
        admin_user,
        ("customer page", {}),
        ("six point plans", {"shown": 1}),
        ("support need recorded", {"type": "risk-of-harm"}),
    )
    url = "/admin/audit/accessevent/"
    client.force_login(admin_user)
    # Not cleared: an exact event name that names no marker, and the other columns.
    for query, found in (({"what": "customer page"}, 1), ({"action": "view_customer"}, 3)):
        response = client.get(url, query)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == found
    # Cleared: by any event name (the "what" filter is offered), never by the detail.
    admin_user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="support_needs", codename="view_restricted_need"
        )
    )
    response = client.get(url, {"what": "six point plans"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert client.get(url, {"detail__type": "risk-of-harm"}).status_code == 400


def test_colleagues_cleared_for_markers_read_them_in_the_audit(client, admin_user):
    admin_user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="support_needs", codename="view_restricted_need"
        )
    )
    access_record(
        audit=audit_of(admin_user),
        action=AccessEvent.Action.CHANGE,
        what="six point plan recorded",
        detail={"type": "risk-of-harm"},
    )
    client.force_login(admin_user)
    listing = client.get("/admin/audit/accessevent/").content.decode()
    assert "six point plan recorded" in listing
