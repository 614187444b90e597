"""ACS pages: who may see and do what, forms that refuse bad input politely, audit, queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from acs.models import AcsCase, CaseEvent, CaseNote
from audit.models import AccessEvent
from tests.factories import (
    AcsCaseFactory,
    CaseActionFactory,
    CaseNoteFactory,
    ColleagueFactory,
    CustomerFactory,
    OpenCaseFactory,
    PartnerReferralFactory,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def case_url(case, name="case", **kwargs):
    return reverse(f"acs:{name}", kwargs={"public_id": case.public_id, **kwargs})


def test_a_work_coach_refers_a_customer(client, work_coach):
    customer = CustomerFactory()
    url = reverse("acs:refer", kwargs={"public_id": customer.public_id})
    login(client, work_coach)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reason": "Said they might hurt themselves",
            "urgency": "immediate",
            "categories": ["suicide_self_harm"],
            "customer_agreed": "Agreed to a call from an ACSSL",
        },
    )
    assert response.status_code == 302
    case = AcsCase.objects.get(customer=customer)
    assert (case.status, case.urgency) == ("referred", "immediate")
    assert AccessEvent.objects.filter(action="change", what="acs referral").exists()
    # The colleague sees that a case exists and its status, not its contents.
    page = client.get(url)
    assert f"ACS case {case.reference}: <strong>Referred</strong>" in page.text


def test_a_referral_without_reason_is_shown_again_with_errors(client, work_coach):
    customer = CustomerFactory()
    login(client, work_coach)
    response = client.post(
        reverse("acs:refer", kwargs={"public_id": customer.public_id}),
        {"urgency": "soon", "customer_agreed": ""},
    )
    assert response.status_code == 400
    assert "Say why the customer needs advanced support" in response.text
    assert "There is a problem" in response.text
    assert not AcsCase.objects.exists()


def test_a_restricted_customer_cannot_be_referred_by_an_uncleared_colleague(client, work_coach):
    customer = CustomerFactory(restricted=True)
    login(client, work_coach)
    url = reverse("acs:refer", kwargs={"public_id": customer.public_id})
    assert client.get(url).status_code == 403


def test_work_coach_cannot_open_a_case_or_its_notes(client, work_coach):
    note = CaseNoteFactory(text="Private detail about the customer")
    login(client, work_coach)
    response = client.get(case_url(note.case))
    assert response.status_code == 403
    assert "Private detail" not in response.text
    response = client.post(case_url(note.case, "note-add"), {"note-text": "sneaky"})
    assert response.status_code == 403
    assert CaseNote.objects.count() == 1


@pytest.mark.parametrize("fixture", ["work_coach", "admin_user"])
def test_only_case_workers_change_cases(client, request, fixture):
    case = AcsCaseFactory()
    login(client, request.getfixturevalue(fixture))
    assert client.post(case_url(case, "take")).status_code == 403
    case.refresh_from_db()
    assert case.status == "referred"


def test_acssl_triages_takes_and_works_a_case(client, acssl, django_assert_max_num_queries):
    urgent = AcsCaseFactory(urgency="immediate")
    older = AcsCaseFactory(urgency="standard", referred_at=timezone.now() - dt.timedelta(days=5))
    OpenCaseFactory()  # taken already: not in the queue
    login(client, acssl)
    queue = client.get(reverse("acs:triage"))
    assert queue.status_code == 200
    # Most urgent first, even though the standard referral has waited longer.
    assert [c.pk for c in queue.context["cases"]] == [urgent.pk, older.pk]
    assert client.post(case_url(urgent, "take")).status_code == 302
    urgent.refresh_from_db()
    assert (urgent.status, urgent.owner) == ("open", acssl)

    today = timezone.localdate()
    responses = [
        client.post(case_url(urgent, "risk"), {"risk-level": "high", "risk-reason": "Threats"}),
        client.post(
            case_url(urgent, "action-add"),
            {
                "action-description": "Call GP",
                "action-owner": acssl.pk,
                "action-due_on": today.isoformat(),
            },
        ),
        client.post(case_url(urgent, "note-add"), {"note-text": "Spoke to customer"}),
        client.post(
            case_url(urgent, "partner-add"),
            {
                "partner-organisation": "nhs_crisis_team",
                "partner-referred_on": today.isoformat(),
                "partner-consent": "given",
            },
        ),
        client.post(case_url(urgent, "visit"), {"visit-reason": "No phone"}),
        client.post(
            case_url(urgent, "escalate"), {"escalate-route": "ipr", "escalate-reason": "Delay"}
        ),
        client.post(case_url(urgent, "status"), {"status-status": "monitoring"}),
    ]
    assert [r.status_code for r in responses] == [302] * len(responses)
    for i in range(5):
        CaseNoteFactory(case=urgent, author=acssl, text=f"more {i}")
        CaseActionFactory(case=urgent)
    with django_assert_max_num_queries(32):
        page = client.get(case_url(urgent))
    assert page.status_code == 200
    assert "Spoke to customer" in page.text
    assert "NHS mental health crisis team" in page.text
    assert "Support needs" in page.text
    assert AccessEvent.objects.filter(action="view_customer", what="acs case").exists()


def test_closing_without_an_outcome_is_refused_with_a_message(client, acssl):
    case = OpenCaseFactory(owner=acssl)
    login(client, acssl)
    response = client.post(case_url(case, "close"), {"close-summary": ""})
    assert response.status_code == 400
    assert "Choose the outcome of the case" in response.text
    assert "Write a closure summary" in response.text
    case.refresh_from_db()
    assert case.status == "open"
    response = client.post(
        case_url(case, "close"),
        {"close-outcome": "support_in_place", "close-summary": "Safe and supported"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    assert (
        client.post(case_url(case, "reopen"), {"reopen-reason": "Back in crisis"}).status_code
        == 302
    )


def test_a_service_refusal_is_shown_on_the_form(client, acssl):
    case = OpenCaseFactory(owner=acssl)
    login(client, acssl)
    response = client.post(
        case_url(case, "action-add"),
        {
            "action-description": "Late",
            "action-owner": acssl.pk,
            "action-due_on": "2000-01-01",
        },
    )
    assert response.status_code == 400
    assert "The due date must be today or later." in response.text


def test_a_correction_points_at_the_note_it_corrects(client, acssl):
    note = CaseNoteFactory(case=OpenCaseFactory(owner=acssl))
    login(client, acssl)
    response = client.post(
        case_url(note.case, "note-add"), {"note-text": "Correction", "note-corrects": note.pk}
    )
    assert response.status_code == 302
    assert CaseNote.objects.get(text="Correction").corrects == note


def test_action_complete_and_partner_outcome(client, acssl):
    action = CaseActionFactory(case=OpenCaseFactory(owner=acssl))
    partner = PartnerReferralFactory(case=action.case)
    login(client, acssl)
    assert (
        client.post(case_url(action.case, "action-complete", action_id=action.pk)).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.completed_at is not None
    url = case_url(action.case, "partner-outcome", partner_id=partner.pk)
    assert (
        client.post(url, {f"outcome-{partner.pk}-outcome": "Debt plan agreed"}).status_code == 302
    )
    partner.refresh_from_db()
    assert partner.outcome == "Debt plan agreed"
    other = PartnerReferralFactory()
    assert (
        client.post(case_url(action.case, "partner-outcome", partner_id=other.pk)).status_code
        == 404
    )


def test_my_cases_shows_overdue_actions_and_reviews_due(client, acssl):
    today = timezone.localdate()
    case = OpenCaseFactory(owner=acssl, next_review_on=today - dt.timedelta(days=1))
    CaseActionFactory(case=case, owner=acssl, due_on=today - dt.timedelta(days=2))
    OpenCaseFactory()  # someone else's
    login(client, acssl)
    response = client.get(reverse("acs:my-cases"))
    assert response.status_code == 200
    caseload = response.context["caseload"]
    assert [c.pk for c in caseload.cases] == [case.pk]
    assert len(caseload.overdue_actions) == 1
    assert [c.pk for c in caseload.reviews_due] == [case.pk]


def test_team_view_counts_each_acssls_caseload(client, team_leader, acssl):
    OpenCaseFactory(owner=acssl)
    OpenCaseFactory(owner=acssl, status="monitoring")
    AcsCaseFactory()
    login(client, team_leader)
    response = client.get(reverse("acs:team"))
    row = next(r for r in response.context["owners"] if r.owner == acssl)
    assert (row.open, row.monitoring) == (1, 1)
    assert response.context["unassigned"] == 1
    login(client, acssl)
    assert client.get(reverse("acs:team")).status_code == 403


def test_customer_timeline_shows_existence_and_status_only_to_colleagues(work_coach, acssl):
    from acs.selectors import acs_timeline_events
    from tests.support_needs.conftest import audit_as

    note = CaseNoteFactory()
    CaseEvent.objects.create(
        case=note.case,
        customer=note.case.customer,
        kind="note_added",
        summary="Case note added",
        actor_username="x",
    )
    CaseEvent.objects.create(
        case=note.case,
        customer=note.case.customer,
        kind="referred",
        summary="Referred",
        actor_username="x",
    )
    customer = note.case.customer
    assert [e.kind for e in acs_timeline_events(customer=customer, audit=audit_as(work_coach))] == [
        "referred"
    ]
    assert len(acs_timeline_events(customer=customer, audit=audit_as(acssl))) == 2


def test_case_status_tag_for_the_customer_page(rf, work_coach, acssl):
    from django.template import Context, Template

    case = OpenCaseFactory()
    template = Template("{% load acs %}{% acs_case_status customer %}")
    for user, link in ((work_coach, False), (acssl, True)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "customer": case.customer}))
        assert "ACS case" in html
        assert "Open" in html
        assert (str(case.public_id) in html) is link


def test_case_history_names_colleagues_and_says_when_empty(client, acssl):
    case = OpenCaseFactory(owner=acssl)
    login(client, acssl)
    empty = client.get(case_url(case)).text.split('data-testid="case-history"', 1)[1]
    assert "Nothing recorded on this case yet." in empty.split("</p>", 1)[0]
    client.post(case_url(case, "note-add"), {"note-text": "Spoke to customer"})
    history = client.get(case_url(case)).text.split('data-testid="case-history"', 1)[1]
    history = history.split("</ol>", 1)[0]
    assert escape(acssl.get_full_name()) in history  # as the template escapes it (O'Donnell)
    assert f"· {acssl.get_username()}<" not in history


def test_case_identity_shows_need_icons_with_text_and_the_deceased_marker(client, acssl):
    from tests.support_needs.conftest import record

    customer = CustomerFactory(date_of_death=dt.date(2026, 3, 1))
    record(customer, acssl, "bsl-interpreter")
    case = OpenCaseFactory(owner=acssl, customer=customer)
    login(client, acssl)
    text = client.get(case_url(case)).text
    identity = text.split('class="app-acs-identity', 1)[1].split("</div>", 1)[0]
    assert '<span aria-hidden="true">BSL</span>' in identity
    assert "BSL interpreter or Video Relay Service</span>" in identity
    assert "Deceased 1 Mar 2026" in identity


def test_case_lists_name_a_restricted_customer_only_to_colleagues_cleared_for_it(client, acssl):
    """The pages show what acs.selectors.acs_restricted_names_shown decided for the colleague."""
    uncleared = ColleagueFactory(username="uncleared")
    uncleared.user_permissions.add(Permission.objects.get(codename="manage_acs_case"))
    waiting = AcsCaseFactory(customer=CustomerFactory(restricted=True))
    for colleague, cleared in ((acssl, True), (uncleared, False)):
        owned = OpenCaseFactory(owner=colleague, customer=CustomerFactory(restricted=True))
        login(client, colleague)
        for page, case in (("acs:triage", waiting), ("acs:my-cases", owned)):
            text = client.get(reverse(page)).text
            named = escape(case.customer.full_name) in text
            assert (named, "Restricted record" in text) == (cleared, not cleared), (page, cleared)


def test_a_restricted_customers_case_opens_after_a_reason_and_the_audit_keeps_it(client, acssl):
    case = OpenCaseFactory(owner=acssl, customer=CustomerFactory(restricted=True))
    login(client, acssl)
    first = client.get(case_url(case))
    reason_url = reverse("customers:restricted-reason", args=[case.customer.public_id])
    assert first.status_code == 302
    assert first["Location"] == f"{reason_url}?next={case_url(case).replace('/', '%2F')}"
    assert not AccessEvent.objects.filter(what="acs case").exists()
    given = client.post(first["Location"], {"reason": "Customer's sister rang about the case"})
    assert given["Location"] == case_url(case)  # back to the case, not the customer page
    assert client.get(case_url(case)).status_code == 200
    event = AccessEvent.objects.get(what="acs case")
    assert event.reason == "Customer's sister rang about the case"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example"]
)
def test_the_reason_page_goes_back_only_to_this_site(client, acssl, next_url):
    customer = CustomerFactory(restricted=True)
    login(client, acssl)
    url = reverse("customers:restricted-reason", args=[customer.public_id])
    given = client.post(f"{url}?next={next_url}", {"reason": "Customer on the phone now"})
    assert given["Location"] == reverse("customers:detail", args=[customer.public_id])
