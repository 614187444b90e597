"""Closing a case checks what is still open (actions, partner outcomes, visits, escalations)
unless a reason is given for each, and keeps what was learned."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from acs import services
from acs.models import CaseEvent
from audit.context import AuditContext, Channel
from tests.factories import CaseActionFactory, OpenCaseFactory, PartnerReferralFactory

pytestmark = pytest.mark.django_db


def audit_of(user):
    return AuditContext(user=user, channel=Channel.PAGE, request_id="req-1")


def case_with_everything_open(acssl):
    case = OpenCaseFactory(owner=acssl)
    action = CaseActionFactory(case=case, owner=acssl)
    partner = PartnerReferralFactory(case=case)
    visit = services.acs_visit_request(audit=audit_of(acssl), case=case, reason="No phone")
    escalation = services.acs_case_escalate(
        audit=audit_of(acssl), case=case, route="scp", reason="Serious harm"
    )
    keys = {
        f"action_{action.pk}",
        f"partner_{partner.pk}",
        f"visit_{visit.pk}",
        f"escalation_{escalation.pk}",
    }
    return case, keys


def close(case, by, **kwargs):
    return services.acs_case_close(
        audit=audit_of(by),
        case=case,
        outcome="support_in_place",
        summary="Customer safe; support in place.",
        **kwargs,
    )


def test_closure_is_refused_while_anything_is_pending(acssl):
    case, keys = case_with_everything_open(acssl)
    with pytest.raises(ValidationError) as refused:
        close(case, acssl)
    assert set(refused.value.message_dict) == {f"left_open_{key}" for key in keys}
    assert "outcome not yet known" in str(refused.value.message_dict)
    case.refresh_from_db()
    assert case.status == "open"


def test_every_pending_item_needs_its_own_reason(acssl):
    case, keys = case_with_everything_open(acssl)
    some = dict.fromkeys(sorted(keys)[:3], "Partner will follow up")
    with pytest.raises(ValidationError) as refused:
        close(case, acssl, left_open=some | {sorted(keys)[3]: "   "})
    assert set(refused.value.message_dict) == {f"left_open_{sorted(keys)[3]}"}


def test_closure_with_reasons_and_learning_keeps_both(acssl):
    case, keys = case_with_everything_open(acssl)
    closed = close(
        case,
        acssl,
        left_open=dict.fromkeys(keys, "Panel meets next month; the visit team has it"),
        learning="The UC deduction should have been paused sooner.",
        themes=["payment_or_deduction", "timeliness"],
    )
    assert closed.status == "closed"
    assert closed.learning == "The UC deduction should have been paused sooner."
    assert {t.code for t in closed.learning_themes.all()} == {"payment_or_deduction", "timeliness"}
    assert {item["item"] for item in closed.closure_left_open} == keys
    event = CaseEvent.objects.get(case=case, kind="closed")
    assert event.summary == "Case closed: Support in place, risk reduced (4 items left open)"
    assert event.detail["themes"] == ["payment_or_deduction", "timeliness"]

    reopened = services.acs_case_reopen(audit=audit_of(acssl), case=closed, reason="New risk")
    assert (reopened.learning, reopened.closure_left_open) == ("", [])
    assert not reopened.learning_themes.exists()
    reopen_event = CaseEvent.objects.get(case=case, kind="reopened")
    assert reopen_event.detail["themes"] == ["payment_or_deduction", "timeliness"]


def test_nothing_pending_closes_without_reasons_and_unknown_themes_are_refused(acssl):
    case = OpenCaseFactory(owner=acssl)
    with pytest.raises(ValidationError) as refused:
        close(case, acssl, themes=["not_a_theme"])
    assert set(refused.value.message_dict) == {"themes"}
    assert close(case, acssl).status == "closed"


def test_finished_items_are_not_pending(acssl):
    case = OpenCaseFactory(owner=acssl)
    visit = services.acs_visit_request(audit=audit_of(acssl), case=case, reason="Check")
    services.acs_tracked_item_update(
        audit=audit_of(acssl), item=visit, status="declined", outcome="Customer moved"
    )
    partner = PartnerReferralFactory(case=case)
    services.acs_partner_referral_outcome_record(
        audit=audit_of(acssl), partner_referral=partner, outcome="Debt plan agreed"
    )
    assert close(case, acssl).status == "closed"


def test_the_case_page_asks_why_for_each_pending_item(client, acssl):
    case, keys = case_with_everything_open(acssl)
    client.force_login(acssl)
    url = reverse("acs:case", kwargs={"public_id": case.public_id})
    page = client.get(url).text
    assert 'data-testid="closure-pending"' in page
    assert "Why leave it open: MoneyHelper debt advice referral" in page
    assert "What was learned from this case?" in page

    close_url = reverse("acs:close", kwargs={"public_id": case.public_id})
    form = {"close-outcome": "support_in_place", "close-summary": "Safe now"}
    refused = client.post(close_url, form)
    assert refused.status_code == 400
    assert "Say why the case can close with this still open" in refused.text

    reasons = {f"close-left_open_{key}": "Handed on" for key in keys}
    done = client.post(
        close_url,
        form | reasons | {"close-learning": "Share sooner", "close-themes": ["partner_working"]},
    )
    assert done.status_code == 302
    page = client.get(url).text
    assert "Share sooner" in page
    assert "Working with partner organisations" in page
    assert 'data-testid="case-left-open"' in page
