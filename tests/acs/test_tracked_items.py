"""Home visit requests and escalations as tracked items: status, owner, date, outcome; on the
case, on its history and in the coordinators' lists."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from acs import caseload_selectors, services
from acs.models import CaseEvent, TrackedStatus
from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from customers.selectors import ReasonRequired
from tests.factories import ClosedCaseFactory, CustomerFactory, OpenCaseFactory

pytestmark = pytest.mark.django_db


def audit_of(user, reason=""):
    return AuditContext(user=user, channel=Channel.PAGE, request_id="req-1", reason=reason)


def visit_on(case):
    return services.acs_visit_request(
        audit=audit_of(case.owner), case=case, reason="No phone; neighbours worried"
    )


def test_a_visit_is_scheduled_then_done_with_its_outcome(acssl, team_leader):
    case = OpenCaseFactory(owner=acssl)
    visit = visit_on(case)
    assert visit.status == TrackedStatus.REQUESTED
    on = timezone.localdate() + dt.timedelta(days=3)

    visit = services.acs_tracked_item_update(
        audit=audit_of(team_leader),
        item=visit,
        status="accepted",
        owner=team_leader,
        scheduled_on=on,
    )
    assert (visit.status, visit.owner, visit.scheduled_on) == ("accepted", team_leader, on)
    assert visit.finished_at is None

    visit = services.acs_tracked_item_update(
        audit=audit_of(acssl), item=visit, status="done", outcome="Seen at home; safe; food bank"
    )
    assert visit.status == "done"
    assert visit.finished_at is not None
    assert visit.owner == team_leader  # kept when not given
    summaries = list(
        CaseEvent.objects.filter(case=case, kind="visit_updated").values_list("summary", flat=True)
    )
    assert summaries[0].startswith(f"Home visit: accepted or scheduled, set for {on:%-d %B %Y}")
    assert summaries[1].startswith("Home visit: done")
    assert AccessEvent.objects.filter(action="change", what="acs case visit").count() == 3

    with pytest.raises(ValidationError, match="cannot change"):
        services.acs_tracked_item_update(audit=audit_of(acssl), item=visit, status="declined")


@pytest.mark.parametrize(
    ("status", "kwargs", "field"),
    [
        ("accepted", {}, "scheduled_on"),
        ("done", {}, "outcome"),
        ("declined", {"outcome": "  "}, "outcome"),
        ("nonsense", {}, "status"),
    ],
)
def test_updates_refuse_what_is_missing(acssl, status, kwargs, field):
    case = OpenCaseFactory(owner=acssl)
    escalation = services.acs_case_escalate(
        audit=audit_of(acssl), case=case, route="scp", reason="Serious harm"
    )
    with pytest.raises(ValidationError) as refused:
        services.acs_tracked_item_update(
            audit=audit_of(acssl), item=escalation, status=status, **kwargs
        )
    assert field in refused.value.message_dict
    escalation.refresh_from_db()
    assert escalation.status == "requested"


def test_an_accepted_escalation_cannot_go_back_to_requested(acssl):
    case = OpenCaseFactory(owner=acssl)
    escalation = services.acs_case_escalate(
        audit=audit_of(acssl), case=case, route="ipr", reason="Process failed"
    )
    services.acs_tracked_item_update(
        audit=audit_of(acssl),
        item=escalation,
        status="accepted",
        scheduled_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        services.acs_tracked_item_update(audit=audit_of(acssl), item=escalation, status="requested")


def test_an_escalation_is_tracked_after_the_case_closes(acssl):
    case = ClosedCaseFactory(owner=acssl)
    escalation = services.acs_case_escalate(
        audit=audit_of(acssl), case=case, route="scp", reason="Learning review"
    )
    done = services.acs_tracked_item_update(
        audit=audit_of(acssl), item=escalation, status="done", outcome="Panel: guidance changed"
    )
    assert done.status == "done"
    assert CaseEvent.objects.filter(case=case, kind="escalation_updated").exists()


def test_updates_follow_the_case_access_rules(acssl, work_coach):
    restricted = OpenCaseFactory(owner=acssl, customer=CustomerFactory(restricted=True))
    visit = services.acs_visit_request(
        audit=audit_of(acssl, reason="Safeguarding"), case=restricted, reason="Visit needed"
    )
    with pytest.raises(ReasonRequired):
        services.acs_tracked_item_update(audit=audit_of(acssl), item=visit, status="declined")
    with pytest.raises(PermissionDenied):
        services.acs_tracked_item_update(
            audit=audit_of(work_coach), item=visit, status="declined", outcome="x"
        )
    assert AccessEvent.objects.filter(action="refused", what="acs case visit").exists()


def test_the_coordinators_list_shows_open_items_by_date(client, acssl, team_leader):
    today = timezone.localdate()
    later = visit_on(OpenCaseFactory(owner=acssl))
    sooner = visit_on(OpenCaseFactory(owner=acssl))
    finished = visit_on(OpenCaseFactory(owner=acssl))
    unscheduled = visit_on(OpenCaseFactory(owner=acssl))
    for visit, days in ((later, 9), (sooner, 2)):
        services.acs_tracked_item_update(
            audit=audit_of(acssl),
            item=visit,
            status="accepted",
            scheduled_on=today + dt.timedelta(days=days),
        )
    services.acs_tracked_item_update(
        audit=audit_of(acssl), item=finished, status="declined", outcome="Customer moved away"
    )

    found = caseload_selectors.acs_tracked_items(audit=audit_of(team_leader), kind="visits")
    assert [v.pk for v in found] == [sooner.pk, later.pk, unscheduled.pk]
    everything = caseload_selectors.acs_tracked_items(
        audit=audit_of(team_leader), kind="visits", show_all=True
    )
    assert finished.pk in [v.pk for v in everything]
    assert AccessEvent.objects.filter(what="acs visits list").count() == 2

    client.force_login(team_leader)
    html = client.get(reverse("acs:visits")).text
    assert sooner.case.reference in html
    assert finished.case.reference not in html
    assert client.get(reverse("acs:escalations")).status_code == 200


def test_the_case_page_updates_a_visit_and_shows_errors_on_its_own_form(client, acssl):
    case = OpenCaseFactory(owner=acssl)
    visit = visit_on(case)
    client.force_login(acssl)
    url = reverse("acs:visit-update", kwargs={"public_id": case.public_id, "visit_id": visit.pk})
    prefix = f"visit-{visit.pk}"

    refused = client.post(url, {f"{prefix}-status": "done"})
    assert refused.status_code == 400
    assert "Say what came of it" in refused.text
    assert f'open id="{prefix}-form"' in refused.text

    on = timezone.localdate() + dt.timedelta(days=4)
    done = client.post(
        url,
        {
            f"{prefix}-status": "accepted",
            f"{prefix}-scheduled_on_day": on.day,
            f"{prefix}-scheduled_on_month": on.month,
            f"{prefix}-scheduled_on_year": on.year,
            f"{prefix}-owner": acssl.pk,
        },
    )
    assert done.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.scheduled_on, visit.owner) == ("accepted", on, acssl)
    page = client.get(reverse("acs:case", kwargs={"public_id": case.public_id})).text
    assert "Accepted or scheduled" in page
    assert "Home visit: accepted or scheduled" in page  # the case history

    other = OpenCaseFactory(owner=acssl)
    wrong = reverse("acs:visit-update", kwargs={"public_id": other.public_id, "visit_id": visit.pk})
    assert client.post(wrong, {f"{prefix}-status": "declined"}).status_code == 404


def test_the_coordinators_list_is_paged_with_govuk_pagination(
    client, acssl, team_leader, django_assert_max_num_queries
):
    from acs.models import Escalation, VisitRequest

    case = OpenCaseFactory(owner=acssl)
    VisitRequest.objects.bulk_create(
        VisitRequest(case=case, reason=f"Visit {n}", requested_by=acssl) for n in range(55)
    )
    Escalation.objects.bulk_create(
        [Escalation(case=case, route="scp", reason="Harm", escalated_by=acssl, status="done")]
    )
    client.force_login(team_leader)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("acs:visits"))
    assert first.status_code == 200
    assert first.text.count(f">{case.reference}</a>") == 50
    assert "55 visit requests, showing 1 to 50" in first.text
    assert 'class="govuk-pagination"' in first.text
    assert 'href="?page=2" rel="next"' in first.text
    second = client.get(reverse("acs:visits"), {"page": 2})
    assert second.text.count(f">{case.reference}</a>") == 5
    assert 'href="?page=1" rel="prev"' in second.text
    # Past the last page: the last page, not an error.
    assert client.get(reverse("acs:visits"), {"page": 99}).context["page_obj"].number == 2
    # "Show done and declined too" keeps its choice from page to page.
    everything = client.get(reverse("acs:escalations"), {"show": "all"}).text
    assert "1 escalation" in everything
    assert AccessEvent.objects.filter(what="acs visits list").first().detail == {
        "items": 55,
        "all": False,
    }


def test_paging_with_everything_shown_keeps_the_choice(client, acssl):
    from acs.models import VisitRequest

    case = OpenCaseFactory(owner=acssl)
    VisitRequest.objects.bulk_create(
        VisitRequest(case=case, reason="Gone", requested_by=acssl, status="declined")
        for _ in range(51)
    )
    client.force_login(acssl)
    assert "No home visits are open" in client.get(reverse("acs:visits")).text
    page = client.get(reverse("acs:visits"), {"show": "all"}).text
    assert 'href="?show=all&amp;page=2" rel="next"' in page


def test_a_coordinator_can_be_taken_off_and_the_change_is_audited(acssl, team_leader):
    case = OpenCaseFactory(owner=acssl)
    escalation = services.acs_case_escalate(
        audit=audit_of(acssl), case=case, route="scp", reason="Serious harm"
    )
    services.acs_tracked_item_update(
        audit=audit_of(acssl), item=escalation, status="requested", owner=team_leader
    )
    kept = services.acs_tracked_item_update(
        audit=audit_of(acssl), item=escalation, status="requested"
    )
    assert kept.owner == team_leader  # left out: kept

    nobody = services.acs_tracked_item_update(
        audit=audit_of(acssl), item=escalation, status="requested", owner=None
    )
    assert nobody.owner is None
    nobody.refresh_from_db()
    assert nobody.owner_id is None
    last = CaseEvent.objects.filter(case=case, kind="escalation_updated").last()
    assert "no longer coordinated by" in last.summary
    assert last.detail["owner"] == {"from": team_leader.pk, "to": None}
    assert last.actor == acssl
    changes = AccessEvent.objects.filter(action="change", what="acs case escalation")
    assert changes.count() == 3
    assert changes.last().customer == case.customer


def test_the_case_page_can_set_a_visit_back_to_nobody(client, acssl, team_leader):
    case = OpenCaseFactory(owner=acssl)
    visit = services.acs_visit_request(audit=audit_of(acssl), case=case, reason="No phone")
    services.acs_tracked_item_update(
        audit=audit_of(acssl), item=visit, status="requested", owner=team_leader
    )
    client.force_login(acssl)
    prefix = f"visit-{visit.pk}"
    page = client.get(reverse("acs:case", kwargs={"public_id": case.public_id})).text
    assert ">Nobody</option>" in page
    url = reverse("acs:visit-update", kwargs={"public_id": case.public_id, "visit_id": visit.pk})
    response = client.post(url, {f"{prefix}-status": "requested", f"{prefix}-owner": ""})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.owner is None
    page = client.get(reverse("acs:case", kwargs={"public_id": case.public_id})).text
    assert "no longer coordinated by" in page
