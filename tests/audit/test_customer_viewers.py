"""Team leaders see who viewed a customer's record; nobody else does."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def viewers_url(customer):
    return reverse("audit:customer-viewers", kwargs={"public_id": customer.public_id})


def test_team_leader_sees_each_colleague_who_opened_the_record(client, work_coach, team_leader):
    customer = CustomerFactory()
    client.force_login(work_coach)
    client.get(reverse("customers:detail", kwargs={"public_id": customer.public_id}))

    client.force_login(team_leader)
    page = client.get(viewers_url(customer))
    assert page.status_code == 200
    rows = [e.username for e in page.context["page_obj"]]
    assert rows == ["leader1", "coach1"]  # newest first, this look included
    assert AccessEvent.objects.filter(
        customer=customer, username="leader1", what="who viewed this record"
    ).exists()
    # The customer page offers the link to team leaders only.
    detail = client.get(reverse("customers:detail", kwargs={"public_id": customer.public_id}))
    assert viewers_url(customer) in detail.content.decode()


@pytest.mark.parametrize("fixture", ["work_coach", "acssl", "admin_user"])
def test_other_roles_are_refused(client, request, fixture):
    customer = CustomerFactory()
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(viewers_url(customer)).status_code == 403
    if fixture == "work_coach":
        detail = client.get(reverse("customers:detail", kwargs={"public_id": customer.public_id}))
        assert viewers_url(customer) not in detail.content.decode()


def test_a_refused_look_is_logged_as_a_refusal_not_a_view(client, work_coach):
    customer = CustomerFactory()
    client.force_login(work_coach)
    assert client.get(viewers_url(customer)).status_code == 403
    events = list(AccessEvent.objects.filter(customer=customer).values_list("action", "what"))
    assert events == [(AccessEvent.Action.REFUSED, "who viewed this record")]


def test_an_acssl_is_refused_before_being_asked_for_a_restricted_records_reason(client, acssl):
    customer = CustomerFactory(restricted=True)
    client.force_login(acssl)
    response = client.get(viewers_url(customer))
    assert response.status_code == 403  # not a redirect to the reason page
    assert list(AccessEvent.objects.filter(customer=customer).values_list("action", flat=True)) == [
        AccessEvent.Action.REFUSED
    ]
