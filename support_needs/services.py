"""Writes for support needs: record, update, review and end a need; UC's needs by sync; Six Point
Plan records; signals (compute, refer, dismiss) and large-arrears safeguards.

Every write is atomic, validated, leaves history on the need (SupportNeedChange) and writes an
access-audit entry for the colleague. Refusals raise ValidationError (bad input) or
PermissionDenied (the colleague's role does not allow it).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AccessEvent
from audit.services import access_record
from benefits.models import SyncRun, UniversalCreditAward
from customers.models import Customer
from support_needs import rules
from support_needs.models import (
    ArrearsSafeguard,
    Consent,
    FieldSet,
    HowLearned,
    NeedType,
    SignalRule,
    SixPointPlanRecord,
    SupportNeed,
    SupportNeedChange,
    SupportSignal,
)
from support_needs.selectors import (
    RECORD_NEED,
    VIEW_RESTRICTED_CUSTOMER,
    can_view_restricted_needs,
)

SIX_POINT_PLAN_CODE = "six-point-plan"
# Fields a colleague may change on a need, and what history calls them.
EDITABLE_FIELDS = (
    "details",
    "representative_name",
    "representative_relationship",
    "representative_contact",
    "representative_corporate",
    "format_detail",
    "interpreter_language",
    "visit_reason",
    "how_learned",
    "consent",
)
MAX_REVIEW_DAYS = 2 * 365


# --- helpers -------------------------------------------------------------------------------


def _require_recorder(*, by: Any, customer: Customer) -> None:
    if not (by.is_authenticated and by.is_active and by.has_perm(RECORD_NEED)):
        raise PermissionDenied("Your role cannot record support needs.")
    if customer.restricted and not by.has_perm(VIEW_RESTRICTED_CUSTOMER):
        raise PermissionDenied("Restricted record: you are not cleared to open it.")


def _require_need_access(*, need: SupportNeed, by: Any) -> None:
    _require_recorder(by=by, customer=need.customer)
    if need.need_type.restricted and not can_view_restricted_needs(by):
        raise PermissionDenied("Restricted marker: only an ACSSL or team leader can change it.")


def _text(value: str | None, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    return value


def _audit(
    *,
    by: Any,
    customer: Customer,
    what: str,
    detail: dict[str, Any],
    request: HttpRequest | None = None,
) -> None:
    """The access-audit entry for a colleague's change (with request id and address when a
    request is at hand; services are also called from shells and tasks)."""
    if request is not None:
        access_record(
            request=request,
            action=AccessEvent.Action.CHANGE,
            what=what,
            customer=customer,
            detail=detail,
        )
        return
    AccessEvent.objects.create(
        user=by,
        username=by.get_username(),
        action=AccessEvent.Action.CHANGE,
        what=what,
        customer=customer,
        detail=detail,
    )


def _history(
    *,
    need: SupportNeed,
    action: str,
    by: Any = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
    sync_run: SyncRun | None = None,
) -> SupportNeedChange:
    return SupportNeedChange.objects.create(
        need=need,
        action=action,
        by=by,
        sync_run=sync_run,
        at=timezone.now(),
        changes=changes or {},
        note=note,
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _validate_type_fields(need_type: NeedType, values: dict[str, Any]) -> dict[str, Any]:
    """Type-specific fields: required where the type needs them, cleared where it does not."""
    values = {
        k: (v.strip() if isinstance(v, str) else v)
        for k, v in values.items()
        if k in EDITABLE_FIELDS
    }
    errors: dict[str, str] = {}
    needs = need_type.field_set
    if needs == FieldSet.REPRESENTATIVE:
        if not values.get("representative_name"):
            errors["representative_name"] = "Enter who acts for the customer."
        if not values.get("representative_corporate") and not values.get(
            "representative_relationship"
        ):
            errors["representative_relationship"] = (
                "Enter their relationship to the customer (or say it is an organisation)."
            )
        if not values.get("representative_contact"):
            errors["representative_contact"] = "Enter how to contact them."
    else:
        for name in (
            "representative_name",
            "representative_relationship",
            "representative_contact",
        ):
            values[name] = ""
        values["representative_corporate"] = False
    if needs == FieldSet.ALTERNATIVE_FORMAT:
        if not values.get("format_detail"):
            errors["format_detail"] = (
                f"Enter the detail for {need_type.name.lower()} (for example, the print size)."
            )
    else:
        values["format_detail"] = ""
    if needs == FieldSet.INTERPRETER:
        if not values.get("interpreter_language"):
            errors["interpreter_language"] = "Enter the language."
    else:
        values["interpreter_language"] = ""
    if needs == FieldSet.VISIT:
        if not values.get("visit_reason"):
            errors["visit_reason"] = "Say why a home visit is needed."
    else:
        values["visit_reason"] = ""
    if "how_learned" in values and values["how_learned"] not in HowLearned.values:
        errors["how_learned"] = "Say how we learned about the need."
    if "consent" in values and values["consent"] not in Consent.values:
        errors["consent"] = "Say what the customer agreed to."
    if errors:
        raise ValidationError(errors)
    return values


# --- needs ---------------------------------------------------------------------------------


@transaction.atomic
def support_need_record(
    *,
    customer: Customer,
    by: Any,
    need_type: NeedType,
    details: str = "",
    how_learned: str,
    consent: str,
    representative_name: str = "",
    representative_relationship: str = "",
    representative_contact: str = "",
    representative_corporate: bool = False,
    format_detail: str = "",
    interpreter_language: str = "",
    visit_reason: str = "",
    request: HttpRequest | None = None,
) -> SupportNeed:
    """Record a need. If UC already holds the same need, this joins it (one need, both sources);
    if a colleague already recorded it, update that one instead."""
    _require_recorder(by=by, customer=customer)
    if not need_type.active:
        raise ValidationError({"need_type": "This type of need is no longer in use."})
    if need_type.restricted and not can_view_restricted_needs(by):
        raise PermissionDenied(
            "Restricted markers are recorded by an ACSSL: record a Six Point Plan or refer."
        )
    if how_learned == HowLearned.UC:
        raise ValidationError({"how_learned": "Needs from UC arrive by sync."})
    values = _validate_type_fields(
        need_type,
        {
            "details": details,
            "how_learned": how_learned,
            "consent": consent,
            "representative_name": representative_name,
            "representative_relationship": representative_relationship,
            "representative_contact": representative_contact,
            "representative_corporate": representative_corporate,
            "format_detail": format_detail,
            "interpreter_language": interpreter_language,
            "visit_reason": visit_reason,
        },
    )
    now = timezone.now()
    existing = (
        SupportNeed.objects.select_for_update()
        .filter(customer=customer, need_type=need_type, status=SupportNeed.Status.ACTIVE)
        .first()
    )
    if existing is not None and existing.from_portal:
        raise ValidationError(
            {"need_type": f"{need_type.name} is already recorded: update or review it instead."}
        )
    if existing is not None:
        # The same need from UC: one need with both sources.
        need = existing
        changes = {
            k: [_jsonable(getattr(need, k)), _jsonable(v)]
            for k, v in values.items()
            if getattr(need, k) != v
        }
        for key, value in values.items():
            setattr(need, key, value)
        need.from_portal = True
        need.recorded_by = by
        need.full_clean()
        need.save()
        _history(
            need=need,
            action=SupportNeedChange.Action.RECORDED,
            by=by,
            changes=changes,
            note="Also recorded by a colleague (UC holds it too).",
        )
    else:
        need = SupportNeed(
            customer=customer,
            need_type=need_type,
            from_portal=True,
            recorded_by=by,
            recorded_at=now,
            review_due=timezone.localdate() + dt.timedelta(days=need_type.default_review_days),
            **values,
        )
        need.full_clean()
        need.save()
        _history(
            need=need,
            action=SupportNeedChange.Action.RECORDED,
            by=by,
            changes={k: [None, _jsonable(v)] for k, v in values.items() if v not in ("", False)},
        )
    _audit(
        by=by,
        customer=customer,
        what="support need recorded",
        detail={"need": str(need.public_id), "type": need_type.code},
        request=request,
    )
    support_signals_compute(customer_ids=[customer.pk])
    return need


@transaction.atomic
def support_need_update(
    *, need: SupportNeed, by: Any, request: HttpRequest | None = None, **fields: Any
) -> SupportNeed:
    """Change a need's details or type-specific fields; history keeps what changed."""
    _require_need_access(need=need, by=by)
    need = SupportNeed.objects.select_for_update().select_related("need_type").get(pk=need.pk)
    if need.status != SupportNeed.Status.ACTIVE:
        raise ValidationError("This need has ended: record it again if it applies again.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
    current = {k: getattr(need, k) for k in EDITABLE_FIELDS}
    values = _validate_type_fields(need.need_type, {**current, **fields})
    if values.get("how_learned") == HowLearned.UC and current["how_learned"] != HowLearned.UC:
        raise ValidationError({"how_learned": "Needs from UC arrive by sync."})
    changes = {
        k: [_jsonable(current[k]), _jsonable(v)] for k, v in values.items() if current[k] != v
    }
    if not changes:
        raise ValidationError("Nothing has changed.")
    for key, value in values.items():
        setattr(need, key, value)
    need.from_portal = True
    need.full_clean()
    need.save()
    _history(need=need, action=SupportNeedChange.Action.UPDATED, by=by, changes=changes)
    _audit(
        by=by,
        customer=need.customer,
        what="support need updated",
        detail={"need": str(need.public_id), "fields": sorted(changes)},
        request=request,
    )
    return need


@transaction.atomic
def support_need_review(
    *,
    need: SupportNeed,
    by: Any,
    note: str = "",
    next_review: dt.date | None = None,
    request: HttpRequest | None = None,
) -> SupportNeed:
    """Confirm the need still applies and set the next review date (by default the type's
    review period from today)."""
    _require_need_access(need=need, by=by)
    need = SupportNeed.objects.select_for_update().select_related("need_type").get(pk=need.pk)
    if need.status != SupportNeed.Status.ACTIVE:
        raise ValidationError("This need has ended: it cannot be reviewed.")
    today = timezone.localdate()
    if next_review is None:
        next_review = today + dt.timedelta(days=need.need_type.default_review_days)
    if next_review <= today:
        raise ValidationError({"next_review": "The next review must be after today."})
    if next_review > today + dt.timedelta(days=MAX_REVIEW_DAYS):
        raise ValidationError({"next_review": "The next review must be within two years."})
    previous = need.review_due
    need.review_due = next_review
    need.last_reviewed_at = timezone.now()
    need.last_reviewed_by = by
    need.save(update_fields=["review_due", "last_reviewed_at", "last_reviewed_by", "updated_at"])
    _history(
        need=need,
        action=SupportNeedChange.Action.REVIEWED,
        by=by,
        changes={"review_due": [_jsonable(previous), _jsonable(next_review)]},
        note=(note or "").strip(),
    )
    _audit(
        by=by,
        customer=need.customer,
        what="support need reviewed",
        detail={"need": str(need.public_id), "next_review": next_review.isoformat()},
        request=request,
    )
    return need


@transaction.atomic
def support_need_end(
    *, need: SupportNeed, by: Any, reason: str, request: HttpRequest | None = None
) -> SupportNeed:
    """End a need that no longer applies; a reason is required."""
    _require_need_access(need=need, by=by)
    reason = _text(reason, "reason", "Say why the need no longer applies.")
    need = SupportNeed.objects.select_for_update().select_related("need_type").get(pk=need.pk)
    if need.status != SupportNeed.Status.ACTIVE:
        raise ValidationError("This need has already ended.")
    need.status = SupportNeed.Status.ENDED
    need.ended_at = timezone.now()
    need.ended_by = by
    need.end_reason = reason
    need.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "updated_at"])
    _history(
        need=need,
        action=SupportNeedChange.Action.ENDED,
        by=by,
        changes={"status": ["active", "ended"]},
        note=reason,
    )
    _audit(
        by=by,
        customer=need.customer,
        what="support need ended",
        detail={"need": str(need.public_id), "type": need.need_type.code},
        request=request,
    )
    support_signals_compute(customer_ids=[need.customer_id])
    return need


