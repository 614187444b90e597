"""ACS reads, with the access rules and the access audit inside: who may see a case, a
caseload, the triage queue or the figures, and the access event each read writes.

Every colleague may refer a customer they can open and see that a case exists and its status.
Only colleagues with acs.manage_acs_case (ACSSLs, team leaders) read cases: notes, actions, risk.
A restricted customer's case needs customers.view_restricted_customer and a reason given for the
record (audit.reason_for); a colleague who is not cleared is refused, and the refusal logged.
Selectors take the AuditContext of the request, task or command; the user is audit.user.
"""

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from acs.figures_selectors import (
    TO_FIRST_ACTION,
    FigureTable,
    figures_base_tables,
    figures_tables,
    suppress_below,
    suppressed,
)
from acs.models import (
    URGENCY_RANK,
    AcsCase,
    CaseAction,
    CaseCategory,
    CaseEvent,
    CaseNote,
    CaseOutcome,
    Escalation,
    Referral,
    VisitRequest,
)
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Customer
from customers.selectors import (
    ReasonRequired,
    RestrictedRecord,
    customer_access_refuse,
    customer_get_for_user,
)

MANAGE = "acs.manage_acs_case"
REFER = "acs.refer_customer"
VIEW_TEAM = "acs.view_team_caseload"
VIEW_FIGURES = "acs.view_acs_figures"
VIEW_RESTRICTED = "customers.view_restricted_customer"
VIEW_RESTRICTED_NEED = "support_needs.view_restricted_need"
REFERRED_SUMMARY_UNCLEARED = "Referred to an ACSSL"
Status = AcsCase.Status
Action = AccessEvent.Action

# Events every colleague who can open the customer sees on the timeline: existence and status.
COLLEAGUE_VISIBLE_EVENTS = (
    CaseEvent.Kind.REFERRED,
    CaseEvent.Kind.ASSIGNED,
    CaseEvent.Kind.STATUS_CHANGED,
    CaseEvent.Kind.CLOSED,
    CaseEvent.Kind.REOPENED,
)

URGENCY_ORDER = Case(
    *(When(urgency=urgency, then=Value(rank)) for urgency, rank in URGENCY_RANK.items()),
    output_field=IntegerField(),
)


# --- Access: the one place ACS applies the rules of a customer record ----------------------


def acs_permission_require(*, audit: AuditContext, permission: str, what: str) -> None:
    """Refuse (and log the refusal) unless the colleague's role has `permission`."""
    if not audit.has_perm(permission):
        customer_access_refuse(
            audit=audit,
            what=what,
            why=f"role may not ({permission})",
            message=f"Your role may not do this ({permission}).",
        )


def acs_customer_access_check(
    *, audit: AuditContext, customer: Customer, what: str, reason_required: bool = True
) -> str:
    """The restricted-record rule for anything ACS shows or changes of a case's customer (the
    rule customers.selectors.customer_get_for_user applies to the record, here for a customer
    already loaded with the case); returns the reason that opens the record ("" when the
    record is not restricted).

    Not cleared: the refusal is logged and RestrictedRecord raised. Cleared but no reason given
    (in this request or earlier in the session): ReasonRequired, which asks for it.
    """
    if not customer.restricted:
        return ""
    if not audit.has_perm(VIEW_RESTRICTED):
        customer_access_refuse(
            audit=audit,
            what=what,
            why="restricted record",
            customer=customer,
            message="This record is restricted.",
            refusal=RestrictedRecord,
        )
    reason = audit.reason_for(customer.public_id)
    if not reason and reason_required:
        raise ReasonRequired(customer)
    return reason


def acs_restricted_names_shown(*, audit: AuditContext) -> bool:
    """Whether a list shows a restricted customer's name to this colleague (the pages' rule,
    templates/acs/includes/customer_name.html): only to colleagues cleared for restricted
    records. Opening the case still needs a reason."""
    return audit.has_perm(VIEW_RESTRICTED)


def acs_referral_customer_get(*, public_id: uuid.UUID, audit: AuditContext) -> Customer:
    """The customer a colleague is about to refer, for the referral form: the customer record's
    own rules (customers.selectors.customer_get_for_user), audited as a fragment."""
    what = "acs referral form"
    acs_permission_require(audit=audit, permission=REFER, what=what)
    return customer_get_for_user(
        public_id=public_id, audit=audit, what=what, action=Action.VIEW_FRAGMENT
    )


