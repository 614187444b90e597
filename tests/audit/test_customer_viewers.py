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


def test_repeated_looks_are_one_visit_with_name_role_and_plain_labels(
    client, acssl, work_coach, team_leader, monkeypatch
):
    import datetime as dt

    from django.utils import timezone

    from accounts import roles
    from tests.factories import ColleagueFactory

    customer = CustomerFactory()
    anna = ColleagueFactory(first_name="Anna", last_name="Senior", role=roles.ACSSL)
    now = timezone.now()
    for minutes, what, action in (
        (60 * 5, "customer timeline", "view_fragment"),  # an earlier visit
        (40, "acs case", "view_customer"),
        (30, "acs case close", "change"),
        (25, "acs case", "view_customer"),
    ):
        # The audit is append-only: each look is written at its moment, not moved later.
        monkeypatch.setattr(
            "django.utils.timezone.now", lambda m=minutes: now - dt.timedelta(minutes=m)
        )
        AccessEvent.objects.create(
            user=anna, username=anna.username, action=action, what=what, customer=customer
        )
    monkeypatch.undo()
    AccessEvent.objects.create(
        user=work_coach, username="coach1", action="refused", what="acs case", customer=customer
    )

    client.force_login(team_leader)
    page = client.get(viewers_url(customer), {"colleague": anna.pk})
    assert page.status_code == 200
    visits = list(page.context["page_obj"])
    assert [v.count for v in visits] == [3, 1]
    assert visits[0].name == "Anna Senior"
    assert visits[0].roles == ["ACSSL"]
    assert visits[0].what == ["Opened the ACS case", "ACS case: close"]
    assert "Anna Senior" in page.text
    assert "ACS case: close" in page.text

    refused = client.get(viewers_url(customer), {"action": "refused"})
    assert [v.username for v in refused.context["page_obj"]] == ["coach1"]
    assert "Refused" in refused.text

    today = timezone.localdate()
    future = today + dt.timedelta(days=1)
    empty = client.get(
        viewers_url(customer),
        {
            "date_from_day": future.day,
            "date_from_month": future.month,
            "date_from_year": future.year,
        },
    )
    assert "Nobody matches these filters." in empty.text
    bad = client.get(viewers_url(customer), {"colleague": "not-a-number", "date_from_day": "40"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.text
