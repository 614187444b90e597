"""ACS selectors: each refuses a colleague whose role may not (and logs the refusal), and each
read writes its access event from the audit context it is given."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from acs import selectors
from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from customers.selectors import ReasonRequired, RestrictedRecord
from tests.factories import AcsCaseFactory, CustomerFactory, OpenCaseFactory

pytestmark = pytest.mark.django_db
Action = AccessEvent.Action
REASON = "Customer rang about the case"


def audit_of(user, reason="", channel=Channel.PAGE):
    return AuditContext(user=user, channel=channel, request_id="req-1", reason=reason)


TODAY = dt.date(2026, 3, 1)
READS = {
    "acs case": lambda audit, case: selectors.acs_case_get(public_id=case.public_id, audit=audit),
    "acs triage": lambda audit, case: selectors.acs_triage_queue(audit=audit),
    "acs my cases": lambda audit, case: selectors.acs_caseload_for_user(audit=audit),
    "acs team caseload": lambda audit, case: selectors.acs_team_caseload(audit=audit),
    "acs figures": lambda audit, case: selectors.acs_figures(
        audit=audit, date_from=TODAY, date_to=TODAY
    ),
    "acs figures export": lambda audit, case: selectors.acs_figures_export(
        audit=audit, date_from=TODAY, date_to=TODAY
    ),
}


@pytest.mark.parametrize("what", READS)
def test_a_work_coach_is_refused_and_the_refusal_logged(work_coach, what):
    case = OpenCaseFactory()
    with pytest.raises(PermissionDenied):
        READS[what](audit_of(work_coach), case)
    refusal = AccessEvent.objects.get()
    assert (refusal.action, refusal.what, refusal.username) == (Action.REFUSED, what, "coach1")
    assert refusal.request_id == "req-1"


@pytest.mark.parametrize(
    ("what", "action"),
    [
        ("acs case", Action.VIEW_CUSTOMER),
        ("acs triage", Action.VIEW_FRAGMENT),
        ("acs my cases", Action.VIEW_FRAGMENT),
        ("acs team caseload", Action.VIEW_FRAGMENT),
        ("acs figures", Action.VIEW_FRAGMENT),
        ("acs figures export", Action.EXPORT),
    ],
)
def test_each_read_writes_its_access_event(team_leader, what, action):
    case = OpenCaseFactory(owner=team_leader)
    READS[what](audit_of(team_leader), case)
    event = AccessEvent.objects.get()
    assert (event.action, event.what, event.username) == (action, what, "leader1")
    assert event.channel == Channel.PAGE
    if what == "acs case":
        assert event.customer == case.customer
        assert event.detail == {"case": case.reference}


def test_through_the_api_a_read_is_an_api_read(acssl):
    AcsCaseFactory.create_batch(2)
    selectors.acs_triage_queue(audit=audit_of(acssl, channel=Channel.API))
    event = AccessEvent.objects.get()
    assert event.action == Action.API_READ
    assert event.detail == {"cases": 2, "read": Action.VIEW_FRAGMENT}


def test_a_restricted_customers_case_needs_clearance_and_a_reason(acssl, work_coach):
    case = OpenCaseFactory(customer=CustomerFactory(restricted=True))
    with pytest.raises(ReasonRequired):
        selectors.acs_case_get(public_id=case.public_id, audit=audit_of(acssl))
    assert not AccessEvent.objects.exists()  # asked for the reason: nothing read yet

    read = selectors.acs_case_get(public_id=case.public_id, audit=audit_of(acssl, REASON))
    assert read == case
    event = AccessEvent.objects.get()
    assert (event.action, event.reason) == (Action.VIEW_CUSTOMER, REASON)


def test_a_reason_given_earlier_in_the_session_opens_the_case(acssl):
    case = OpenCaseFactory(customer=CustomerFactory(restricted=True))
    audit = AuditContext(
        user=acssl,
        channel=Channel.PAGE,
        session_reasons={str(case.customer.public_id): REASON},
    )
    selectors.acs_case_get(public_id=case.public_id, audit=audit)
    assert AccessEvent.objects.get().reason == REASON


def test_an_uncleared_case_worker_is_refused_a_restricted_case_and_logged(acssl):
    from django.contrib.auth.models import Permission

    acssl.user_permissions.add(Permission.objects.get(codename="manage_acs_case"))
    acssl.groups.clear()
    acssl = type(acssl).objects.get(pk=acssl.pk)  # no cached permissions
    case = OpenCaseFactory(customer=CustomerFactory(restricted=True))
    for read in (selectors.acs_case_get, selectors.acs_case_get_for_change):
        kwargs = {"what": "acs case note"} if read is selectors.acs_case_get_for_change else {}
        with pytest.raises(RestrictedRecord):
            read(public_id=case.public_id, audit=audit_of(acssl, REASON), **kwargs)
    refusals = AccessEvent.objects.filter(action=Action.REFUSED, customer=case.customer)
    assert refusals.count() == 2


def test_the_case_for_a_change_writes_no_read(acssl):
    case = OpenCaseFactory(customer=CustomerFactory(restricted=True))
    with pytest.raises(ReasonRequired):
        selectors.acs_case_get_for_change(
            public_id=case.public_id, audit=audit_of(acssl), what="acs case note"
        )
    selectors.acs_case_get_for_change(
        public_id=case.public_id, audit=audit_of(acssl, REASON), what="acs case note"
    )
    assert not AccessEvent.objects.exists()


def test_the_referral_form_reads_the_customer_with_the_customer_rules(work_coach, acssl):
    customer = CustomerFactory()
    assert (
        selectors.acs_referral_customer_get(
            public_id=customer.public_id, audit=audit_of(work_coach)
        )
        == customer
    )
    event = AccessEvent.objects.get()
    assert (event.action, event.what, event.customer) == (
        Action.VIEW_FRAGMENT,
        "acs referral form",
        customer,
    )
    restricted = CustomerFactory(restricted=True)
    with pytest.raises(RestrictedRecord):
        selectors.acs_referral_customer_get(
            public_id=restricted.public_id, audit=audit_of(work_coach)
        )
    assert AccessEvent.objects.filter(action=Action.REFUSED, customer=restricted).exists()
    with pytest.raises(ReasonRequired):
        selectors.acs_referral_customer_get(public_id=restricted.public_id, audit=audit_of(acssl))


def test_a_task_without_a_colleague_reads_nothing(db):
    with pytest.raises(PermissionDenied):
        selectors.acs_triage_queue(audit=AuditContext.for_task(task_name="nightly"))
    assert AccessEvent.objects.get().username == "(system: nightly)"


def test_the_timeline_hides_what_caused_a_referral_from_colleagues_not_cleared(work_coach, acssl):
    from acs.services import acs_referral_create
    from acs.timeline import acs_case_event_entries

    customer = CustomerFactory()
    acs_referral_create(
        audit=audit_of(acssl),
        customer=customer,
        reason="Said they would end it",
        urgency="immediate",
        categories=["suicide_self_harm"],
        customer_agreed="Agreed to a call",
        source="six_point_plan",
    )

    def titles(user):
        entries = acs_case_event_entries(
            customer=customer, audit=audit_of(user), benefit="", limit=10, since=None
        )
        return [entry.title for entry in entries]

    (coach_sees,) = titles(work_coach)
    assert coach_sees.endswith(": Referred to an ACSSL")
    assert "six point plan" not in coach_sees.lower()
    assert "immediate" not in coach_sees.lower()
    (acssl_sees,) = titles(acssl)
    assert "six point plan record" in acssl_sees