# --- A case --------------------------------------------------------------------------------


def _case_with_everything() -> QuerySet[AcsCase]:
    return AcsCase.objects.select_related("customer", "owner", "outcome").prefetch_related(
        "categories",
        "learning_themes",
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("referred_by")
            .prefetch_related("categories")
            .order_by("created_at"),
        ),
        "risk_history__assessed_by",
        Prefetch(
            "actions",
            queryset=CaseAction.objects.select_related("owner", "completed_by").order_by(
                F("completed_at").asc(nulls_first=True), "due_on", "pk"
            ),
        ),
        Prefetch("notes", queryset=CaseNote.objects.select_related("author", "corrects__author")),
        "partner_referrals__organisation",
        Prefetch(
            "visit_requests",
            queryset=VisitRequest.objects.select_related("requested_by", "owner"),
        ),
        Prefetch(
            "escalations", queryset=Escalation.objects.select_related("escalated_by", "owner")
        ),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
    )


def acs_case_get(*, public_id: uuid.UUID, audit: AuditContext, what: str = "acs case") -> AcsCase:
    """One case with everything its page shows, in a fixed number of queries; access checked
    (role, restricted record, reason) and the read audited with the reason that opened it."""
    acs_permission_require(audit=audit, permission=MANAGE, what=what)
    case = _case_with_everything().filter(public_id=public_id).first()
    if case is None:
        raise Http404("No such case.")
    reason = acs_customer_access_check(audit=audit, customer=case.customer, what=what)
    access_record(
        audit=audit,
        action=Action.VIEW_CUSTOMER,
        what=what,
        customer=case.customer,
        detail={"case": case.reference},
        reason=reason,
    )
    return case