# --- UC's additional support area, by sync ----------------------------------------------------


@dataclass
class UcNeedsSyncResult:
    added: int = 0
    joined: int = 0
    changed: int = 0
    removed: int = 0
    unknown_codes: dict[str, int] = field(default_factory=dict)


def _uc_entries(award: UniversalCreditAward | None) -> dict[str, dict[str, Any]]:
    """UC's needs by code, whatever the adapter called the keys."""
    entries: dict[str, dict[str, Any]] = {}
    for raw in (getattr(award, "support_needs", None) or []) if award else []:
        if not isinstance(raw, dict):
            continue
        code = str(raw.get("code") or raw.get("need_code") or "").strip().upper()
        if not code:
            continue
        recorded = raw.get("recorded_date") or raw.get("recorded_on") or raw.get("recorded")
        try:
            recorded_on = dt.date.fromisoformat(str(recorded)) if recorded else None
        except ValueError:
            recorded_on = None
        entries[code] = {"details": str(raw.get("details") or "").strip(), "recorded": recorded_on}
    return entries


@transaction.atomic
def support_needs_sync_from_uc(
    *, customer_ids: list[int], sync_run: SyncRun | None = None
) -> UcNeedsSyncResult:
    """Bring UC's additional support needs for these customers into the panel, with source UC,
    and keep them current: new ones added, changed details updated, ones UC no longer holds
    dropped from the UC source (and ended if no colleague recorded them). A need a colleague
    recorded and the same need from UC become one need with both sources.

    Idempotent: running it twice on the same data changes nothing. Call it after each UC sync
    page commits its awards (inside the page's transaction is fine).
    """
    result = UcNeedsSyncResult()
    if not customer_ids:
        return result
    types_by_uc_code = {t.uc_code: t for t in NeedType.objects.exclude(uc_code="")}
    awards = {
        a.customer_id: a for a in UniversalCreditAward.objects.filter(customer_id__in=customer_ids)
    }
    # Each customer's active needs by type: the loop below looks at one customer's only.
    active: dict[int, dict[int, SupportNeed]] = defaultdict(dict)
    for held in (
        SupportNeed.objects.select_for_update()
        .filter(customer_id__in=customer_ids, status=SupportNeed.Status.ACTIVE)
        .select_related("need_type")
    ):
        active[held.customer_id][held.need_type_id] = held
    now = timezone.now()
    today = timezone.localdate()
    # New needs are written in one statement each for the needs and their history: an initial
    # load brings thousands per page.
    new_needs: list[tuple[SupportNeed, str]] = []
    for customer_id in customer_ids:
        held_by_type = active.get(customer_id, {})
        wanted: set[int] = set()
        for code, entry in _uc_entries(awards.get(customer_id)).items():
            need_type = types_by_uc_code.get(code)
            if need_type is None:
                result.unknown_codes[code] = result.unknown_codes.get(code, 0) + 1
                continue
            wanted.add(need_type.pk)
            need = held_by_type.get(need_type.pk)
            if need is None:
                need = SupportNeed(
                    customer_id=customer_id,
                    need_type=need_type,
                    from_uc=True,
                    uc_details=entry["details"],
                    uc_recorded_on=entry["recorded"],
                    uc_sync_run=sync_run,
                    how_learned=HowLearned.UC,
                    consent=Consent.UC,
                    recorded_at=now,
                    review_due=(entry["recorded"] or today)
                    + dt.timedelta(days=need_type.default_review_days),
                )
                held_by_type[need_type.pk] = need
                new_needs.append((need, entry["details"]))
                result.added += 1
            elif not need.from_uc:
                need.from_uc = True
                need.uc_details = entry["details"]
                need.uc_recorded_on = entry["recorded"]
                need.uc_sync_run = sync_run
                need.save(
                    update_fields=[
                        "from_uc",
                        "uc_details",
                        "uc_recorded_on",
                        "uc_sync_run",
                        "updated_at",
                    ]
                )
                _history(
                    need=need,
                    action=SupportNeedChange.Action.UC_ADDED,
                    changes={"uc_details": [None, entry["details"]]},
                    note="UC holds this need too.",
                    sync_run=sync_run,
                )
                result.joined += 1
            elif need.pk is not None and (
                need.uc_details != entry["details"] or need.uc_recorded_on != entry["recorded"]
            ):
                changes = {"uc_details": [need.uc_details, entry["details"]]}
                need.uc_details = entry["details"]
                need.uc_recorded_on = entry["recorded"]
                need.uc_sync_run = sync_run
                need.save(
                    update_fields=["uc_details", "uc_recorded_on", "uc_sync_run", "updated_at"]
                )
                _history(
                    need=need,
                    action=SupportNeedChange.Action.UC_CHANGED,
                    changes=changes,
                    sync_run=sync_run,
                )
                result.changed += 1
        for type_id, need in list(held_by_type.items()):
            if need.pk is None or not need.from_uc or type_id in wanted:
                continue
            need.uc_sync_run = sync_run
            note = "No longer in UC's additional support area."
            if need.from_portal:
                need.from_uc = False
                fields = ["from_uc", "uc_sync_run", "updated_at"]
            else:
                # UC was its only source: the need ends with UC's record of it.
                need.status = SupportNeed.Status.ENDED
                need.ended_at = now
                need.end_reason = note
                fields = ["status", "ended_at", "end_reason", "uc_sync_run", "updated_at"]
                del held_by_type[type_id]
            need.save(update_fields=fields)
            _history(
                need=need, action=SupportNeedChange.Action.UC_REMOVED, note=note, sync_run=sync_run
            )
            result.removed += 1
    if new_needs:
        SupportNeed.objects.bulk_create([need for need, _ in new_needs])
        SupportNeedChange.objects.bulk_create(
            SupportNeedChange(
                need=need,
                action=SupportNeedChange.Action.UC_ADDED,
                sync_run=sync_run,
                at=now,
                changes={"uc_details": [None, details]},
            )
            for need, details in new_needs
        )
    support_signals_compute(customer_ids=customer_ids)
    return result


