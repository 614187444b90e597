"""An ACSSL's first page: their cases by what is due, the triage queue with counts and waits,
referrals past their target for team leaders, and the navigation's Immediate count."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from acs import caseload_selectors
from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from tests.factories import AcsCaseFactory, CaseActionFactory, CustomerFactory, OpenCaseFactory

pytestmark = pytest.mark.django_db


def audit_of(user):
    return AuditContext(user=user, channel=Channel.PAGE, request_id="req-1")


def test_a_case_worker_lands_on_their_first_page_and_a_work_coach_on_search(
    client, acssl, team_leader, work_coach
):
    for colleague in (acssl, team_leader):
        client.force_login(colleague)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("acs:home")
    client.force_login(work_coach)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("acs:home")).status_code == 403


def test_cases_are_ordered_by_what_is_due_overdue_first(acssl):
    today = timezone.localdate()
    nothing_due = OpenCaseFactory(owner=acssl)
    review_later = OpenCaseFactory(owner=acssl, next_review_on=today + dt.timedelta(days=9))
    action_soon = CaseActionFactory(
        case=OpenCaseFactory(owner=acssl), due_on=today + dt.timedelta(days=2)
    ).case
    overdue = OpenCaseFactory(owner=acssl, next_review_on=today + dt.timedelta(days=30))
    # Overdue by time passing (made directly: the service refuses a past due date).
    CaseActionFactory(case=overdue, owner=acssl, due_on=today - dt.timedelta(days=1))
    CaseActionFactory(case=overdue, owner=acssl, due_on=today - dt.timedelta(days=3))
    OpenCaseFactory()  # someone else's

    page = caseload_selectors.acs_first_page(audit=audit_of(acssl))

    assert [case.pk for case in page.cases] == [
        overdue.pk,
        action_soon.pk,
        review_later.pk,
        nothing_due.pk,
    ]
    assert page.cases[0].overdue
    assert not page.cases[1].overdue
    assert [case.pk for case in page.overdue_cases] == [overdue.pk]
    assert len(page.overdue_actions) == 2
    assert page.past_target is None  # an ACSSL does not get the team's late list
    event = AccessEvent.objects.get(what="acs first page")
    assert event.detail["cases"] == 4


def test_a_case_with_an_overdue_review_and_no_actions_is_in_the_first_group(acssl):
    today = timezone.localdate()
    action_soon = CaseActionFactory(
        case=OpenCaseFactory(owner=acssl), due_on=today + dt.timedelta(days=1)
    ).case
    # Overdue by time passing (made directly: the service refuses a past review date).
    review_overdue = OpenCaseFactory(owner=acssl, next_review_on=today - dt.timedelta(days=1))

    page = caseload_selectors.acs_first_page(audit=audit_of(acssl))

    assert [case.pk for case in page.cases] == [review_overdue.pk, action_soon.pk]
    assert [case.pk for case in page.overdue_cases] == [review_overdue.pk]
    assert [case.pk for case in page.reviews_due] == [review_overdue.pk]
    assert page.overdue_actions == []


def test_the_queue_counts_by_urgency_and_shows_the_wait(client, acssl):
    now = timezone.now()
    AcsCaseFactory(urgency="immediate", referred_at=now - dt.timedelta(minutes=20))
    AcsCaseFactory(urgency="immediate", referred_at=now - dt.timedelta(days=6))
    AcsCaseFactory(urgency="standard")
    OpenCaseFactory(urgency="immediate")  # taken: not in the queue

    page = caseload_selectors.acs_first_page(audit=audit_of(acssl))
    assert page.queue_counts == [
        ("immediate", "Immediate - risk to life or of serious harm today", 2),
        ("urgent", "Urgent - within 1 working day", 0),
        ("standard", "Standard - within 5 working days", 1),
    ]
    assert [q.case.urgency for q in page.queue] == ["immediate", "immediate", "standard"]
    assert page.queue[0].target.past  # the six-day-old Immediate first: oldest first

    client.force_login(acssl)
    html = client.get(reverse("acs:home")).text
    assert 'data-testid="queue-count-immediate">2<' in html
    assert "Past target" in html


def test_team_leaders_see_referrals_past_their_target(client, team_leader):
    now = timezone.now()
    late = AcsCaseFactory(urgency="urgent", referred_at=now - dt.timedelta(days=10))
    AcsCaseFactory(urgency="standard", referred_at=now - dt.timedelta(minutes=5))

    page = caseload_selectors.acs_first_page(audit=audit_of(team_leader))
    assert [q.case.pk for q in page.past_target] == [late.pk]

    client.force_login(team_leader)
    for url in (reverse("acs:home"), reverse("acs:team")):
        html = client.get(url).text
        assert late.reference in html
        assert "1 referral past their triage target" in html
    assert AccessEvent.objects.filter(what="acs triage past target").exists()


def test_an_acssl_may_not_read_the_teams_late_list(acssl):
    with pytest.raises(PermissionDenied):
        caseload_selectors.acs_triage_past_target(audit=audit_of(acssl))
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.REFUSED, what="acs triage past target"
    ).exists()


def test_the_navigation_polls_the_untriaged_immediate_count(client, acssl, work_coach):
    AcsCaseFactory(urgency="immediate")
    AcsCaseFactory(urgency="immediate", customer=CustomerFactory(restricted=True))
    AcsCaseFactory(urgency="urgent")
    client.force_login(acssl)
    page = client.get(reverse("acs:my-cases")).text
    assert f'hx-get="{reverse("acs:untriaged-immediate-count")}"' in page
    fragment = client.get(reverse("acs:untriaged-immediate-count"))
    assert fragment.status_code == 200
    assert fragment["Cache-Control"] == "no-store"
    assert '>2<span class="govuk-visually-hidden"> untriaged Immediate referrals' in fragment.text
    assert 'hx-trigger="every 30s"' in fragment.text
    # The count is announced through one persistent region beside the link, only when it grows:
    # each poll sends the count the page shows.
    assert 'id="acs-untriaged-status" class="govuk-visually-hidden" role="status"' in page
    assert "data-announce" not in fragment.text  # the first load says nothing
    assert f'hx-get="{reverse("acs:untriaged-immediate-count")}?seen=2"' in fragment.text
    url = reverse("acs:untriaged-immediate-count")
    assert "data-announce" not in client.get(url, {"seen": "2"}).text
    AcsCaseFactory(urgency="immediate")
    grown = client.get(url, {"seen": "2"}).text
    assert (
        '<span hidden data-announce="acs-untriaged-status">New Immediate referral to triage:'
        " 3 untriaged Immediate referrals.</span>"
    ) in grown
    assert "?seen=3" in grown
    for seen in ("3", "4", "", "x", "9" * 40):
        answer = client.get(url, {"seen": seen})
        assert (answer.status_code, "data-announce" in answer.text) == (200, False)
    # Polled every 30 seconds: a count of cases writes no access event.
    assert not AccessEvent.objects.filter(what="acs triage count").exists()

    client.force_login(work_coach)
    assert "untriaged-immediate" not in client.get(reverse("home")).text
    assert client.get(reverse("acs:untriaged-immediate-count")).status_code == 403


def test_the_triage_page_shows_each_referrals_target(client, acssl):
    AcsCaseFactory(urgency="immediate", referred_at=timezone.now() - dt.timedelta(days=8))
    client.force_login(acssl)
    html = client.get(reverse("acs:triage")).text
    assert "Past target" in html
    assert "4 working hours: by" in html
