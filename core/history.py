"""Change history for domain tables, kept by database triggers (django-pghistory).

Triggers see every write — the ORM's, the sync's bulk COPY + INSERT … ON CONFLICT, raw SQL —
so nothing escapes the history. Each event row carries the pghistory context: the colleague and
URL for web requests (pghistory's HistoryMiddleware), or the sync run for sync writes.
"""

import pghistory
import pghistory.models
from django.db import models

from core.partitioning import RangePartitioning


class HistoryEvent(pghistory.models.Event):
    """Every change-history table: a 64-bit id (pghistory's own is 32-bit, 2.1 billion rows),
    and the table partitioned by month on when the event was written (core/partitioning.py)."""

    pgh_id = models.BigAutoField(primary_key=True)

    partitioning = RangePartitioning(column="pgh_created_at", interval="month", retention="history")

    class Meta:
        abstract = True


def track_changes[ModelT: type[models.Model]](model: ModelT) -> ModelT:
    """Record an event row for every insert, update (of any field) and delete of `model`."""
    return pghistory.track(
        pghistory.InsertEvent(),
        # No "did any field change" condition: at statement level it joins the OLD and NEW
        # transition tables, which the planner (no statistics) does in a nested loop —
        # quadratic, 7.7 s for one 1,869-row sync update. Our bulk writes update changed rows
        # only (IS DISTINCT FROM / version guards), so every update event is a real write.
        pghistory.UpdateEvent(condition=None),
        pghistory.DeleteEvent(),
        # One set-based INSERT … SELECT from the statement's transition tables per statement:
        # row-level triggers made the sync's bulk upserts quadratic (20,000 payments: 16 s
        # with row triggers, under 1 s without; see ADR 0004).
        level=pghistory.Statement,
        # "events" (pghistory's default) is taken by domain event logs on some models.
        obj_field=pghistory.ObjForeignKey(related_name="change_history"),
        base_model=HistoryEvent,
        # pghistory names the model after its base model: keep "<Model>Event".
        model_name=f"{model.__name__}Event",
    )(model)
