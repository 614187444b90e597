"""ACS services: every transition, every refusal, and the case event each change appends."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from accounts import roles
from acs import services
from acs.models import AcsCase, CaseEvent, CaseNote, Escalation, PartnerReferral, Referral
from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from customers.selectors import ReasonRequired, RestrictedRecord
from tests.factories import (
    AcsCaseFactory,
    CaseActionFactory,
    CaseNoteFactory,
    ClosedCaseFactory,
    ColleagueFactory,
    CustomerFactory,
    OpenCaseFactory,
    PartnerReferralFactory,
)

pytestmark = pytest.mark.django_db
Status = AcsCase.Status
TODAY = dt.date.today


def refer(customer, by, **overrides):
    arguments = {
        "customer": customer,
        "audit": audit_of(by),
        "reason": "Said they have not eaten for three days.",
        "urgency": "urgent",
        "categories": ["problem_debt", "neglect"],
        "customer_agreed": "Agreed to an ACSSL calling them.",
    }
    return services.acs_referral_create(**(arguments | overrides))


def audit_of(user, reason=""):
    """What a view builds from the colleague's request (with the reason they gave, if any)."""
    return AuditContext(user=user, channel=Channel.PAGE, request_id="test", reason=reason)


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


# Referral ---------------------------------------------------------------------------------


def test_a_work_coach_referral_starts_a_referred_case(work_coach):
    customer = CustomerFactory()
    referral = refer(customer, work_coach)
    case = referral.case
    assert (case.status, case.urgency, case.owner) == (Status.REFERRED, "urgent", None)
    assert sorted(case.categories.values_list("code", flat=True)) == ["neglect", "problem_debt"]
    assert referral.source == Referral.Source.COLLEAGUE
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.customer) == ("referred", work_coach, customer)


def test_a_second_referral_joins_the_active_case_and_raises_its_urgency(work_coach, acssl):
    customer = CustomerFactory()
    first = refer(customer, work_coach, urgency="standard", categories=["problem_debt"])
    second = refer(
        customer, acssl, urgency="immediate", categories=["suicide_self_harm"], source="signal"
    )
    assert first.case_id == second.case_id
    case = AcsCase.objects.get(pk=first.case_id)
    assert case.urgency == "immediate"
    assert set(case.categories.values_list("code", flat=True)) == {
        "problem_debt",
        "suicide_self_harm",
    }
    assert kinds(case) == ["referred", "referred"]


def test_a_referral_after_closure_starts_a_new_case(work_coach):
    closed = ClosedCaseFactory()
    referral = refer(closed.customer, work_coach, source="six_point_plan")
    assert referral.case_id != closed.pk
    assert referral.source == "six_point_plan"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"urgency": "whenever"}, "urgency"),
        ({"categories": ["not_a_category"]}, "categories"),
        ({"customer_agreed": ""}, "customer_agreed"),
        ({"source": "rumour"}, "source"),
    ],
)
def test_referral_refuses_bad_input(work_coach, overrides, field):
    with pytest.raises(ValidationError) as error:
        refer(CustomerFactory(), work_coach, **overrides)
    assert field in error.value.message_dict
    assert not AcsCase.objects.exists()


def test_referral_of_a_restricted_customer_needs_clearance(work_coach):
    with pytest.raises(PermissionDenied):
        refer(CustomerFactory(restricted=True), work_coach)


def test_referral_needs_a_role(db):
    with pytest.raises(PermissionDenied):
        refer(CustomerFactory(), ColleagueFactory())


# Triage and status workflow ---------------------------------------------------------------


def test_taking_a_referred_case_opens_it(acssl):
    case = AcsCaseFactory()
    services.acs_case_assign(case=case, owner=acssl, audit=audit_of(acssl))
    case.refresh_from_db()
    assert (case.status, case.owner) == (Status.OPEN, acssl)
    assert case.opened_at is not None
    assert CaseEvent.objects.get(case=case).summary.startswith("Case taken by")


def test_a_team_leader_assigns_a_case_to_an_acssl(team_leader, acssl):
    case = AcsCaseFactory()
    services.acs_case_assign(case=case, owner=acssl, audit=audit_of(team_leader))
    case.refresh_from_db()
    assert case.owner == acssl
    assert "assigned to" in CaseEvent.objects.get(case=case).summary


