"""ACS writes: every change to a case goes through one of these and appends a CaseEvent.

The status workflow is enforced here:

    referred ──assign/take──> open <──> monitoring
                               │            │
                               └──close─────┴──> closed ──reopen──> open

Every service takes the AuditContext of the request, task or command (the colleague is
audit.user), checks the colleague may, validates, writes in one transaction and writes its own
access event (CHANGE, with the reason that opened a restricted record). The access checks run
before the transaction opens, so a refusal they log is kept when the service raises.

Refusals raise ValidationError (bad input or a transition the workflow does not allow),
PermissionDenied (the colleague's role does not allow the change; logged), RestrictedRecord
(a restricted customer and the colleague is not cleared; logged) or ReasonRequired (cleared,
but no reason given for the restricted record yet).
"""

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from acs.models import (
    URGENCY_RANK,
    AcsCase,
    CaseAction,
    CaseCategory,
    CaseEvent,
    CaseNote,
    CaseOutcome,
    Escalation,
    LearningTheme,
    PartnerOrganisation,
    PartnerReferral,
    Referral,
    RiskAssessment,
    RiskLevel,
    TrackedStatus,
    Urgency,
    VisitRequest,
)
from acs.selectors import (
    MANAGE,
    REFER,
    acs_case_pending,
    acs_customer_access_check,
    acs_permission_require,
)
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Customer

Status = AcsCase.Status

