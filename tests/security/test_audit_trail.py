"""The access audit through real requests (ASVS 16.2.1, 16.3.2): who, when, which customer, what,
reason, request id and client address; refusals logged; exports safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse

from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from audit.services import access_record
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
ADDRESS = "10.20.30.40"


def detail_url(customer) -> str:
    return reverse("customers:detail", kwargs={"public_id": customer.public_id})


def test_a_page_view_records_request_id_and_client_address(coach_client, work_coach):
    customer = CustomerFactory()
    response = coach_client.get(detail_url(customer), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    event = AccessEvent.objects.get(customer=customer, action=AccessEvent.Action.VIEW_CUSTOMER)
    assert (event.user, event.username, event.what) == (work_coach, "coach1", "customer page")
    assert event.request_id == response["X-Request-ID"]
    assert len(event.request_id) == 32
    assert event.client_address == ADDRESS
    assert event.occurred_at is not None


def test_a_fragment_is_audited_with_its_request(coach_client):
    customer = CustomerFactory()
    url = reverse("customers:timeline", kwargs={"public_id": customer.public_id})
    response = coach_client.get(url, HTTP_HX_REQUEST="true", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    event = AccessEvent.objects.get(customer=customer, action=AccessEvent.Action.VIEW_FRAGMENT)
    assert event.request_id == response["X-Request-ID"]
    assert event.client_address == ADDRESS


def test_a_restricted_record_is_opened_only_with_a_reason_which_is_recorded(client, acssl):
    customer = CustomerFactory(restricted=True)
    client.force_login(acssl)
    first = client.get(detail_url(customer))
    assert first.status_code == 302  # to the reason page: nothing shown, nothing "viewed" yet
    assert not AccessEvent.objects.filter(customer=customer, action="view_customer").exists()
    reason_url = reverse("customers:restricted-reason", kwargs={"public_id": customer.public_id})
    client.post(reason_url, {"reason": "Customer phoned about a safeguarding visit"})
    assert client.get(detail_url(customer)).status_code == 200
    event = AccessEvent.objects.get(customer=customer, action="view_customer")
    assert event.reason == "Customer phoned about a safeguarding visit"


def test_a_refused_look_at_a_restricted_record_is_logged(coach_client):
    customer = CustomerFactory(restricted=True)
    response = coach_client.get(detail_url(customer), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    event = AccessEvent.objects.get(customer=customer)
    assert event.action == AccessEvent.Action.REFUSED
    assert event.client_address == ADDRESS
    assert event.request_id == response["X-Request-ID"]


def test_a_name_search_records_the_count_and_never_the_query(coach_client):
    CustomerFactory(first_name="Marguerite", last_name="Okafor")
    response = coach_client.post(
        reverse("customers:search"), {"query": "Marguerite Okafor"}, follow=True
    )
    assert response.redirect_chain  # the criteria stay server-side, behind a token
    assert "okafor" not in response.redirect_chain[-1][0].lower()
    event = AccessEvent.objects.get(action=AccessEvent.Action.SEARCH)
    assert event.detail["results"] == 1
    assert event.request_id == response["X-Request-ID"]
    flat = " ".join(str(getattr(event, f.attname)) for f in AccessEvent._meta.fields).lower()
    assert "marguerite" not in flat
    assert "okafor" not in flat


def test_the_csv_export_opens_a_formula_as_text(client, admin_user):
    access_record(
        audit=AuditContext(user=admin_user, channel=Channel.PAGE, request_id="r1"),
        action=AccessEvent.Action.VIEW_CUSTOMER,
        what="customer page",
        reason='=HYPERLINK("http://evil.example","click")',
    )
    client.force_login(admin_user)
    ids = list(AccessEvent.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/audit/accessevent/", {"action": "export_csv", "_selected_action": ids}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["reason"] == '\'=HYPERLINK("http://evil.example","click")'