def test_a_case_cannot_be_assigned_to_a_work_coach(acssl, work_coach):
    with pytest.raises(ValidationError):
        services.acs_case_assign(case=AcsCaseFactory(), owner=work_coach, audit=audit_of(acssl))


def test_a_work_coach_cannot_take_a_case(work_coach):
    with pytest.raises(PermissionDenied):
        services.acs_case_assign(
            case=AcsCaseFactory(), owner=work_coach, audit=audit_of(work_coach)
        )


def test_open_to_monitoring_and_back(acssl):
    case = OpenCaseFactory(owner=acssl)
    services.acs_case_status_change(case=case, status=Status.MONITORING, audit=audit_of(acssl))
    assert case.status == Status.MONITORING
    services.acs_case_status_change(case=case, status=Status.OPEN, audit=audit_of(acssl))
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert kinds(case) == ["status_changed", "status_changed"]


@pytest.mark.parametrize(
    ("factory", "target"),
    [
        (AcsCaseFactory, Status.MONITORING),  # referred cannot skip triage
        (AcsCaseFactory, Status.CLOSED),
        (OpenCaseFactory, Status.CLOSED),  # closing needs acs_case_close (outcome, summary)
        (ClosedCaseFactory, Status.OPEN),  # reopening needs acs_case_reopen (reason)
        (OpenCaseFactory, Status.REFERRED),
    ],
)
def test_status_change_refuses_moves_outside_the_workflow(acssl, factory, target):
    case = factory()
    before = case.status
    with pytest.raises(ValidationError):
        services.acs_case_status_change(case=case, status=target, audit=audit_of(acssl))
    case.refresh_from_db()
    assert case.status == before


def test_closing_needs_an_outcome_and_a_summary(acssl):
    case = OpenCaseFactory(owner=acssl)
    with pytest.raises(ValidationError) as error:
        services.acs_case_close(case=case, outcome="", summary="", audit=audit_of(acssl))
    assert set(error.value.message_dict) == {"outcome", "summary"}
    with pytest.raises(ValidationError):
        services.acs_case_close(
            case=case, outcome="not_an_outcome", summary="Done", audit=audit_of(acssl)
        )
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert kinds(case) == []


def test_closing_a_monitoring_case_records_outcome_and_summary(acssl):
    case = OpenCaseFactory(owner=acssl, status=Status.MONITORING, next_review_on=TODAY())
    services.acs_case_close(
        case=case,
        outcome="handed_to_partner",
        summary="NHS crisis team leads.",
        audit=audit_of(acssl),
    )
    case.refresh_from_db()
    assert (case.status, case.outcome.code, case.closure_summary) == (
        Status.CLOSED,
        "handed_to_partner",
        "NHS crisis team leads.",
    )
    assert case.closed_at is not None
    assert case.next_review_on is None
    assert CaseEvent.objects.get(case=case).detail["outcome"] == "handed_to_partner"


def test_a_referred_case_cannot_be_closed(acssl):
    with pytest.raises(ValidationError):
        services.acs_case_close(
            case=AcsCaseFactory(), outcome="no_further_action", summary="x", audit=audit_of(acssl)
        )


def test_the_database_refuses_a_closed_case_without_an_outcome():
    case = OpenCaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AcsCase.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=timezone.now())


def test_reopening_needs_a_reason_and_clears_the_outcome(acssl):
    case = ClosedCaseFactory(owner=acssl)
    with pytest.raises(ValidationError):
        services.acs_case_reopen(case=case, reason=" ", audit=audit_of(acssl))
    services.acs_case_reopen(
        case=case, reason="Customer called back in crisis.", audit=audit_of(acssl)
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_at) == (Status.OPEN, None, None)
    event = CaseEvent.objects.get(case=case, kind="reopened")
    assert event.detail["outcome"] == "support_in_place"


def test_reopening_is_refused_while_the_customer_has_another_active_case(acssl):
    closed = ClosedCaseFactory()
    OpenCaseFactory(customer=closed.customer)
    with pytest.raises(ValidationError):
        services.acs_case_reopen(case=closed, reason="Mistake", audit=audit_of(acssl))


def test_only_a_closed_case_can_be_reopened(acssl):
    with pytest.raises(ValidationError):
        services.acs_case_reopen(case=OpenCaseFactory(), reason="why", audit=audit_of(acssl))


