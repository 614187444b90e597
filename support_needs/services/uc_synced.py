"""UC's additional support needs, brought into the panel by the sync with source UC."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from benefits.models import SyncRun, UniversalCreditAward
from support_needs.models import Consent, HowLearned, NeedType, SupportNeed, SupportNeedChange
from support_needs.services.history import need_change_add
from support_needs.services.signals import support_signals_compute


@dataclass
class UcNeedsSyncResult:
    added: int = 0
    joined: int = 0
    changed: int = 0
    removed: int = 0
    unknown_codes: dict[str, int] = field(default_factory=dict)


def first_review_due(*, recorded: dt.date, every_days: int, today: dt.date) -> dt.date:
    """When the portal first reviews a need UC recorded on `recorded`: the need falls for review
    every `every_days` from that day, and the first review is the first of those on or after
    the day the need reaches the portal. Never before it was recorded, and a need UC recorded
    years ago does not arrive already overdue."""
    step = max(every_days, 1)
    cycles = max(1, -(-(today - recorded).days // step))  # ceiling: the first on or after today
    return recorded + dt.timedelta(days=step * cycles)


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
                    review_due=first_review_due(
                        recorded=entry["recorded"] or today,
                        every_days=need_type.review_period_days,
                        today=today,
                    ),
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
                need_change_add(
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
                need_change_add(
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
            need_change_add(
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
