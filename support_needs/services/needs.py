"""Writes for the needs a colleague records: record, update, review and end a need.

Every write is atomic, validated, leaves history on the need (SupportNeedChange), writes its
access-audit entry and recomputes the customer's support signals. Refusals raise
ValidationError (bad input) or PermissionDenied (the colleague's role does not allow it; the
refusal is logged).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from customers.models import Customer
from support_needs.models import (
    MAX_REVIEW_DAYS,
    Consent,
    FieldSet,
    HowLearned,
    NeedType,
    SupportNeed,
    SupportNeedChange,
)
from support_needs.services.access import (
    change_record,
    marker_clearance_require,
    need_access_require,
    recorder_require,
    text_require,
)
from support_needs.services.history import jsonable, need_change_add
from support_needs.services.signals import support_signals_compute

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


def _type_fields_validate(need_type: NeedType, values: dict[str, Any]) -> dict[str, Any]:
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


def support_need_record(
    *,
    customer: Customer,
    audit: AuditContext,
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
) -> SupportNeed:
    """Record a need. If UC already holds the same need, this joins it (one need, both sources);
    if a colleague already recorded it, update that one instead."""
    what = "support need record"
    recorder_require(audit=audit, customer=customer, what=what)
    if not need_type.active:
        raise ValidationError({"need_type": "This type of need is no longer in use."})
    if need_type.restricted:
        marker_clearance_require(
            audit=audit,
            customer=customer,
            what=what,
            message=(
                "Restricted markers are recorded by an ACSSL: record a Six Point Plan or refer."
            ),
        )
    with transaction.atomic():
        if how_learned == HowLearned.UC:
            raise ValidationError({"how_learned": "Needs from UC arrive by sync."})
        values = _type_fields_validate(
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
                k: [jsonable(getattr(need, k)), jsonable(v)]
                for k, v in values.items()
                if getattr(need, k) != v
            }
            for key, value in values.items():
                setattr(need, key, value)
            need.from_portal = True
            need.recorded_by = audit.user
            need.full_clean()
            need.save()
            need_change_add(
                need=need,
                action=SupportNeedChange.Action.RECORDED,
                by=audit.user,
                changes=changes,
                note="Also recorded by a colleague (UC holds it too).",
            )
        else:
            need = SupportNeed(
                customer=customer,
                need_type=need_type,
                from_portal=True,
                recorded_by=audit.user,
                recorded_at=now,
                review_due=timezone.localdate() + dt.timedelta(days=need_type.review_period_days),
                **values,
            )
            need.full_clean()
            need.save()
            need_change_add(
                need=need,
                action=SupportNeedChange.Action.RECORDED,
                by=audit.user,
                changes={k: [None, jsonable(v)] for k, v in values.items() if v not in ("", False)},
            )
        change_record(
            audit=audit,
            customer=customer,
            what="support need recorded",
            detail={"need": str(need.public_id), "type": need_type.code},
        )
        support_signals_compute(customer_ids=[customer.pk])
        return need


def support_need_update(*, need: SupportNeed, audit: AuditContext, **fields: Any) -> SupportNeed:
    """Change a need's details or type-specific fields; history keeps what changed."""
    need_access_require(audit=audit, need=need, what="support need update")
    with transaction.atomic():
        need = SupportNeed.objects.select_for_update().select_related("need_type").get(pk=need.pk)
        if need.status != SupportNeed.Status.ACTIVE:
            raise ValidationError("This need has ended: record it again if it applies again.")
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}")
        current = {k: getattr(need, k) for k in EDITABLE_FIELDS}
        values = _type_fields_validate(need.need_type, {**current, **fields})
        if values.get("how_learned") == HowLearned.UC and current["how_learned"] != HowLearned.UC:
            raise ValidationError({"how_learned": "Needs from UC arrive by sync."})
        changes = {
            k: [jsonable(current[k]), jsonable(v)] for k, v in values.items() if current[k] != v
        }
        if not changes:
            raise ValidationError("Nothing has changed.")
        for key, value in values.items():
            setattr(need, key, value)
        need.from_portal = True
        need.full_clean()
        need.save()
        need_change_add(
            need=need, action=SupportNeedChange.Action.UPDATED, by=audit.user, changes=changes
        )
        change_record(
            audit=audit,
            customer=need.customer,
            what="support need updated",
            detail={"need": str(need.public_id), "fields": sorted(changes)},
        )
        return need


def support_need_review(
    *,
    need: SupportNeed,
    audit: AuditContext,
    note: str = "",
    next_review: dt.date | None = None,
) -> SupportNeed:
    """Confirm the need still applies and set the next review date (by default the type's
    review period from today)."""
    need_access_require(audit=audit, need=need, what="support need review")
    with transaction.atomic():
        need = SupportNeed.objects.select_for_update().select_related("need_type").get(pk=need.pk)
        if need.status != SupportNeed.Status.ACTIVE:
            raise ValidationError("This need has ended: it cannot be reviewed.")
        today = timezone.localdate()
        if next_review is None:
            next_review = today + dt.timedelta(days=need.need_type.review_period_days)
        if next_review <= today:
            raise ValidationError({"next_review": "The next review must be after today."})
        if next_review > today + dt.timedelta(days=MAX_REVIEW_DAYS):
            raise ValidationError({"next_review": "The next review must be within two years."})
        previous = need.review_due
        need.review_due = next_review
        need.last_reviewed_at = timezone.now()
        need.last_reviewed_by = audit.user
        need.save(
            update_fields=["review_due", "last_reviewed_at", "last_reviewed_by", "updated_at"]
        )
        need_change_add(
            need=need,
            action=SupportNeedChange.Action.REVIEWED,
            by=audit.user,
            changes={"review_due": [jsonable(previous), jsonable(next_review)]},
            note=(note or "").strip(),
        )
        change_record(
            audit=audit,
            customer=need.customer,
            what="support need reviewed",
            detail={"need": str(need.public_id), "next_review": next_review.isoformat()},
        )
        return need


def support_need_end(*, need: SupportNeed, audit: AuditContext, reason: str) -> SupportNeed:
    """End a need that no longer applies; a reason is required."""
    need_access_require(audit=audit, need=need, what="support need end")
    with transaction.atomic():
        reason = text_require(reason, "reason", "Say why the need no longer applies.")
        need = SupportNeed.objects.select_for_update().select_related("need_type").get(pk=need.pk)
        if need.status != SupportNeed.Status.ACTIVE:
            raise ValidationError("This need has already ended.")
        need.status = SupportNeed.Status.ENDED
        need.ended_at = timezone.now()
        need.ended_by = audit.user
        need.end_reason = reason
        need.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "updated_at"])
        need_change_add(
            need=need,
            action=SupportNeedChange.Action.ENDED,
            by=audit.user,
            changes={"status": ["active", "ended"]},
            note=reason,
        )
        change_record(
            audit=audit,
            customer=need.customer,
            what="support need ended",
            detail={"need": str(need.public_id), "type": need.need_type.code},
        )
        support_signals_compute(customer_ids=[need.customer_id])
        return need