@pytest.mark.parametrize(
    "change",
    [
        lambda case, by: services.acs_case_status_change(
            case=case, status="monitoring", audit=audit_of(by)
        ),
        lambda case, by: services.acs_case_close(
            case=case, outcome="no_further_action", summary="x", audit=audit_of(by)
        ),
        lambda case, by: services.acs_case_risk_set(
            case=case, level="high", reason="x", audit=audit_of(by)
        ),
        lambda case, by: services.acs_note_add(case=case, text="x", audit=audit_of(by)),
        lambda case, by: services.acs_action_add(
            case=case, description="x", owner=by, due_on=TODAY(), audit=audit_of(by)
        ),
        lambda case, by: services.acs_case_escalate(
            case=case, route="scp", reason="x", audit=audit_of(by)
        ),
    ],
)
def test_work_coaches_and_admins_cannot_change_cases(work_coach, admin_user, change):
    case = OpenCaseFactory()
    for colleague in (work_coach, admin_user):
        with pytest.raises(PermissionDenied):
            change(case, colleague)
    assert kinds(case) == []


# Risk, categories, review ----------------------------------------------------------------


def test_risk_level_keeps_its_history(acssl):
    case = OpenCaseFactory(owner=acssl)
    services.acs_case_risk_set(
        case=case, level="very_high", reason="Plan to harm", audit=audit_of(acssl)
    )
    services.acs_case_risk_set(
        case=case, level="medium", reason="Crisis team involved", audit=audit_of(acssl)
    )
    case.refresh_from_db()
    assert case.risk_level == "medium"
    assert list(case.risk_history.values_list("level", flat=True)) == ["very_high", "medium"]
    assert kinds(case) == ["risk_set", "risk_set"]


def test_risk_level_refuses_an_unknown_level_or_no_reason(acssl):
    case = OpenCaseFactory(owner=acssl)
    with pytest.raises(ValidationError):
        services.acs_case_risk_set(case=case, level="extreme", reason="x", audit=audit_of(acssl))
    with pytest.raises(ValidationError):
        services.acs_case_risk_set(case=case, level="high", reason="", audit=audit_of(acssl))
    assert kinds(case) == []
    assert not case.risk_history.exists()


def test_categories_are_replaced_and_never_emptied(acssl):
    case = OpenCaseFactory(owner=acssl, categories=["problem_debt"])
    services.acs_case_categories_set(
        case=case, categories=["abuse", "neglect"], audit=audit_of(acssl)
    )
    assert set(case.categories.values_list("code", flat=True)) == {"abuse", "neglect"}
    with pytest.raises(ValidationError):
        services.acs_case_categories_set(case=case, categories=[], audit=audit_of(acssl))
    assert set(case.categories.values_list("code", flat=True)) == {"abuse", "neglect"}
    assert kinds(case) == ["categories_set"]


def test_review_date_cannot_be_in_the_past(acssl):
    case = OpenCaseFactory(owner=acssl)
    with pytest.raises(ValidationError):
        services.acs_case_review_set(
            case=case, review_on=TODAY() - dt.timedelta(days=1), audit=audit_of(acssl)
        )
    services.acs_case_review_set(
        case=case, review_on=TODAY() + dt.timedelta(days=14), audit=audit_of(acssl)
    )
    case.refresh_from_db()
    assert case.next_review_on == TODAY() + dt.timedelta(days=14)
    assert kinds(case) == ["review_set"]


# Actions ----------------------------------------------------------------------------------


def test_action_added_and_completed_once(acssl, work_coach):
    case = OpenCaseFactory(owner=acssl)
    action = services.acs_action_add(
        case=case,
        description="Ring the GP",
        owner=work_coach,
        due_on=TODAY(),
        audit=audit_of(acssl),
    )
    services.acs_action_complete(action=action, audit=audit_of(acssl))
    action.refresh_from_db()
    assert action.completed_by == acssl
    with pytest.raises(ValidationError):
        services.acs_action_complete(action=action, audit=audit_of(acssl))
    assert kinds(case) == ["action_added", "action_completed"]


def test_action_refused_on_a_referred_or_closed_case_or_in_the_past(acssl):
    for case in (AcsCaseFactory(), ClosedCaseFactory()):
        with pytest.raises(ValidationError):
            services.acs_action_add(
                case=case, description="x", owner=acssl, due_on=TODAY(), audit=audit_of(acssl)
            )
    with pytest.raises(ValidationError):
        services.acs_action_add(
            case=OpenCaseFactory(),
            description="x",
            owner=acssl,
            due_on=TODAY() - dt.timedelta(days=1),
            audit=audit_of(acssl),
        )


