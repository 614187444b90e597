"""The change history every write to a need leaves (SupportNeedChange)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from benefits.models import SyncRun
from support_needs.models import SupportNeed, SupportNeedChange


def need_change_add(
    *,
    need: SupportNeed,
    action: str,
    by: User | None = None,
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


def jsonable(value: Any) -> Any:
    """A field's value as history keeps it (dates as ISO strings)."""
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