# --- ACS referral (acs.services) -------------------------------------------------------------


def _acs_referral_for(
    *,
    customer: Customer,
    by: Any,
    reason: str,
    urgency: str,
    categories: list[str],
    customer_agreed: str,
    source: str,
) -> int:
    """The one place support needs refer a customer to the ACSSL queue (issue 7's service)."""
    from acs.services import acs_referral_create

    referral = acs_referral_create(
        customer=customer,
        referred_by=by,
        reason=reason,
        urgency=urgency,
        categories=categories,
        customer_agreed=customer_agreed,
        source=source,
    )
    return referral.pk


# --- Six Point Plan --------------------------------------------------------------------------


@transaction.atomic
def six_point_plan_record(
    *,
    customer: Customer,
    by: Any,
    occurred_at: dt.datetime,
    support_partner: str,
    intent: str,
    immediate_risk: bool,
    emergency_services_called: bool,
    signposting: str,
    escalated_to: str,
    outcome: str,
    customer_agreed: str,
    location: str = "",
    contact_number: str = "",
    already_acted: bool = False,
    emergency_reference: str = "",
    request: HttpRequest | None = None,
) -> SixPointPlanRecord:
    """Record a Six Point Plan: a restricted marker for 90 days (extended if one is already in
    place) and a referral to the ACSSL queue (immediate when the risk was immediate)."""
    _require_recorder(by=by, customer=customer)
    now = timezone.now()
    errors: dict[str, str] = {}
    if occurred_at is None:
        errors["occurred_at"] = "Enter when the customer said it."
    elif occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = "The time cannot be in the future."
    elif occurred_at < now - dt.timedelta(days=rules.SIX_POINT_PLAN_DAYS):
        errors["occurred_at"] = "Record a Six Point Plan within 90 days of the contact."
    required = {
        "support_partner": (support_partner, "Enter who you brought in as support partner."),
        "intent": (intent, "Record what the customer said they intend."),
        "signposting": (signposting, "Record the support you signposted (e.g. Samaritans)."),
        "escalated_to": (escalated_to, "Record the manager or ACSSL you escalated to."),
        "outcome": (outcome, "Record the outcome of the call."),
        "customer_agreed": (customer_agreed, "Record what the customer agreed to."),
    }
    for name, (value, message) in required.items():
        if not (value or "").strip():
            errors[name] = message
    if emergency_services_called and not (emergency_reference or "").strip():
        errors["emergency_reference"] = (
            "Enter the emergency services reference or who you spoke to."
        )
    if errors:
        raise ValidationError(errors)

    marker_type = NeedType.objects.get(code=SIX_POINT_PLAN_CODE)
    expires = occurred_at.astimezone(dt.UTC).date() + dt.timedelta(days=rules.SIX_POINT_PLAN_DAYS)
    marker = (
        SupportNeed.objects.select_for_update()
        .filter(customer=customer, need_type=marker_type, status=SupportNeed.Status.ACTIVE)
        .first()
    )
    summary = f"Six Point Plan on {occurred_at:%-d %B %Y %H:%M}: {outcome.strip()}"
    if marker is None:
        marker = SupportNeed.objects.create(
            customer=customer,
            need_type=marker_type,
            from_portal=True,
            details=summary,
            how_learned=HowLearned.CUSTOMER,
            consent=Consent.NOT_ABLE,
            recorded_by=by,
            recorded_at=now,
            review_due=expires,
            expires_on=expires,
        )
        _history(
            need=marker,
            action=SupportNeedChange.Action.RECORDED,
            by=by,
            changes={"expires_on": [None, expires.isoformat()]},
            note="Six Point Plan recorded.",
        )
    else:
        previous = marker.expires_on
        marker.expires_on = max(previous or expires, expires)
        marker.review_due = marker.expires_on
        marker.details = summary
        marker.save(update_fields=["expires_on", "review_due", "details", "updated_at"])
        _history(
            need=marker,
            action=SupportNeedChange.Action.UPDATED,
            by=by,
            changes={"expires_on": [_jsonable(previous), marker.expires_on.isoformat()]},
            note="Another Six Point Plan recorded.",
        )
    record = SixPointPlanRecord.objects.create(
        customer=customer,
        recorded_by=by,
        recorded_at=now,
        occurred_at=occurred_at,
        support_partner=support_partner.strip(),
        location=location.strip(),
        contact_number=contact_number.strip(),
        intent=intent.strip(),
        already_acted=already_acted,
        immediate_risk=immediate_risk,
        emergency_services_called=emergency_services_called,
        emergency_reference=emergency_reference.strip(),
        signposting=signposting.strip(),
        escalated_to=escalated_to.strip(),
        outcome=outcome.strip(),
        marker=marker,
    )
    record.acs_referral_id = _acs_referral_for(
        customer=customer,
        by=by,
        reason=(
            f"Six Point Plan recorded: the customer expressed intent to harm themselves on "
            f"{occurred_at:%-d %B %Y %H:%M}."
            + (" Immediate risk; emergency services called." if immediate_risk else "")
        ),
        urgency="immediate" if immediate_risk else "urgent",
        categories=["suicide_self_harm"],
        customer_agreed=customer_agreed.strip(),
        source="six_point_plan",
    )
    record.save(update_fields=["acs_referral_id"])
    _audit(
        by=by,
        customer=customer,
        what="six point plan recorded",
        detail={"record": str(record.public_id), "referral": record.acs_referral_id},
        request=request,
    )
    support_signals_compute(customer_ids=[customer.pk])
    return record