# Notes ------------------------------------------------------------------------------------


def test_a_correction_is_a_new_note_pointing_at_the_old_one(acssl):
    case = OpenCaseFactory(owner=acssl)
    first = services.acs_note_add(case=case, text="Customer lives in Hull.", audit=audit_of(acssl))
    correction = services.acs_note_add(
        case=case, text="Correction: Hull, not Leeds.", audit=audit_of(acssl), corrects=first
    )
    first.refresh_from_db()
    assert first.text == "Customer lives in Hull."
    assert correction.corrects == first
    assert CaseNote.objects.filter(case=case).count() == 2
    assert kinds(case) == ["note_added", "note_added"]


def test_a_correction_must_be_to_a_note_on_the_same_case(acssl):
    other = CaseNoteFactory()
    with pytest.raises(ValidationError):
        services.acs_note_add(
            case=OpenCaseFactory(), text="x", audit=audit_of(acssl), corrects=other
        )


def test_a_blank_note_is_refused(acssl):
    with pytest.raises(ValidationError):
        services.acs_note_add(case=OpenCaseFactory(), text="   ", audit=audit_of(acssl))


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_the_database_refuses_to_edit_or_delete_a_note(operation):
    note = CaseNoteFactory()
    notes = CaseNote.objects.filter(pk=note.pk)
    change = (lambda: notes.update(text="rewritten")) if operation == "update" else notes.delete
    with pytest.raises(DatabaseError), transaction.atomic():
        change()
    note.refresh_from_db()
    assert note.text == "Spoke to the customer; they are safe tonight."


def test_the_database_refuses_to_edit_a_case_event(acssl):
    services.acs_note_add(case=OpenCaseFactory(), text="x", audit=audit_of(acssl))
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.update(summary="nothing happened")


# Partner referrals, visits, escalation ----------------------------------------------------


def test_partner_referral_with_consent_and_outcome(acssl):
    case = OpenCaseFactory(owner=acssl)
    referral = services.acs_partner_referral_add(
        case=case,
        organisation="la_adult_safeguarding",
        referred_on=TODAY(),
        consent=PartnerReferral.Consent.GIVEN,
        details="Safeguarding concern raised",
        audit=audit_of(acssl),
    )
    services.acs_partner_referral_outcome_record(
        partner_referral=referral, outcome="Social worker allocated", audit=audit_of(acssl)
    )
    referral.refresh_from_db()
    assert referral.outcome == "Social worker allocated"
    with pytest.raises(ValidationError):
        services.acs_partner_referral_outcome_record(
            partner_referral=referral, outcome="again", audit=audit_of(acssl)
        )
    assert kinds(case) == ["partner_referred", "partner_outcome"]


def test_partner_referral_refuses_unknown_organisation_consent_or_future_date(acssl):
    with pytest.raises(ValidationError) as error:
        services.acs_partner_referral_add(
            case=OpenCaseFactory(),
            organisation="acme",
            referred_on=TODAY() + dt.timedelta(days=1),
            consent="maybe",
            audit=audit_of(acssl),
        )
    assert set(error.value.message_dict) == {"organisation", "consent", "referred_on"}


def test_partner_outcome_needs_text(acssl):
    with pytest.raises(ValidationError):
        services.acs_partner_referral_outcome_record(
            partner_referral=PartnerReferralFactory(), outcome="", audit=audit_of(acssl)
        )


def test_visit_request(acssl):
    case = OpenCaseFactory(owner=acssl)
    visit = services.acs_visit_request(
        case=case, reason="No phone; lives alone", audit=audit_of(acssl)
    )
    assert visit.requested_by == acssl
    assert kinds(case) == ["visit_requested"]
    with pytest.raises(ValidationError):
        services.acs_visit_request(case=case, reason="", audit=audit_of(acssl))


@pytest.mark.parametrize("route", ["ipr", "scp"])
def test_escalation_with_a_reason_also_after_closure(acssl, route):
    case = ClosedCaseFactory(owner=acssl)
    escalation = services.acs_case_escalate(
        case=case, route=route, reason="Customer died", audit=audit_of(acssl)
    )
    assert escalation.route == route
    assert CaseEvent.objects.get(case=case).summary.startswith("Escalated to the")
    assert Escalation.objects.count() == 1


