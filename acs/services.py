"""ACS writes: every change to a case goes through one of these and appends a CaseEvent.

The status workflow is enforced here:

    referred ──assign/take──> open <──> monitoring
                               │            │
                               └──close─────┴──> closed ──reopen──> open

Refusals raise ValidationError (bad input or a transition the workflow does not allow) or
PermissionDenied (the colleague's role does not allow the change).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from acs.models import (
    URGENCY_RANK,
    AcsCase,
    CaseAction,
    CaseCategory,
    CaseEvent,
    CaseNote,
    CaseOutcome,
    Escalation,
    PartnerOrganisation,
    PartnerReferral,
    Referral,
    RiskAssessment,
    RiskLevel,
    Urgency,
    VisitRequest,
)

Status = AcsCase.Status
MANAGE = "acs.manage_acs_case"
REFER = "acs.refer_customer"
VIEW_RESTRICTED = "customers.view_restricted_customer"

# Moves acs_case_status_change makes; closing and reopening have their own services.
STATUS_MOVES = {(Status.OPEN, Status.MONITORING), (Status.MONITORING, Status.OPEN)}
ACTIVE = (Status.OPEN, Status.MONITORING)


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _event(
    *, case: AcsCase, kind: str, summary: str, by: Any, detail: dict[str, Any] | None = None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        customer_id=case.customer_id,
        kind=kind,
        summary=summary[:300],
        detail=detail or {},
        actor=by,
        actor_username=by.get_username(),
    )


def _require(user: Any, permission: str) -> None:
    if not (user.is_authenticated and user.is_active and user.has_perm(permission)):
        raise PermissionDenied(f"{user.get_username()} may not do this ({permission}).")


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _lock(case: AcsCase) -> AcsCase:
    """Lock the case row and re-read it, so two colleagues cannot race a transition."""
    AcsCase.objects.select_for_update().filter(pk=case.pk).first()
    case.refresh_from_db()
    return case


def _require_active(case: AcsCase, doing: str) -> None:
    if case.status == Status.REFERRED:
        raise ValidationError(f"Take or assign the case before you {doing}.")
    if case.status == Status.CLOSED:
        raise ValidationError(f"The case is closed: reopen it before you {doing}.")


def _categories_from_codes(codes: list[str]) -> list[CaseCategory]:
    wanted = set(codes)
    found = list(CaseCategory.objects.filter(code__in=wanted, active=True))
    unknown = wanted - {category.code for category in found}
    if unknown:
        raise ValidationError({"categories": f"Unknown categories: {', '.join(sorted(unknown))}"})
    return found


@transaction.atomic
def acs_referral_create(
    *,
    customer: Any,
    referred_by: Any,
    reason: str,
    urgency: str,
    categories: list[str],
    customer_agreed: str,
    source: str = "colleague",
) -> Referral:
    """Refer a customer to an ACSSL. Joins the customer's active case, or starts a new one.

    `categories` are CaseCategory codes; `source` is "colleague", "six_point_plan" or "signal".
    """
    _require(referred_by, REFER)
    if customer.restricted and not referred_by.has_perm(VIEW_RESTRICTED):
        raise PermissionDenied("Restricted record: this colleague may not open it.")
    reason = _require_text(reason, "reason", "Say why the customer needs advanced support.")
    customer_agreed = _require_text(
        customer_agreed, "customer_agreed", "Say what the customer agreed to."
    )
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "Choose how urgent the referral is."})
    if source not in Referral.Source.values:
        raise ValidationError({"source": f"Unknown referral source: {source}"})
    found = _categories_from_codes(list(categories))

    now = timezone.now()
    case = (
        AcsCase.objects.select_for_update()
        .filter(customer=customer)
        .exclude(status=Status.CLOSED)
        .first()
    )
    joined = case is not None
    if case is None:
        case = AcsCase.objects.create(customer=customer, urgency=urgency, referred_at=now)
    elif URGENCY_RANK[Urgency(urgency)] < URGENCY_RANK[Urgency(case.urgency)]:
        case.urgency = urgency
        case.save(update_fields=["urgency"])
    case.categories.add(*found)

    referral = Referral.objects.create(
        case=case,
        customer=customer,
        referred_by=referred_by,
        reason=reason,
        urgency=urgency,
        customer_agreed=customer_agreed,
        source=source,
    )
    referral.categories.set(found)
    source_label = Referral.Source(source).label
    _event(
        case=case,
        kind=CaseEvent.Kind.REFERRED,
        summary=(
            f"Referred to an ACSSL by {_name(referred_by)} ({source_label.lower()}),"
            f" {Urgency(urgency).name.lower()}"
            + (" - added to the existing case" if joined else "")
        ),
        by=referred_by,
        detail={"referral": referral.pk, "urgency": urgency, "source": source},
    )
    return referral


@transaction.atomic
def acs_case_assign(*, case: AcsCase, owner: Any, by: Any) -> AcsCase:
    """Take (owner is `by`) or assign a case. A referred case opens when it gets an owner."""
    _require(by, MANAGE)
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise ValidationError("The case is closed: reopen it before you assign it.")
    if not (owner.is_active and owner.has_perm(MANAGE)):
        raise ValidationError({"owner": "Cases can only be owned by an ACSSL or a team leader."})
    opening = case.status == Status.REFERRED
    case.owner = owner
    fields = ["owner"]
    if opening:
        case.status = Status.OPEN
        case.opened_at = timezone.now()
        fields += ["status", "opened_at"]
    case.save(update_fields=fields)
    taken = owner.pk == by.pk
    summary = f"Case taken by {_name(owner)}" if taken else f"Case assigned to {_name(owner)}"
    _event(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        summary=summary + (" and opened" if opening else ""),
        by=by,
        detail={"owner": owner.pk, "opened": opening},
    )
    return case


@transaction.atomic
def acs_case_status_change(*, case: AcsCase, status: str, by: Any) -> AcsCase:
    """Move an open case to monitoring, or back to open."""
    _require(by, MANAGE)
    case = _lock(case)
    if (case.status, status) not in STATUS_MOVES:
        raise ValidationError(
            f"A case cannot go from {case.get_status_display().lower()} to {status} here."
        )
    before = case.status
    case.status = status
    case.save(update_fields=["status"])
    _event(
        case=case,
        kind=CaseEvent.Kind.STATUS_CHANGED,
        summary=f"Status changed from {Status(before).label} to {Status(status).label}",
        by=by,
        detail={"from": before, "to": status},
    )
    return case


@transaction.atomic
def acs_case_close(*, case: AcsCase, outcome: str, summary: str, by: Any) -> AcsCase:
    """Close an open or monitoring case. It needs an outcome (a CaseOutcome code) and a summary."""
    _require(by, MANAGE)
    case = _lock(case)
    if case.status not in ACTIVE:
        raise ValidationError(f"A {case.get_status_display().lower()} case cannot be closed.")
    errors = {}
    chosen = CaseOutcome.objects.filter(code=outcome, active=True).first() if outcome else None
    if chosen is None:
        errors["outcome"] = "Choose the outcome of the case."
    if not (summary or "").strip():
        errors["summary"] = "Write a closure summary."
    if errors:
        raise ValidationError(errors)
    before = case.status
    case.status = Status.CLOSED
    case.closed_at = timezone.now()
    case.outcome = chosen
    case.closure_summary = summary.strip()
    case.next_review_on = None
    case.save(update_fields=["status", "closed_at", "outcome", "closure_summary", "next_review_on"])
    _event(
        case=case,
        kind=CaseEvent.Kind.CLOSED,
        summary=f"Case closed: {chosen.name}",
        by=by,
        detail={"from": before, "outcome": chosen.code},
    )
    return case


@transaction.atomic
def acs_case_reopen(*, case: AcsCase, reason: str, by: Any) -> AcsCase:
    """Reopen a closed case (with a reason). Its previous outcome stays in the event log."""
    _require(by, MANAGE)
    case = _lock(case)
    if case.status != Status.CLOSED:
        raise ValidationError("Only a closed case can be reopened.")
    reason = _require_text(reason, "reason", "Say why the case is being reopened.")
    other = (
        AcsCase.objects.filter(customer_id=case.customer_id)
        .exclude(status=Status.CLOSED)
        .exclude(pk=case.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(f"The customer already has an active case ({other.reference}).")
    previous = {
        "outcome": case.outcome.code if case.outcome else "",
        "closed_at": str(case.closed_at),
    }
    case.status = Status.OPEN
    case.closed_at = None
    case.outcome = None
    case.closure_summary = ""
    if case.owner is None or not case.owner.has_perm(MANAGE):
        case.owner = by
    case.save(update_fields=["status", "closed_at", "outcome", "closure_summary", "owner"])
    _event(
        case=case,
        kind=CaseEvent.Kind.REOPENED,
        summary="Case reopened",
        by=by,
        detail={**previous, "reason": reason},
    )
    return case


@transaction.atomic
def acs_case_risk_set(*, case: AcsCase, level: str, reason: str, by: Any) -> RiskAssessment:
    """Set the case's risk level; each setting is kept as its history."""
    _require(by, MANAGE)
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise ValidationError("The case is closed: reopen it before you change the risk level.")
    if level not in RiskLevel.values:
        raise ValidationError({"level": "Choose a risk level."})
    reason = _require_text(reason, "reason", "Say why the risk is at this level.")
    assessment = RiskAssessment.objects.create(
        case=case, level=level, reason=reason, assessed_by=by
    )
    before = case.risk_level
    case.risk_level = level
    case.save(update_fields=["risk_level"])
    _event(
        case=case,
        kind=CaseEvent.Kind.RISK_SET,
        summary=f"Risk level set to {RiskLevel(level).label}",
        by=by,
        detail={"from": before, "to": level},
    )
    return assessment


