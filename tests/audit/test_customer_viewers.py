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


def test_looks_in_one_signed_in_session_are_one_visit_however_far_apart(
    client, work_coach, team_leader, monkeypatch
):
    """Grouped by the colleague's session: one long session is one visit; a second sign-in a
    few minutes later is another. Looks recorded without a session keep the 30-minute rule."""
    import datetime as dt

    from django.utils import timezone

    customer = CustomerFactory()
    now = timezone.now()
    for minutes, session in (
        (400, ""),  # without a session (say, the API): its own visit, over 30 minutes before
        (300, "first-session"),
        (120, "first-session"),  # 3 hours later, the same sign-in: the same visit
        (115, "second-session"),  # 5 minutes later, signed in again: another visit
        (110, "first-session"),  # the first tab, still open: still the first visit
    ):
        monkeypatch.setattr(
            "django.utils.timezone.now", lambda m=minutes: now - dt.timedelta(minutes=m)
        )
        AccessEvent.objects.create(
            user=work_coach,
            username=work_coach.username,
            action="view_customer",
            what="customer page",
            customer=customer,
            session_hash=session,
        )
    monkeypatch.undo()

    client.force_login(team_leader)
    visits = list(
        client.get(viewers_url(customer), {"colleague": work_coach.pk}).context["page_obj"]
    )
    assert [v.count for v in visits] == [3, 1, 1]
    first = visits[0]
    assert (first.first_at, first.last_at) == (
        now - dt.timedelta(minutes=300),
        now - dt.timedelta(minutes=110),
    )


def test_the_audit_names_the_session_by_a_keyed_hash_never_its_key(client, work_coach):
    from django.utils.crypto import salted_hmac

    customer = CustomerFactory()
    client.force_login(work_coach)
    detail = reverse("customers:detail", kwargs={"public_id": customer.public_id})
    client.get(detail)
    client.get(detail)
    key = client.session.session_key
    hashes = set(AccessEvent.objects.filter(user=work_coach).values_list("session_hash", flat=True))
    assert len(hashes) == 1
    (kept,) = hashes
    assert len(kept) == 32
    assert key not in kept
    assert kept == salted_hmac("audit.session", key, algorithm="sha256").hexdigest()[:32]

    client.logout()
    client.force_login(work_coach)  # a new sign-in: a new session, a new name for it
    client.get(detail)
    latest = AccessEvent.objects.filter(user=work_coach).order_by("-pk").first()
    assert latest.session_hash not in ("", kept)