def test_escalation_refuses_no_reason_or_unknown_route(acssl):
    case = OpenCaseFactory(owner=acssl)
    with pytest.raises(ValidationError):
        services.acs_case_escalate(case=case, route="scp", reason="", audit=audit_of(acssl))
    with pytest.raises(ValidationError):
        services.acs_case_escalate(case=case, route="press", reason="x", audit=audit_of(acssl))


def test_team_leader_can_change_cases_too(team_leader):
    case = OpenCaseFactory()
    services.acs_note_add(case=case, text="Reviewed with the ACSSL.", audit=audit_of(team_leader))
    assert kinds(case) == ["note_added"]


def test_actions_factory_overdue_helper_is_sane():
    action = CaseActionFactory(due_on=TODAY() - dt.timedelta(days=2))
    assert action.completed_at is None


def test_roles_hold_the_acs_permissions(work_coach, acssl, team_leader, admin_user):
    assert work_coach.has_perm("acs.refer_customer")
    assert not work_coach.has_perm("acs.manage_acs_case")
    assert acssl.has_perm("acs.manage_acs_case")
    assert not acssl.has_perm("acs.view_team_caseload")
    assert team_leader.has_perm("acs.view_team_caseload")
    assert not admin_user.has_perm("acs.manage_acs_case")
    assert admin_user.has_perm("acs.change_casecategory")
    assert roles.ACSSL in [group.name for group in acssl.groups.all()]


# Access and audit -------------------------------------------------------------------------


def test_each_change_writes_its_access_event(acssl):
    case = OpenCaseFactory(owner=acssl)
    services.acs_note_add(audit=audit_of(acssl), case=case, text="Rang the customer.")
    services.acs_case_risk_set(audit=audit_of(acssl), case=case, level="high", reason="Threats")
    changes = AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE)
    assert list(changes.order_by("pk").values_list("what", "customer", "detail")) == [
        ("acs case note", case.customer_id, {"case": case.reference}),
        ("acs case risk", case.customer_id, {"case": case.reference}),
    ]


def test_a_refused_change_writes_no_change_event(acssl):
    case = OpenCaseFactory(owner=acssl)
    with pytest.raises(ValidationError):
        services.acs_note_add(audit=audit_of(acssl), case=case, text=" ")
    assert not AccessEvent.objects.exists()


def test_a_referral_writes_its_change_event(work_coach):
    referral = refer(CustomerFactory(), work_coach)
    event = AccessEvent.objects.get(action=AccessEvent.Action.CHANGE)
    assert (event.what, event.detail) == ("acs referral", {"case": referral.case.reference})


def test_a_colleague_without_the_role_is_refused_and_logged(work_coach):
    case = OpenCaseFactory()
    with pytest.raises(PermissionDenied):
        services.acs_note_add(audit=audit_of(work_coach), case=case, text="x")
    refusal = AccessEvent.objects.get()
    assert (refusal.action, refusal.what) == (AccessEvent.Action.REFUSED, "acs case note")


def test_changing_a_restricted_customers_case_needs_the_reason(acssl):
    case = OpenCaseFactory(owner=acssl, customer=CustomerFactory(restricted=True))
    with pytest.raises(ReasonRequired):
        services.acs_note_add(audit=audit_of(acssl), case=case, text="Rang the customer.")
    assert not CaseNote.objects.exists()
    reason = "Customer's sister rang about the case"
    services.acs_note_add(audit=audit_of(acssl, reason), case=case, text="Rang the customer.")
    assert AccessEvent.objects.get(action=AccessEvent.Action.CHANGE).reason == reason


def test_a_restricted_customer_is_referred_by_a_cleared_colleague_without_a_reason(acssl):
    referral = refer(CustomerFactory(restricted=True), acssl)
    assert referral.case.customer.restricted
    assert AccessEvent.objects.get(action=AccessEvent.Action.CHANGE).reason == ""


def test_a_refused_restricted_referral_is_logged(work_coach):
    customer = CustomerFactory(restricted=True)
    with pytest.raises(RestrictedRecord):
        refer(customer, work_coach)
    refusal = AccessEvent.objects.get()
    assert (refusal.action, refusal.customer) == (AccessEvent.Action.REFUSED, customer)
