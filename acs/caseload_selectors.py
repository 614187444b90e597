"""ACS reads for a colleague's first page: their cases by what is due, the triage queue by
urgency with how long each referral has waited, and referrals past their triage target.

Access as in acs.selectors: acs.manage_acs_case to see cases and the queue (a refusal is
logged); the referrals past target for everyone's queue are listed to team leaders
(acs.view_team_caseload). Each read writes its access event here.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Least
from django.utils import timezone

from acs.models import TRACKED_OPEN, AcsCase, CaseAction, Escalation, Urgency, VisitRequest
from acs.selectors import MANAGE, URGENCY_ORDER, VIEW_TEAM, acs_permission_require
from acs.working_time import TriageTarget, triage_target
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record

Status = AcsCase.Status
# The queue shown on the first page; the triage page lists the rest.
QUEUE_PREVIEW = 10
# Past-target referrals are read from the oldest untriaged referrals, at most this many.
PAST_TARGET_SCAN = 500


@dataclass(frozen=True)
class QueuedReferral:
    case: AcsCase
    target: TriageTarget


@dataclass
class FirstPage:
    """What an ACSSL or team leader sees first."""

    cases: list[AcsCase]
    overdue_actions: list[CaseAction]
    reviews_due: list[AcsCase]
    # (urgency, label, count) for every urgency, most urgent first.
    queue_counts: list[tuple[str, str, int]]
    queue: list[QueuedReferral]
    # Only for team leaders: every untriaged referral past its target (None: not shown).
    past_target: list[QueuedReferral] | None = None
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def queue_total(self) -> int:
        return sum(count for _, _, count in self.queue_counts)

    @property
    def overdue_cases(self) -> list[AcsCase]:
        return [case for case in self.cases if getattr(case, "overdue", False)]


def _untriaged() -> QuerySet[AcsCase]:
    return AcsCase.objects.filter(status=Status.REFERRED, owner__isnull=True)


def _queued(cases: Sequence[AcsCase], now: dt.datetime) -> list[QueuedReferral]:
    return [
        QueuedReferral(
            case=case,
            target=triage_target(urgency=case.urgency, referred_at=case.referred_at, now=now),
        )
        for case in cases
    ]


def acs_my_cases_by_due(*, user_id: int, today: dt.date) -> list[AcsCase]:
    """The colleague's open and monitoring cases, what is due first: each case's `next_due` is
    the earlier of its first open action's due date and its review date; `overdue` when that
    has passed. Cases with nothing due come last, oldest referral first (one query)."""
    cases = (
        AcsCase.objects.filter(owner_id=user_id, status__in=(Status.OPEN, Status.MONITORING))
        .annotate(
            first_action_due=Min("actions__due_on", filter=Q(actions__completed_at__isnull=True)),
            open_actions=Count("actions", filter=Q(actions__completed_at__isnull=True)),
            overdue_actions=Count(
                "actions",
                filter=Q(actions__completed_at__isnull=True, actions__due_on__lt=today),
            ),
        )
        # PostgreSQL's LEAST ignores NULLs: a case with only one of the two has that one.
        .annotate(next_due=Least("first_action_due", "next_review_on"))
        .select_related("customer")
        .order_by(F("next_due").asc(nulls_last=True), "referred_at", "pk")
    )
    found: list[AcsCase] = list(cases)
    for case in found:
        next_due: dt.date | None = getattr(case, "next_due", None)
        case.overdue = next_due is not None and next_due < today  # type: ignore[attr-defined]
        case.review_due = bool(case.next_review_on and case.next_review_on <= today)  # type: ignore[attr-defined]
    return found


def acs_first_page(*, audit: AuditContext, now: dt.datetime | None = None) -> FirstPage:
    """The first page of a colleague who works cases (audited as one read)."""
    what = "acs first page"
    acs_permission_require(audit=audit, permission=MANAGE, what=what)
    now = now or timezone.now()
    today = timezone.localdate(now)
    user_id = audit.user.pk if audit.user is not None else 0
    cases = acs_my_cases_by_due(user_id=user_id, today=today)
    overdue_actions = list(
        CaseAction.objects.filter(owner_id=user_id, completed_at__isnull=True, due_on__lt=today)
        .exclude(case__status=Status.CLOSED)
        .select_related("case__customer")
        .order_by("due_on", "pk")
    )
    counts = dict(_untriaged().values_list("urgency").annotate(n=Count("pk")))
    queue_counts = [(u.value, u.label, counts.get(u.value, 0)) for u in Urgency]
    preview = list(
        _untriaged()
        .select_related("customer")
        .annotate(urgency_rank=URGENCY_ORDER)
        .order_by("urgency_rank", "referred_at", "pk")[:QUEUE_PREVIEW]
    )
    page = FirstPage(
        cases=cases,
        overdue_actions=overdue_actions,
        reviews_due=[case for case in cases if getattr(case, "review_due", False)],
        queue_counts=queue_counts,
        queue=_queued(preview, now),
        today=today,
    )
    if audit.has_perm(VIEW_TEAM):
        page.past_target = _past_target(now)
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what=what,
        detail={
            "cases": len(cases),
            "queue": page.queue_total,
            "past_target": len(page.past_target or ()),
        },
    )
    return page


def _past_target(now: dt.datetime) -> list[QueuedReferral]:
    oldest = list(
        _untriaged()
        .select_related("customer")
        .annotate(urgency_rank=URGENCY_ORDER)
        .order_by("referred_at", "pk")[:PAST_TARGET_SCAN]
    )
    late = [queued for queued in _queued(oldest, now) if queued.target.past]
    return sorted(late, key=lambda q: (q.case.urgency_rank, q.target.due_at))  # type: ignore[attr-defined]


def acs_triage_past_target(
    *, audit: AuditContext, now: dt.datetime | None = None
) -> list[QueuedReferral]:
    """Untriaged referrals past their triage target, most urgent and most overdue first: a
    team leader's list (audited)."""
    what = "acs triage past target"
    acs_permission_require(audit=audit, permission=VIEW_TEAM, what=what)
    late = _past_target(now or timezone.now())
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what=what,
        detail={"cases": len(late)},
    )
    return late