@transaction.atomic
def acs_case_categories_set(*, case: AcsCase, categories: list[str], by: Any) -> AcsCase:
    """Replace the case's categories (codes). A case keeps at least one."""
    _require(by, MANAGE)
    case = _lock(case)
    if case.status == Status.CLOSED:
        raise ValidationError("The case is closed: reopen it before you change its categories.")
    if not categories:
        raise ValidationError({"categories": "Choose at least one category."})
    found = _categories_from_codes(list(categories))
    case.categories.set(found)
    codes = sorted(category.code for category in found)
    _event(
        case=case,
        kind=CaseEvent.Kind.CATEGORIES_SET,
        summary="Categories changed",
        by=by,
        detail={"categories": codes},
    )
    return case


@transaction.atomic
def acs_case_review_set(*, case: AcsCase, review_on: dt.date, by: Any) -> AcsCase:
    """Set when the case is next reviewed (shown as due on the owner's caseload)."""
    _require(by, MANAGE)
    case = _lock(case)
    _require_active(case, "set a review date")
    if review_on < timezone.localdate():
        raise ValidationError({"review_on": "The review date must be today or later."})
    case.next_review_on = review_on
    case.save(update_fields=["next_review_on"])
    _event(
        case=case,
        kind=CaseEvent.Kind.REVIEW_SET,
        summary=f"Next review on {review_on:%d %B %Y}",
        by=by,
        detail={"review_on": review_on.isoformat()},
    )
    return case