def acs_case_get_for_change(*, public_id: uuid.UUID, audit: AuditContext, what: str) -> AcsCase:
    """The case a colleague is about to change, with the access a read of it needs (role,
    restricted record refused and logged, reason asked for) checked first.

    It writes no read event: nothing of the case is shown from it. The service that changes the
    case writes the change; a form shown again reads the case through acs_case_get.
    """
    acs_permission_require(audit=audit, permission=MANAGE, what=what)
    case = (
        AcsCase.objects.select_related("customer")
        .prefetch_related(
            "notes",
            "actions",
            "partner_referrals__organisation",
            "visit_requests",
            "escalations",
        )
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    acs_customer_access_check(audit=audit, customer=case.customer, what=what)
    return case


@dataclass(frozen=True)
class PendingItem:
    """Something still open on a case: closing needs a reason for leaving each one."""

    key: str  # "action_12", "partner_3", "visit_4", "escalation_5"
    label: str


def acs_case_pending(*, case: AcsCase) -> list[PendingItem]:
    """What is still open on a case already read through acs_case_get or
    acs_case_get_for_change (no access event here): open actions, partner referrals whose
    outcome is not known, and visits and escalations not done or declined."""
    pending = [
        PendingItem(
            f"action_{action.pk}",
            f"Action not done: {action.description} (due {action.due_on:%-d %B %Y})",
        )
        for action in case.actions.all()
        if action.completed_at is None
    ]
    pending += [
        PendingItem(
            f"partner_{partner.pk}",
            f"{partner.organisation.name} referral of {partner.referred_on:%-d %B %Y}:"
            " outcome not yet known",
        )
        for partner in case.partner_referrals.all()
        if partner.outcome_recorded_at is None
    ]
    pending += [
        PendingItem(
            f"visit_{visit.pk}",
            f"Home visit requested {timezone.localtime(visit.requested_at):%-d %B %Y}:"
            f" {visit.get_status_display().lower()}",
        )
        for visit in case.visit_requests.all()
        if visit.is_open
    ]
    pending += [
        PendingItem(
            f"escalation_{escalation.pk}",
            f"{escalation.get_route_display()} of"
            f" {timezone.localtime(escalation.escalated_at):%-d %B %Y}:"
            f" {escalation.get_status_display().lower()}",
        )
        for escalation in case.escalations.all()
        if escalation.is_open
    ]
    return pending


# --- What the customer page shows of ACS ---------------------------------------------------
# These read alongside a customer record already opened through the customer selector (which
# checked access and wrote the access event): they apply what the colleague acting in `audit`
# may know of the case and write no access event of their own.


def acs_case_owner_for_customer(*, customer: Customer, audit: AuditContext) -> User | None:
    """Who owns the customer's active ACS case, if anyone: whom a colleague should contact
    about the customer's restricted markers (one query). Any colleague may know it."""
    case = (
        AcsCase.objects.filter(
            customer=customer, status__in=(Status.OPEN, Status.MONITORING), owner__isnull=False
        )
        .select_related("owner")
        .order_by("-referred_at")
        .first()
    )
    return case.owner if case else None


def acs_case_summary_for_customer(
    *, customer: Customer, audit: AuditContext
) -> dict[str, Any] | None:
    """What any colleague may know: is there a case, and its status (the active one first)."""
    case = (
        AcsCase.objects.filter(customer=customer)
        .order_by(Case(When(status=Status.CLOSED, then=Value(1)), default=Value(0)), "-referred_at")
        .first()
    )
    if case is None:
        return None
    return {
        "reference": case.reference,
        "status": case.status,
        "status_label": case.get_status_display(),
        "active": case.status != Status.CLOSED,
        "public_id": case.public_id if audit.has_perm(MANAGE) else None,
    }


def acs_timeline_events(
    *,
    customer: Customer,
    audit: AuditContext,
    limit: int = 50,
    since: dt.datetime | None = None,
) -> list[CaseEvent]:
    """Case events for the customer's timeline (one query); colleagues who cannot read cases
    see only existence and status events.

    A referral's summary names what caused it (a Six Point Plan record, a support signal) and
    how urgent it is: that tells of a restricted marker, so colleagues not cleared for
    restricted needs read only "Referred to an ACSSL" (the summary is changed in memory only;
    case events are never saved again).
    """
    events = CaseEvent.objects.filter(customer=customer).select_related("case", "actor")
    if since is not None:
        events = events.filter(occurred_at__gt=since)
    if not audit.has_perm(MANAGE):
        events = events.filter(kind__in=COLLEAGUE_VISIBLE_EVENTS)
    found = list(events.order_by("-occurred_at", "-pk")[:limit])
    if not audit.has_perm(VIEW_RESTRICTED_NEED):
        for event in found:
            if event.kind == CaseEvent.Kind.REFERRED:
                event.summary = REFERRED_SUMMARY_UNCLEARED
    return found


# --- Triage and caseloads ------------------------------------------------------------------


def acs_triage_queue(*, audit: AuditContext) -> QuerySet[AcsCase]:
    """Unassigned referred cases: most urgent first, then oldest first (the caller pages).

    Audited with the number of cases waiting (one count query)."""
    what = "acs triage"
    acs_permission_require(audit=audit, permission=MANAGE, what=what)
    queue = AcsCase.objects.filter(status=Status.REFERRED, owner__isnull=True)
    access_record(
        audit=audit, action=Action.VIEW_FRAGMENT, what=what, detail={"cases": queue.count()}
    )
    return (
        queue.select_related("customer")
        .prefetch_related("categories")
        .annotate(urgency_rank=URGENCY_ORDER, referral_count=Count("referrals"))
        .order_by("urgency_rank", "referred_at")
    )


def acs_case_owners() -> QuerySet[User]:
    """Colleagues who may own cases (ACSSLs and team leaders), for the assign lists."""
    user_model: type[User] = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="manage_acs_case")
            | Q(user_permissions__codename="manage_acs_case")
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _with_caseload_counts(cases: QuerySet[AcsCase], today: dt.date) -> QuerySet[AcsCase]:
    return cases.annotate(
        overdue_actions=Count(
            "actions", filter=Q(actions__completed_at__isnull=True, actions__due_on__lt=today)
        ),
        open_actions=Count("actions", filter=Q(actions__completed_at__isnull=True)),
    )


@dataclass
class Caseload:
    cases: list[AcsCase]
    overdue_actions: list[CaseAction]
    reviews_due: list[AcsCase]


def acs_caseload_for_user(*, audit: AuditContext) -> Caseload:
    """ "My cases": the colleague's open and monitoring cases, overdue actions, reviews due."""
    what = "acs my cases"
    acs_permission_require(audit=audit, permission=MANAGE, what=what)
    user = audit.user
    today = timezone.localdate()
    cases = list(
        _with_caseload_counts(
            AcsCase.objects.filter(owner=user, status__in=(Status.OPEN, Status.MONITORING)),
            today,
        )
        .select_related("customer")
        .order_by(F("next_review_on").asc(nulls_last=True), "referred_at")
    )
    overdue = list(
        CaseAction.objects.filter(owner=user, completed_at__isnull=True, due_on__lt=today)
        .exclude(case__status=Status.CLOSED)
        .select_related("case__customer")
        .order_by("due_on")
    )
    reviews_due = [c for c in cases if c.next_review_on and c.next_review_on <= today]
    access_record(audit=audit, action=Action.VIEW_FRAGMENT, what=what, detail={"cases": len(cases)})
    return Caseload(cases=cases, overdue_actions=overdue, reviews_due=reviews_due)


