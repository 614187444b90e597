"""Support-need writes: happy paths, refusals and their audit entries."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from acs.models import Referral
from audit.models import AccessEvent
from support_needs.models import SupportNeed, SupportNeedChange
from support_needs.services.needs import support_need_end, support_need_review, support_need_update
from support_needs.services.six_point_plan import six_point_plan_record
from tests.factories import CustomerFactory
from tests.support_needs.conftest import audit_as, record

pytestmark = pytest.mark.django_db


def audit_whats(customer) -> list[str]:
    return list(
        AccessEvent.objects.filter(customer=customer, action=AccessEvent.Action.CHANGE)
        .order_by("pk")
        .values_list("what", flat=True)
    )


def test_record_a_need_with_type_fields_history_review_date_and_audit(work_coach):
    customer = CustomerFactory()
    need = record(customer, work_coach, "appointee", details="Appointee since 2024.")
    assert need.from_portal
    assert not need.from_uc
    assert need.representative_name == "Leeds City Council"
    assert need.review_due == timezone.localdate() + dt.timedelta(days=365)
    change = need.changes.get()
    assert change.action == "recorded"
    assert change.by == work_coach
    assert change.changes["representative_name"] == [None, "Leeds City Council"]
    assert audit_whats(customer) == ["support need recorded"]
    event = AccessEvent.objects.get(customer=customer)
    assert event.username == "coach1"
    assert event.detail["type"] == "appointee"


@pytest.mark.parametrize(
    ("code", "missing"),
    [
        ("appointee", "representative_name"),
        ("large-print", "format_detail"),
        ("language-interpreter", "interpreter_language"),
        ("home-visit", "visit_reason"),
    ],
)
def test_type_specific_fields_are_required(work_coach, code, missing):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as refused:
        record(customer, work_coach, code, **{missing: ""})
    assert missing in refused.value.message_dict
    assert not SupportNeed.objects.exists()
    assert audit_whats(customer) == []


def test_fields_of_other_types_are_not_kept(work_coach):
    need = record(CustomerFactory(), work_coach, "mental-health", interpreter_language="French")
    assert need.interpreter_language == ""


def test_refusals_role_restricted_customer_restricted_type_duplicate(work_coach, admin_user, acssl):
    customer = CustomerFactory()
    with pytest.raises(PermissionDenied):
        record(customer, admin_user, "mental-health")
    with pytest.raises(PermissionDenied):
        record(CustomerFactory(restricted=True), work_coach, "mental-health")
    with pytest.raises(PermissionDenied):
        record(customer, work_coach, "risk-of-harm")
    record(customer, work_coach, "mental-health")
    with pytest.raises(ValidationError):
        record(customer, work_coach, "mental-health")
    with pytest.raises(ValidationError):
        record(customer, work_coach, "bereavement", consent="maybe")
    # A cleared colleague may record a restricted marker.
    assert record(customer, acssl, "risk-of-harm").need_type.restricted
    assert audit_whats(customer) == ["support need recorded"] * 2


def test_update_keeps_what_changed(work_coach, team_leader):
    customer = CustomerFactory()
    need = record(customer, work_coach, "large-print")
    support_need_update(need=need, audit=audit_as(team_leader), format_detail="24 point")
    need.refresh_from_db()
    assert need.format_detail == "24 point"
    change = need.changes.filter(action="updated").get()
    assert change.changes == {"format_detail": ["18 point", "24 point"]}
    assert change.by == team_leader
    assert audit_whats(customer)[-1] == "support need updated"
    with pytest.raises(ValidationError):
        support_need_update(need=need, audit=audit_as(team_leader), format_detail="24 point")
    with pytest.raises(ValidationError):
        support_need_update(need=need, audit=audit_as(team_leader), format_detail="")
    with pytest.raises(ValidationError):
        support_need_update(need=need, audit=audit_as(team_leader), status="ended")


def test_review_sets_next_review_date(work_coach):
    customer = CustomerFactory()
    need = record(customer, work_coach, "mental-health")
    next_review = timezone.localdate() + dt.timedelta(days=30)
    support_need_review(
        need=need, audit=audit_as(work_coach), note="Still applies", next_review=next_review
    )
    need.refresh_from_db()
    assert need.review_due == next_review
    assert need.last_reviewed_by == work_coach
    reviewed = need.changes.get(action="reviewed")
    assert reviewed.note == "Still applies"
    assert audit_whats(customer)[-1] == "support need reviewed"
    # Default: the type's review period (180 days for mental health).
    support_need_review(need=need, audit=audit_as(work_coach))
    need.refresh_from_db()
    assert need.review_due == timezone.localdate() + dt.timedelta(days=180)
    for bad in (timezone.localdate(), timezone.localdate() + dt.timedelta(days=800)):
        with pytest.raises(ValidationError):
            support_need_review(need=need, audit=audit_as(work_coach), next_review=bad)


def test_end_needs_a_reason_and_cannot_happen_twice(work_coach):
    customer = CustomerFactory()
    need = record(customer, work_coach, "bereavement")
    with pytest.raises(ValidationError):
        support_need_end(need=need, audit=audit_as(work_coach), reason="  ")
    support_need_end(
        need=need, audit=audit_as(work_coach), reason="Customer says it no longer applies"
    )
    need.refresh_from_db()
    assert need.status == "ended"
    assert need.ended_by == work_coach
    assert need.changes.filter(action="ended").get().note.startswith("Customer says")
    assert audit_whats(customer)[-1] == "support need ended"
    with pytest.raises(ValidationError):
        support_need_end(need=need, audit=audit_as(work_coach), reason="again")
    with pytest.raises(ValidationError):
        support_need_review(need=need, audit=audit_as(work_coach))
    # Ended, it can be recorded again.
    assert record(customer, work_coach, "bereavement").status == "active"


def test_work_coach_cannot_change_a_restricted_marker(work_coach, acssl):
    customer = CustomerFactory()
    marker = record(customer, acssl, "unacceptable-behaviour", details="Meet in pairs.")
    for change in (
        lambda: support_need_update(need=marker, audit=audit_as(work_coach), details="x"),
        lambda: support_need_review(need=marker, audit=audit_as(work_coach)),
        lambda: support_need_end(need=marker, audit=audit_as(work_coach), reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            change()
    support_need_end(need=marker, audit=audit_as(acssl), reason="Behaviour review: marker removed")


def six_point_plan(customer, by, **overrides):
    values = {
        "occurred_at": timezone.now() - dt.timedelta(minutes=20),
        "support_partner": "Team leader Jo Bloggs",
        "location": "At home, Leeds",
        "contact_number": "07700 900123",
        "intent": "Said they would take an overdose tonight.",
        "already_acted": False,
        "immediate_risk": True,
        "emergency_services_called": True,
        "emergency_reference": "999 call, West Yorkshire Police ref 1234",
        "signposting": "Samaritans 116 123",
        "escalated_to": "ACSSL on duty",
        "outcome": "Police attended; customer safe.",
        "customer_agreed": "Agreed to an ACSSL calling them tomorrow.",
    }
    return six_point_plan_record(customer=customer, audit=audit_as(by), **{**values, **overrides})


def test_six_point_plan_creates_restricted_marker_for_90_days_and_an_acs_referral(work_coach):
    customer = CustomerFactory()
    plan = six_point_plan(customer, work_coach)
    marker = plan.marker
    assert marker.need_type.code == "six-point-plan"
    assert marker.need_type.restricted
    assert marker.expires_on == plan.occurred_at.astimezone(dt.UTC).date() + dt.timedelta(days=90)
    referral = Referral.objects.get(pk=plan.acs_referral_id)
    assert referral.customer == customer
    assert referral.source == "six_point_plan"
    assert referral.urgency == "immediate"
    assert list(referral.categories.values_list("code", flat=True)) == ["suicide_self_harm"]
    # The referral, made by ACS through the hook, audits itself; then the plan.
    assert audit_whats(customer) == ["acs referral", "six point plan recorded"]
    # The signal for a recent Six Point Plan is raised already referred (no second referral).
    signal = customer.support_signals.get(rule="recent_spp")
    assert signal.status == "referred"
    assert signal.restricted
    # A second plan extends the same marker.
    later = six_point_plan(
        customer,
        work_coach,
        immediate_risk=False,
        emergency_services_called=False,
        emergency_reference="",
    )
    assert later.marker == marker
    assert Referral.objects.get(pk=later.acs_referral_id).urgency == "urgent"
    assert SupportNeed.objects.filter(customer=customer).count() == 1


def test_six_point_plan_refusals(work_coach, admin_user):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as refused:
        six_point_plan(customer, work_coach, intent="", emergency_reference="")
    assert {"intent", "emergency_reference"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError):
        six_point_plan(customer, work_coach, occurred_at=timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(PermissionDenied):
        six_point_plan(customer, admin_user)
    assert not SupportNeed.objects.exists()
    assert not Referral.objects.exists()
    assert audit_whats(customer) == []


def test_history_is_kept_whole(work_coach):
    need = record(CustomerFactory(), work_coach, "large-print")
    support_need_update(need=need, audit=audit_as(work_coach), format_detail="20 point")
    support_need_review(need=need, audit=audit_as(work_coach))
    support_need_end(need=need, audit=audit_as(work_coach), reason="Moved to Braille")
    assert list(
        SupportNeedChange.objects.filter(need=need)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    ) == ["recorded", "updated", "reviewed", "ended"]


@pytest.mark.django_db(transaction=True)
def test_seeded_need_types_come_back_after_a_flush():
    """Transactional tests (and `manage.py flush`) empty every table; the taxonomy is re-added."""
    from django.core.management import call_command

    from support_needs.models import NeedType

    call_command("flush", "--no-input", verbosity=0)
    assert NeedType.objects.filter(code__isnull=False).count() >= 30