@transaction.atomic
def acs_action_add(
    *, case: AcsCase, description: str, owner: Any, due_on: dt.date, by: Any
) -> CaseAction:
    """Add an action with an owner and a due date to an open or monitoring case."""
    _require(by, MANAGE)
    case = _lock(case)
    _require_active(case, "add an action")
    description = _require_text(description, "description", "Describe the action.")
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": "Choose who owns the action."})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date must be today or later."})
    action = CaseAction.objects.create(
        case=case, description=description, owner=owner, due_on=due_on, created_by=by
    )
    _event(
        case=case,
        kind=CaseEvent.Kind.ACTION_ADDED,
        summary=f"Action added for {_name(owner)}, due {due_on:%d %B %Y}",
        by=by,
        detail={"action": action.pk},
    )
    return action


@transaction.atomic
def acs_action_complete(*, action: CaseAction, by: Any) -> CaseAction:
    """Mark an action done. Done is final."""
    _require(by, MANAGE)
    case = _lock(action.case)
    _require_active(case, "complete an action")
    action = CaseAction.objects.select_for_update().get(pk=action.pk)
    if action.completed_at is not None:
        raise ValidationError("This action is already complete.")
    action.completed_at = timezone.now()
    action.completed_by = by
    action.save(update_fields=["completed_at", "completed_by"])
    _event(
        case=case,
        kind=CaseEvent.Kind.ACTION_COMPLETED,
        summary="Action completed",
        by=by,
        detail={"action": action.pk},
    )
    return action