def acs_triage_targets(
    *, cases: list[AcsCase], now: dt.datetime | None = None
) -> list[QueuedReferral]:
    """The triage target of each case of a page of the queue already read (and audited)
    through acs.selectors.acs_triage_queue: no query, no access event."""
    return _queued(cases, now or timezone.now())


def acs_untriaged_immediate_count(*, audit: AuditContext) -> int:
    """How many Immediate referrals nobody has taken, for the navigation (one count query).

    A number of cases names no customer and is polled every minute: it writes no access event
    (a colleague whose role may not see it is refused, and that refusal is logged)."""
    acs_permission_require(audit=audit, permission=MANAGE, what="acs triage count")
    return _untriaged().filter(urgency=Urgency.IMMEDIATE).count()


TRACKED_KINDS: dict[str, type[VisitRequest] | type[Escalation]] = {
    "visits": VisitRequest,
    "escalations": Escalation,
}


def acs_tracked_items(
    *, audit: AuditContext, kind: str, show_all: bool = False
) -> QuerySet[VisitRequest] | QuerySet[Escalation]:
    """Home visit requests ("visits") or escalations ("escalations") across every case, for
    whoever coordinates the visits or the panel: open ones (requested, accepted or scheduled)
    by the date they are set for, then the oldest request; `show_all` adds the finished ones,
    newest first. The caller pages; audited as one read with how many there are (one count
    query)."""
    what = f"acs {kind} list"
    acs_permission_require(audit=audit, permission=MANAGE, what=what)
    model = TRACKED_KINDS[kind]
    moment = "requested_at" if model is VisitRequest else "escalated_at"
    by = "requested_by" if model is VisitRequest else "escalated_by"
    items = model.objects.select_related("case__customer", "case__owner", "owner", by)
    if not show_all:
        items = items.filter(status__in=TRACKED_OPEN)
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what=what,
        detail={"items": items.count(), "all": show_all},
    )
    return items.order_by(
        F("finished_at").desc(nulls_first=True),
        F("scheduled_on").asc(nulls_last=True),
        moment,
        "pk",
    )