# --- signals and safeguards ------------------------------------------------------------------


@dataclass
class SignalsResult:
    raised: int = 0
    cleared: int = 0
    safeguards_raised: int = 0


@transaction.atomic
def support_signals_compute(
    *, customer_ids: list[int], today: dt.date | None = None
) -> SignalsResult:
    """Run every rule for these customers: raise new signals (and a large-arrears safeguard for
    the team), clear open ones whose facts no longer hold. Call it whenever their data changes
    (after a sync page, a need recorded or ended, an interaction recorded). Idempotent."""
    result = SignalsResult()
    if not customer_ids:
        return result
    today = today or timezone.localdate()
    now = timezone.now()
    customer_ids = rules.customers_any_rule_could_apply_to(list(customer_ids), today)
    if not customer_ids:
        return result
    findings = rules.findings_for(customer_ids, today)
    existing = {
        (s.customer_id, s.rule, s.fact_key): s
        for s in SupportSignal.objects.select_for_update().filter(customer_id__in=customer_ids)
    }
    found_keys = set()
    for finding in findings:
        key = (finding.customer_id, finding.rule, finding.fact_key)
        found_keys.add(key)
        signal = existing.get(key)
        if signal is None:
            referral_id = finding.six_point_plan.acs_referral_id if finding.six_point_plan else None
            signal = SupportSignal.objects.create(
                customer_id=finding.customer_id,
                rule=finding.rule,
                fact_key=finding.fact_key,
                reason=finding.reason,
                restricted=finding.restricted,
                raised_at=now,
                # A Six Point Plan record has referred already.
                status=SupportSignal.Status.REFERRED if referral_id else SupportSignal.Status.OPEN,
                acs_referral_id=referral_id,
            )
            existing[key] = signal
            result.raised += 1
        elif signal.status == SupportSignal.Status.CLEARED:
            signal.status = SupportSignal.Status.OPEN
            signal.reason = finding.reason
            signal.restricted = finding.restricted
            signal.raised_at = now
            signal.save(update_fields=["status", "reason", "restricted", "raised_at"])
            result.raised += 1
        if finding.rule == SignalRule.LARGE_ARREARS_COMPLEX and finding.payment is not None:
            _, created = ArrearsSafeguard.objects.get_or_create(
                payment=finding.payment,
                defaults={
                    "customer_id": finding.customer_id,
                    "amount_pence": finding.payment.amount_pence,
                    "payment_date": finding.payment.payment_date,
                    "reason": finding.reason,
                    "restricted": finding.restricted,
                    "raised_at": now,
                },
            )
            result.safeguards_raised += int(created)
    for key, signal in existing.items():
        if key not in found_keys and signal.status == SupportSignal.Status.OPEN:
            signal.status = SupportSignal.Status.CLEARED
            signal.save(update_fields=["status"])
            result.cleared += 1
    return result