@transaction.atomic
def acs_note_add(
    *, case: AcsCase, text: str, by: Any, corrects: CaseNote | None = None
) -> CaseNote:
    """Append a note. Notes are never edited: a correction is a new note pointing at the old."""
    _require(by, MANAGE)
    text = _require_text(text, "text", "Write the note.")
    if corrects is not None and corrects.case_id != case.pk:
        raise ValidationError({"corrects": "A correction must be to a note on the same case."})
    note = CaseNote.objects.create(case=case, text=text, author=by, corrects=corrects)
    _event(
        case=case,
        kind=CaseEvent.Kind.NOTE_ADDED,
        summary="Correction to a case note added" if corrects else "Case note added",
        by=by,
        detail={"note": note.pk, "corrects": corrects.pk if corrects else None},
    )
    return note


@transaction.atomic
def acs_partner_referral_add(
    *,
    case: AcsCase,
    organisation: str,
    referred_on: dt.date,
    consent: str,
    by: Any,
    details: str = "",
) -> PartnerReferral:
    """Record a referral to a partner organisation (a PartnerOrganisation code)."""
    _require(by, MANAGE)
    case = _lock(case)
    _require_active(case, "refer to a partner")
    errors = {}
    partner = PartnerOrganisation.objects.filter(code=organisation, active=True).first()
    if partner is None:
        errors["organisation"] = "Choose the partner organisation."
    if consent not in PartnerReferral.Consent.values:
        errors["consent"] = "Say whether the customer consented."
    if referred_on > timezone.localdate():
        errors["referred_on"] = "The referral date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    partner_referral = PartnerReferral.objects.create(
        case=case,
        organisation=partner,
        referred_on=referred_on,
        consent=consent,
        details=(details or "").strip(),
        created_by=by,
    )
    _event(
        case=case,
        kind=CaseEvent.Kind.PARTNER_REFERRED,
        summary=f"Referred to {partner.name}",
        by=by,
        detail={"partner_referral": partner_referral.pk, "organisation": partner.code},
    )
    return partner_referral


@transaction.atomic
def acs_partner_referral_outcome_record(
    *, partner_referral: PartnerReferral, outcome: str, by: Any
) -> PartnerReferral:
    """Record what came of a partner referral (once)."""
    _require(by, MANAGE)
    case = _lock(partner_referral.case)
    partner_referral = PartnerReferral.objects.select_for_update().get(pk=partner_referral.pk)
    if partner_referral.outcome_recorded_at is not None:
        raise ValidationError("The outcome of this partner referral is already recorded.")
    outcome = _require_text(outcome, "outcome", "Say what came of the referral.")
    partner_referral.outcome = outcome
    partner_referral.outcome_recorded_at = timezone.now()
    partner_referral.save(update_fields=["outcome", "outcome_recorded_at"])
    _event(
        case=case,
        kind=CaseEvent.Kind.PARTNER_OUTCOME,
        summary=f"Outcome recorded for the {partner_referral.organisation.name} referral",
        by=by,
        detail={"partner_referral": partner_referral.pk},
    )
    return partner_referral


@transaction.atomic
def acs_visit_request(*, case: AcsCase, reason: str, by: Any) -> VisitRequest:
    """Ask the DWP Visiting Service to visit the customer."""
    _require(by, MANAGE)
    case = _lock(case)
    _require_active(case, "request a visit")
    reason = _require_text(reason, "reason", "Say why a visit is needed.")
    visit = VisitRequest.objects.create(case=case, reason=reason, requested_by=by)
    _event(
        case=case,
        kind=CaseEvent.Kind.VISIT_REQUESTED,
        summary="Home visit requested",
        by=by,
        detail={"visit_request": visit.pk},
    )
    return visit


@transaction.atomic
def acs_case_escalate(*, case: AcsCase, route: str, reason: str, by: Any) -> Escalation:
    """Escalate to an Internal Process Review or the Serious Case Panel (also after closure)."""
    _require(by, MANAGE)
    case = _lock(case)
    if case.status == Status.REFERRED:
        raise ValidationError("Take or assign the case before you escalate it.")
    if route not in Escalation.Route.values:
        raise ValidationError({"route": "Choose where to escalate the case."})
    reason = _require_text(reason, "reason", "Say why the case is being escalated.")
    escalation = Escalation.objects.create(case=case, route=route, reason=reason, escalated_by=by)
    _event(
        case=case,
        kind=CaseEvent.Kind.ESCALATED,
        summary=f"Escalated to the {Escalation.Route(route).label}",
        by=by,
        detail={"escalation": escalation.pk, "route": route},
    )
    return escalation