@dataclass
class OwnerCaseload:
    owner: User
    open: int = 0
    monitoring: int = 0
    overdue_actions: int = 0
    reviews_due: int = 0
    escalations: int = 0


def acs_team_caseload(*, audit: AuditContext) -> dict[str, Any]:
    """A team leader's view: every ACSSL's caseload, overdue actions and escalations."""
    what = "acs team caseload"
    acs_permission_require(audit=audit, permission=VIEW_TEAM, what=what)
    today = timezone.localdate()
    rows: dict[int, OwnerCaseload] = {
        owner.pk: OwnerCaseload(owner=owner) for owner in acs_case_owners()
    }
    active = AcsCase.objects.filter(status__in=(Status.OPEN, Status.MONITORING))
    for owner_id, status, count in active.values_list("owner", "status").annotate(n=Count("pk")):
        row = rows.get(owner_id)
        if row is not None:
            setattr(row, status, count)
    for owner_id, count in (
        CaseAction.objects.filter(completed_at__isnull=True, due_on__lt=today)
        .exclude(case__status=Status.CLOSED)
        .values_list("case__owner")
        .annotate(n=Count("pk"))
    ):
        if owner_id in rows:
            rows[owner_id].overdue_actions = count
    for owner_id, count in (
        active.filter(next_review_on__lte=today).values_list("owner").annotate(n=Count("pk"))
    ):
        if owner_id in rows:
            rows[owner_id].reviews_due = count
    for owner_id, count in (
        active.filter(escalations__isnull=False)
        .values_list("owner")
        .annotate(n=Count("pk", distinct=True))
    ):
        if owner_id in rows:
            rows[owner_id].escalations = count
    escalated = list(
        active.filter(escalations__isnull=False)
        .select_related("customer", "owner")
        .distinct()
        .order_by("referred_at")
    )
    access_record(
        audit=audit, action=Action.VIEW_FRAGMENT, what=what, detail={"escalated": len(escalated)}
    )
    return {
        "owners": list(rows.values()),
        "unassigned": AcsCase.objects.filter(status=Status.REFERRED).count(),
        "escalated_cases": escalated,
    }


# Figures for publication ------------------------------------------------------------------