# Moves acs_case_status_change makes; closing and reopening have their own services.
STATUS_MOVES = {(Status.OPEN, Status.MONITORING), (Status.MONITORING, Status.OPEN)}
ACTIVE = (Status.OPEN, Status.MONITORING)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _event(
    *, case: AcsCase, kind: str, summary: str, by: User, detail: dict[str, Any] | None = None
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


def _colleague(audit: AuditContext, *, permission: str, what: str) -> User:
    """The colleague acting, if their role allows the change (a refusal is logged)."""
    acs_permission_require(audit=audit, permission=permission, what=what)
    if audit.user is None:  # has_perm is False without a user: unreachable, but for the types
        raise PermissionDenied("A colleague must make this change.")
    return audit.user


def _case_access(audit: AuditContext, case: AcsCase, name: str) -> tuple[User, str]:
    """The colleague changing the case, and the reason that opens a restricted customer's
    record: the same rule as reading the case (acs.selectors.acs_case_get)."""
    what = f"acs case {name}"
    by = _colleague(audit, permission=MANAGE, what=what)
    reason = acs_customer_access_check(audit=audit, customer=case.customer, what=what)
    return by, reason


def _changed(audit: AuditContext, case: AcsCase, name: str, reason: str) -> None:
    access_record(
        audit=audit,
        action=AccessEvent.Action.CHANGE,
        what=f"acs case {name}",
        customer=case.customer,
        detail={"case": case.reference},
        reason=reason,
    )


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


def acs_referral_create(
    *,
    audit: AuditContext,
    customer: Customer,
    reason: str,
    urgency: str,
    categories: list[str] | tuple[str, ...],
    customer_agreed: str,
    source: str = "colleague",
) -> Referral:
    """Refer a customer to an ACSSL. Joins the customer's active case, or starts a new one.

    `categories` are CaseCategory codes; `source` is "colleague", "six_point_plan" or "signal".
    A restricted customer may be referred only by a colleague cleared for the record; the
    referral shows nothing of it, so no reason is asked (one given is kept in the audit).
    """
    what = "acs referral"
    referred_by = _colleague(audit, permission=REFER, what=what)
    access_reason = acs_customer_access_check(
        audit=audit, customer=customer, what=what, reason_required=False
    )
    with transaction.atomic():
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
        access_record(
            audit=audit,
            action=AccessEvent.Action.CHANGE,
            what=what,
            customer=customer,
            detail={"case": case.reference},
            reason=access_reason,
        )
        return referral


def acs_case_assign(*, audit: AuditContext, case: AcsCase, owner: User) -> AcsCase:
    """Take (the owner is the colleague acting) or assign a case. A referred case opens when it
    gets an owner."""
    name = "take" if owner.pk == getattr(audit.user, "pk", None) else "assign"
    by, access_reason = _case_access(audit, case, name)
    with transaction.atomic():
        case = _lock(case)
        if case.status == Status.CLOSED:
            raise ValidationError("The case is closed: reopen it before you assign it.")
        if not (owner.is_active and owner.has_perm(MANAGE)):
            raise ValidationError(
                {"owner": "Cases can only be owned by an ACSSL or a team leader."}
            )
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
        _changed(audit, case, name, access_reason)
        return case


def acs_case_take(*, audit: AuditContext, case: AcsCase) -> AcsCase:
    """The colleague acting takes the case: they own it (a referred case opens)."""
    if audit.user is None:
        raise PermissionDenied("A colleague must take the case.")
    return acs_case_assign(audit=audit, case=case, owner=audit.user)


def acs_case_status_change(*, audit: AuditContext, case: AcsCase, status: str) -> AcsCase:
    """Move an open case to monitoring, or back to open."""
    by, access_reason = _case_access(audit, case, "status")
    with transaction.atomic():
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
        _changed(audit, case, "status", access_reason)
        return case


def acs_case_close(
    *,
    audit: AuditContext,
    case: AcsCase,
    outcome: str,
    summary: str,
    learning: str = "",
    themes: Sequence[str] = (),
    left_open: Mapping[str, str] | None = None,
) -> AcsCase:
    """Close an open or monitoring case. It needs an outcome (a CaseOutcome code) and a summary.

    Closure is refused while something is pending (acs.selectors.acs_case_pending: an open
    action, a partner outcome not known, a visit or escalation not done or declined) unless
    `left_open` gives a reason for each, keyed by the item's key; the error for a missing
    reason is under "left_open_<key>". What was learned (`learning`, LearningTheme codes in
    `themes`) is kept on the case and in the closed event.
    """
    by, access_reason = _case_access(audit, case, "close")
    with transaction.atomic():
        case = _lock(case)
        if case.status not in ACTIVE:
            raise ValidationError(f"A {case.get_status_display().lower()} case cannot be closed.")
        errors: dict[str, str] = {}
        chosen = CaseOutcome.objects.filter(code=outcome, active=True).first() if outcome else None
        if chosen is None:
            errors["outcome"] = "Choose the outcome of the case."
        if not (summary or "").strip():
            errors["summary"] = "Write a closure summary."
        found_themes = list(LearningTheme.objects.filter(code__in=set(themes), active=True))
        if len(found_themes) != len(set(themes)):
            errors["themes"] = "Choose themes from the list."
        reasons = {key: (text or "").strip() for key, text in (left_open or {}).items()}
        left: list[dict[str, str]] = []
        for item in acs_case_pending(case=case):
            if reasons.get(item.key):
                left.append({"item": item.key, "label": item.label, "reason": reasons[item.key]})
            else:
                errors[f"left_open_{item.key}"] = (
                    f"Say why the case can close with this still open: {item.label}"
                )
        if errors or chosen is None:
            raise ValidationError(errors)
        before = case.status
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.outcome = chosen
        case.closure_summary = summary.strip()
        case.next_review_on = None
        case.learning = (learning or "").strip()
        case.closure_left_open = left
        case.save(
            update_fields=[
                "status",
                "closed_at",
                "outcome",
                "closure_summary",
                "next_review_on",
                "learning",
                "closure_left_open",
            ]
        )
        case.learning_themes.set(found_themes)
        _event(
            case=case,
            kind=CaseEvent.Kind.CLOSED,
            summary=f"Case closed: {chosen.name}"
            + (f" ({len(left)} item{'s' if len(left) != 1 else ''} left open)" if left else ""),
            by=by,
            detail={
                "from": before,
                "outcome": chosen.code,
                "themes": sorted(theme.code for theme in found_themes),
                "left_open": [item["item"] for item in left],
            },
        )
        _changed(audit, case, "close", access_reason)
        return case


def acs_case_reopen(*, audit: AuditContext, case: AcsCase, reason: str) -> AcsCase:
    """Reopen a closed case (with a reason). Its previous outcome stays in the event log."""
    by, access_reason = _case_access(audit, case, "reopen")
    with transaction.atomic():
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
        previous: dict[str, Any] = {
            "outcome": case.outcome.code if case.outcome else "",
            "closed_at": str(case.closed_at),
            "learning": case.learning,
            "themes": sorted(case.learning_themes.values_list("code", flat=True)),
            "left_open": case.closure_left_open,
        }
        case.status = Status.OPEN
        case.closed_at = None
        case.outcome = None
        case.closure_summary = ""
        case.learning = ""
        case.closure_left_open = []
        if case.owner is None or not case.owner.has_perm(MANAGE):
            case.owner = by
        case.save(
            update_fields=[
                "status",
                "closed_at",
                "outcome",
                "closure_summary",
                "learning",
                "closure_left_open",
                "owner",
            ]
        )
        case.learning_themes.clear()
        _event(
            case=case,
            kind=CaseEvent.Kind.REOPENED,
            summary="Case reopened",
            by=by,
            detail={**previous, "reason": reason},
        )
        _changed(audit, case, "reopen", access_reason)
        return case


def acs_case_risk_set(
    *, audit: AuditContext, case: AcsCase, level: str, reason: str
) -> RiskAssessment:
    """Set the case's risk level; each setting is kept as its history."""
    by, access_reason = _case_access(audit, case, "risk")
    with transaction.atomic():
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
        _changed(audit, case, "risk", access_reason)
        return assessment


def acs_case_categories_set(
    *, audit: AuditContext, case: AcsCase, categories: list[str]
) -> AcsCase:
    """Replace the case's categories (codes). A case keeps at least one."""
    by, access_reason = _case_access(audit, case, "categories")
    with transaction.atomic():
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
        _changed(audit, case, "categories", access_reason)
        return case


def acs_case_review_set(*, audit: AuditContext, case: AcsCase, review_on: dt.date) -> AcsCase:
    """Set when the case is next reviewed (shown as due on the owner's caseload)."""
    by, access_reason = _case_access(audit, case, "review")
    with transaction.atomic():
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
        _changed(audit, case, "review", access_reason)
        return case


def acs_action_add(
    *, audit: AuditContext, case: AcsCase, description: str, owner: User | None, due_on: dt.date
) -> CaseAction:
    """Add an action with an owner and a due date to an open or monitoring case."""
    by, access_reason = _case_access(audit, case, "action")
    with transaction.atomic():
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
        _changed(audit, case, "action", access_reason)
        return action


def acs_action_complete(*, audit: AuditContext, action: CaseAction) -> CaseAction:
    """Mark an action done. Done is final."""
    by, access_reason = _case_access(audit, action.case, "action")
    with transaction.atomic():
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
        _changed(audit, case, "action", access_reason)
        return action


def acs_note_add(
    *, audit: AuditContext, case: AcsCase, text: str, corrects: CaseNote | None = None
) -> CaseNote:
    """Append a note. Notes are never edited: a correction is a new note pointing at the old."""
    by, access_reason = _case_access(audit, case, "note")
    with transaction.atomic():
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
        _changed(audit, case, "note", access_reason)
        return note


def acs_partner_referral_add(
    *,
    audit: AuditContext,
    case: AcsCase,
    organisation: str,
    referred_on: dt.date,
    consent: str,
    details: str = "",
) -> PartnerReferral:
    """Record a referral to a partner organisation (a PartnerOrganisation code)."""
    by, access_reason = _case_access(audit, case, "partner")
    with transaction.atomic():
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
        if errors or partner is None:
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
        _changed(audit, case, "partner", access_reason)
        return partner_referral


def acs_partner_referral_outcome_record(
    *, audit: AuditContext, partner_referral: PartnerReferral, outcome: str
) -> PartnerReferral:
    """Record what came of a partner referral (once)."""
    by, access_reason = _case_access(audit, partner_referral.case, "partner outcome")
    with transaction.atomic():
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
        _changed(audit, case, "partner outcome", access_reason)
        return partner_referral


def acs_visit_request(*, audit: AuditContext, case: AcsCase, reason: str) -> VisitRequest:
    """Ask the DWP Visiting Service to visit the customer."""
    by, access_reason = _case_access(audit, case, "visit")
    with transaction.atomic():
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
        _changed(audit, case, "visit", access_reason)
        return visit


def acs_case_escalate(*, audit: AuditContext, case: AcsCase, route: str, reason: str) -> Escalation:
    """Escalate to an Internal Process Review or the Serious Case Panel (also after closure)."""
    by, access_reason = _case_access(audit, case, "escalate")
    with transaction.atomic():
        case = _lock(case)
        if case.status == Status.REFERRED:
            raise ValidationError("Take or assign the case before you escalate it.")
        if route not in Escalation.Route.values:
            raise ValidationError({"route": "Choose where to escalate the case."})
        reason = _require_text(reason, "reason", "Say why the case is being escalated.")
        escalation = Escalation.objects.create(
            case=case, route=route, reason=reason, escalated_by=by
        )
        _event(
            case=case,
            kind=CaseEvent.Kind.ESCALATED,
            summary=f"Escalated to the {Escalation.Route(route).label}",
            by=by,
            detail={"escalation": escalation.pk, "route": route},
        )
        _changed(audit, case, "escalate", access_reason)
        return escalation


def _tracked_label(item: VisitRequest | Escalation) -> str:
    if isinstance(item, Escalation):
        return f"{Escalation.Route(item.route).label} escalation"
    return "Home visit"


TRACKED_MOVES: dict[str, set[str]] = {
    TrackedStatus.REQUESTED: set(TrackedStatus.values),
    TrackedStatus.ACCEPTED: {TrackedStatus.ACCEPTED, TrackedStatus.DONE, TrackedStatus.DECLINED},
}


class Keep(enum.Enum):
    """Leave a field of a tracked item as it is (acs_tracked_item_update's default owner)."""

    OWNER = "keep"


def acs_tracked_item_update(
    *,
    audit: AuditContext,
    item: VisitRequest | Escalation,
    status: str,
    owner: User | Literal[Keep.OWNER] | None = Keep.OWNER,
    scheduled_on: dt.date | None = None,
    outcome: str = "",
) -> VisitRequest | Escalation:
    """Move a visit request or an escalation on: requested -> accepted or scheduled (with the
    date of the visit, panel or review) -> done; or declined. Done and declined are final and
    need an outcome (what came of it, or why it was declined). Allowed after the case closes: a
    panel or visit may follow closure.

    `owner` is who coordinates it: a colleague, None for nobody (the item is unassigned; the
    case history and the audit say so), or Keep.OWNER (the default) to leave it as it is."""
    is_visit = isinstance(item, VisitRequest)
    name = "visit" if is_visit else "escalation"
    by, access_reason = _case_access(audit, item.case, name)
    with transaction.atomic():
        case = _lock(item.case)
        model = VisitRequest if is_visit else Escalation
        item = model.objects.select_for_update().get(pk=item.pk)
        label = _tracked_label(item)
        if item.status not in TRACKED_MOVES:
            raise ValidationError(
                f"This {label.lower()} is {item.get_status_display().lower()}: it cannot change."
            )
        errors: dict[str, str] = {}
        if status not in TRACKED_MOVES[item.status]:
            errors["status"] = "Choose where it has got to."
        outcome = (outcome or "").strip()
        if status in (TrackedStatus.DONE, TrackedStatus.DECLINED) and not outcome:
            errors["outcome"] = (
                "Say why it was declined"
                if status == TrackedStatus.DECLINED
                else "Say what came of it"
            )
        scheduled_on = scheduled_on or item.scheduled_on
        if status == TrackedStatus.ACCEPTED and scheduled_on is None:
            errors["scheduled_on"] = "Enter the date it is set for"
        if isinstance(owner, User) and not owner.is_active:
            errors["owner"] = "Choose a colleague who can coordinate it."
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        before = item.status
        if status != before:
            item.status_changed_at = now
        if status in (TrackedStatus.DONE, TrackedStatus.DECLINED):
            item.finished_at = now
        owner_before = item.owner
        item.status = status
        item.owner = owner_before if owner is Keep.OWNER else owner
        item.scheduled_on = scheduled_on
        item.outcome = outcome
        item.save(
            update_fields=[
                "status",
                "owner",
                "scheduled_on",
                "outcome",
                "status_changed_at",
                "finished_at",
            ]
        )
        summary = f"{label}: {TrackedStatus(status).label.lower()}"
        if status == TrackedStatus.ACCEPTED and item.scheduled_on:
            summary += f", set for {item.scheduled_on:%-d %B %Y}"
        if item.owner is not None:
            summary += f" (coordinated by {_name(item.owner)})"
        elif owner_before is not None:
            summary += f" (no longer coordinated by {_name(owner_before)}: nobody coordinates it)"
        detail: dict[str, Any] = {name: item.pk, "from": before, "to": status}
        if item.owner != owner_before:
            detail["owner"] = {
                "from": getattr(owner_before, "pk", None),
                "to": getattr(item.owner, "pk", None),
            }
        _event(
            case=case,
            kind=CaseEvent.Kind.VISIT_UPDATED if is_visit else CaseEvent.Kind.ESCALATION_UPDATED,
            summary=summary,
            by=by,
            detail=detail,
        )
        _changed(audit, case, name, access_reason)
        return item