def _require_signal_access(*, signal: SupportSignal, by: Any) -> None:
    _require_recorder(by=by, customer=signal.customer)
    if signal.restricted and not can_view_restricted_needs(by):
        raise PermissionDenied("Restricted signal: only an ACSSL or team leader can act on it.")


@transaction.atomic
def support_signal_refer(
    *,
    signal: SupportSignal,
    by: Any,
    customer_agreed: str,
    urgency: str = "standard",
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportSignal:
    """Act on a signal by referring the customer to an ACSSL, with the signal's reason."""
    _require_signal_access(signal=signal, by=by)
    signal = SupportSignal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != SupportSignal.Status.OPEN:
        raise ValidationError("This signal has already been dealt with.")
    reason = f"Signal: {signal.get_rule_display()}. {signal.reason}"
    if (note or "").strip():
        reason += f"\n\nColleague's note: {note.strip()}"
    signal.acs_referral_id = _acs_referral_for(
        customer=signal.customer,
        by=by,
        reason=reason,
        urgency=urgency,
        categories=[],
        customer_agreed=_text(
            customer_agreed, "customer_agreed", "Say what the customer agreed to."
        ),
        source="signal",
    )
    signal.status = SupportSignal.Status.REFERRED
    signal.actioned_by = by
    signal.actioned_at = timezone.now()
    signal.save(update_fields=["acs_referral_id", "status", "actioned_by", "actioned_at"])
    _audit(
        by=by,
        customer=signal.customer,
        what="support signal referred",
        detail={"signal": str(signal.public_id), "rule": signal.rule},
        request=request,
    )
    return signal


@transaction.atomic
def support_signal_dismiss(
    *, signal: SupportSignal, by: Any, reason: str, request: HttpRequest | None = None
) -> SupportSignal:
    """Dismiss a signal; the reason is kept. The same facts never raise it again."""
    _require_signal_access(signal=signal, by=by)
    reason = _text(reason, "reason", "Say why no referral is needed.")
    signal = SupportSignal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != SupportSignal.Status.OPEN:
        raise ValidationError("This signal has already been dealt with.")
    signal.status = SupportSignal.Status.DISMISSED
    signal.dismiss_reason = reason
    signal.actioned_by = by
    signal.actioned_at = timezone.now()
    signal.save(update_fields=["status", "dismiss_reason", "actioned_by", "actioned_at"])
    _audit(
        by=by,
        customer=signal.customer,
        what="support signal dismissed",
        detail={"signal": str(signal.public_id), "rule": signal.rule},
        request=request,
    )
    return signal


@transaction.atomic
def arrears_safeguard_complete(
    *,
    safeguard: ArrearsSafeguard,
    by: Any,
    outcome: str,
    cancelled: bool = False,
    request: HttpRequest | None = None,
) -> ArrearsSafeguard:
    """Close the team's task: support offered before the payment (or no longer needed)."""
    _require_recorder(by=by, customer=safeguard.customer)
    if safeguard.restricted and not can_view_restricted_needs(by):
        # Raised from a restricted marker alone: its reason names the marker.
        raise PermissionDenied("Restricted safeguard: only an ACSSL or team leader can close it.")
    outcome = _text(outcome, "outcome", "Record what support was offered, and the answer.")
    safeguard = ArrearsSafeguard.objects.select_for_update().get(pk=safeguard.pk)
    if safeguard.status != ArrearsSafeguard.Status.OPEN:
        raise ValidationError("This safeguard is already closed.")
    safeguard.status = (
        ArrearsSafeguard.Status.CANCELLED if cancelled else ArrearsSafeguard.Status.DONE
    )
    safeguard.outcome = outcome
    safeguard.completed_by = by
    safeguard.completed_at = timezone.now()
    safeguard.save(update_fields=["status", "outcome", "completed_by", "completed_at"])
    _audit(
        by=by,
        customer=safeguard.customer,
        what="arrears safeguard closed",
        detail={"safeguard": str(safeguard.public_id), "status": safeguard.status},
        request=request,
    )
    return safeguard