@dataclass
class Figures:
    date_from: dt.date
    date_to: dt.date
    # (month start, referred, opened, closed)
    by_month: list[tuple[dt.date, int, int, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_outcome: list[tuple[str, int]] = field(default_factory=list)
    # Working hours from referral to first action (the "timeliness" table's row).
    median_hours_to_first_action: float | None = None
    cases_with_an_action: int = 0
    actions_due: int = 0
    overdue_open: int = 0
    overdue_completed_late: int = 0
    # Every table (the published ones, then those that teach), each with its own CSV.
    tables: list[FigureTable] = field(default_factory=list)

    def table(self, slug: str) -> FigureTable | None:
        return next((table for table in self.tables if table.slug == slug), None)

    @property
    def totals(self) -> tuple[int, int, int]:
        rows = self.by_month
        return (
            sum(row[1] for row in rows),
            sum(row[2] for row in rows),
            sum(row[3] for row in rows),
        )

    @property
    def overdue_total(self) -> int:
        return self.overdue_open + self.overdue_completed_late


def _months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    months: list[dt.date] = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _count_by_month(
    cases: QuerySet[AcsCase], moment: str, span: tuple[dt.date, dt.date]
) -> Counter[dt.date]:
    rows = (
        cases.filter(**{f"{moment}__date__range": span})
        .annotate(month=TruncMonth(moment))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    return Counter({timezone.localtime(month).date(): n for month, n in rows})


def _figures(*, date_from: dt.date, date_to: dt.date) -> Figures:
    """Every figure for cases in the range, exact (no access check, no event: the selectors
    below do both)."""
    span = (date_from, date_to)
    cases = AcsCase.objects.all()
    referred = _count_by_month(cases, "referred_at", span)
    opened = _count_by_month(cases, "opened_at", span)
    closed = _count_by_month(cases.filter(status=Status.CLOSED), "closed_at", span)
    figures = Figures(date_from=date_from, date_to=date_to)
    figures.by_month = [
        (month, referred[month], opened[month], closed[month])
        for month in _months(date_from, date_to)
    ]
    referred_in_range = cases.filter(referred_at__date__range=span)
    category_counts = dict(
        CaseCategory.objects.filter(cases__in=referred_in_range)
        .values_list("name")
        .annotate(n=Count("cases"))
    )
    figures.by_category = [
        (name, category_counts.get(name, 0))
        for name in CaseCategory.objects.values_list("name", flat=True)
        if category_counts.get(name)
    ]
    outcome_counts = dict(
        CaseOutcome.objects.filter(cases__status=Status.CLOSED, cases__closed_at__date__range=span)
        .values_list("name")
        .annotate(n=Count("cases"))
    )
    figures.by_outcome = [
        (name, outcome_counts[name])
        for name in CaseOutcome.objects.values_list("name", flat=True)
        if outcome_counts.get(name)
    ]
    today = timezone.localdate()
    due = CaseAction.objects.filter(due_on__range=span)
    figures.actions_due = due.count()
    figures.overdue_open = due.filter(completed_at__isnull=True, due_on__lt=today).count()
    figures.overdue_completed_late = due.filter(completed_at__date__gt=F("due_on")).count()
    figures.tables = figures_base_tables(
        by_month=figures.by_month,
        by_category=figures.by_category,
        by_outcome=figures.by_outcome,
        overdue=(figures.actions_due, figures.overdue_open, figures.overdue_completed_late),
    ) + figures_tables(date_from=date_from, date_to=date_to, today=today)
    timeliness = figures.table("timeliness")
    first_action = timeliness.row(TO_FIRST_ACTION) if timeliness is not None else None
    if first_action is not None:
        measured, median = first_action[1], first_action[2]
        figures.cases_with_an_action = measured if isinstance(measured, int) else 0
        figures.median_hours_to_first_action = median if isinstance(median, float) else None
    return figures


def _range_detail(date_from: dt.date, date_to: dt.date) -> dict[str, str]:
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}


def acs_figures(*, audit: AuditContext, date_from: dt.date, date_to: dt.date) -> Figures:
    """The figures for cases in a date range (inclusive, UK dates), exact, for the figures page
    (ACSSLs and team leaders, who may open every case; audited as a read).

    - referred / opened / closed: cases by the month of referral, opening, closure.
    - by category: cases referred in the range, per category (a case may have several).
    - by outcome: cases closed in the range, per outcome.
    - median working hours from referral to first action: cases referred in the range with an
      action, in working time as the triage targets (figures_selectors, "timeliness").
    - overdue actions: actions due in the range not done by their due date (still open, or
      completed late).
    - the tables that teach (figures_selectors.figures_tables).
    """
    what = "acs figures"
    acs_permission_require(audit=audit, permission=VIEW_FIGURES, what=what)
    figures = _figures(date_from=date_from, date_to=date_to)
    access_record(
        audit=audit,
        action=Action.VIEW_FRAGMENT,
        what=what,
        detail=_range_detail(date_from, date_to),
    )
    return figures


@dataclass(frozen=True)
class FiguresExport:
    """The figures as they leave the portal (a CSV download, the API): tables only, each with
    its small counts suppressed (figures_selectors.suppressed)."""

    date_from: dt.date
    date_to: dt.date
    tables: list[FigureTable]
    suppress_below: int

    def table(self, slug: str) -> FigureTable | None:
        return next((table for table in self.tables if table.slug == slug), None)


def acs_figures_export(
    *, audit: AuditContext, date_from: dt.date, date_to: dt.date
) -> FiguresExport:
    """Every figure table for the range with small counts suppressed, for every export path
    (the CSV downloads and the API). Audited as EXPORT, whatever the channel."""
    what = "acs figures export"
    acs_permission_require(audit=audit, permission=VIEW_FIGURES, what=what)
    figures = _figures(date_from=date_from, date_to=date_to)
    exported = FiguresExport(
        date_from=date_from,
        date_to=date_to,
        tables=[suppressed(table) for table in figures.tables],
        suppress_below=suppress_below(),
    )
    access_record(
        audit=audit, action=Action.EXPORT, what=what, detail=_range_detail(date_from, date_to)
    )
    return exported
