"""Reads for support needs, with the access rules inside.

Restricted needs and markers (Six Point Plan, risk of harm, Unacceptable Customer Behaviour) are
read only by colleagues with `support_needs.view_restricted_need`; everyone else learns that a
restricted marker exists and whom to contact, never what it is.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Customer, Interaction
from customers.selectors.access import customer_access_refuse, customer_get_for_user
from support_needs.hooks import RestrictedContactAsked, restricted_contact_asked
from support_needs.models import (
    ArrearsSafeguard,
    NeedType,
    Sensitivity,
    SixPointPlanRecord,
    SupportNeed,
    SupportNeedChange,
    SupportSignal,
)

VIEW_RESTRICTED_NEED = "support_needs.view_restricted_need"
RECORD_NEED = "support_needs.record_support_need"
VIEW_RESTRICTED_CUSTOMER = "customers.view_restricted_customer"
# Whom a colleague without clearance contacts about a restricted marker.
RESTRICTED_CONTACT = "your team's Advanced Customer Support Senior Leader (ACSSL) or team leader"
# The icon a colleague not cleared sees for a need they may not read: plain words in purple,
# never a red "!" that reads as "restricted record".
HIDDEN_NEED_ICON = "Ask ACSSL"
HIDDEN_NEED_NAME = "Sensitive support need: ask an ACSSL"
REVIEW_SOON_DAYS = 14
LIST_PAGE_SIZE = 25
# Whose needs "Support needs to review" lists: the colleague's own customers, their team's
# (the default), or every customer they may see.
REVIEW_SCOPES = {
    "mine": "Your customers",
    "team": "Your team's customers",
    "all": "All customers",
}
REVIEW_SCOPE_DEFAULT = "team"


def can_view_restricted_needs(user: User | AnonymousUser | None) -> bool:
    """`user` may be AnonymousUser in a template: hence not only User."""
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW_RESTRICTED_NEED))


def can_record_needs(user: User | AnonymousUser | None) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(RECORD_NEED)
    )


ROLE_MAY_NOT_RECORD = "role may not record support needs"
ROLE_MAY_NOT_RECORD_MESSAGE = "Your role cannot record support needs."


def _recorder_require(
    audit: AuditContext, *, what: str, public_id: UUID | str | None = None
) -> User:
    """The colleague, whose role works with customers' needs (the panel's pages are not for
    admins). A refusal is logged, against the customer with `public_id` if there is one."""
    if audit.user is None or not can_record_needs(audit.user):
        customer_access_refuse(
            audit=audit,
            what=what,
            why=ROLE_MAY_NOT_RECORD,
            public_id=public_id,
            message=ROLE_MAY_NOT_RECORD_MESSAGE,
        )
    return audit.user


def customer_get_for_needs(
    *, public_id: UUID | str, audit: AuditContext, what: str = "support needs panel"
) -> Customer:
    """The customer whose needs a colleague is working on: a role that records needs, then the
    customer page's own rule (customers.selectors.access.customer_get_for_user, which asks for the
    reason a restricted record needs), audited as a fragment view."""
    _recorder_require(audit, what=what, public_id=public_id)
    return customer_get_for_user(
        public_id=public_id, audit=audit, what=what, action=AccessEvent.Action.VIEW_FRAGMENT
    )


def _active(today: dt.date) -> Q:
    # A marker past its expiry date no longer applies, even before anything ends it.
    return Q(status=SupportNeed.Status.ACTIVE) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def support_need_get_for_user(
    *, customer: Customer, public_id: UUID | str, audit: AuditContext
) -> SupportNeed:
    """One of the customer's needs; restricted ones only for cleared colleagues."""
    try:
        need = SupportNeed.objects.select_related("need_type").get(
            customer=customer, public_id=public_id
        )
    except (SupportNeed.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such support need.") from missing
    if need.need_type.restricted and not can_view_restricted_needs(audit.user):
        customer_access_refuse(
            audit=audit,
            what="support need",
            why="restricted marker",
            customer=customer,
            message="Restricted marker: ask an ACSSL.",
        )
    return need


def support_signal_get_for_user(
    *, customer: Customer, public_id: UUID | str, audit: AuditContext
) -> SupportSignal:
    try:
        signal = SupportSignal.objects.get(customer=customer, public_id=public_id)
    except (SupportSignal.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such signal.") from missing
    if signal.restricted and not can_view_restricted_needs(audit.user):
        customer_access_refuse(
            audit=audit,
            what="support signal",
            why="restricted signal",
            customer=customer,
            message="Restricted signal: ask an ACSSL.",
        )
    return signal


def arrears_safeguard_get_for_user(
    *, customer: Customer, public_id: UUID | str, audit: AuditContext
) -> ArrearsSafeguard:
    """One of the customer's large-arrears safeguards (the customer already opened through
    customer_get_for_needs, which checked the record's restrictions). Another customer's
    safeguard is refused, and the refusal logged against the customer it belongs to: someone
    may be trying ids."""
    try:
        safeguard = ArrearsSafeguard.objects.select_related("customer").get(public_id=public_id)
    except (ArrearsSafeguard.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such safeguard.") from missing
    if safeguard.customer_id != customer.pk:
        customer_access_refuse(
            audit=audit,
            what="arrears safeguard",
            why="safeguard of another customer",
            customer=safeguard.customer,
            message="That safeguard is not this customer's.",
        )
    return safeguard


def need_types_for_user(*, audit: AuditContext) -> QuerySet[NeedType]:
    """Types a colleague may record: restricted markers only for cleared colleagues (others
    record a Six Point Plan or refer to an ACSSL)."""
    _recorder_require(audit, what="support need types")
    types = NeedType.objects.filter(active=True)
    if not can_view_restricted_needs(audit.user):
        types = types.exclude(sensitivity=Sensitivity.RESTRICTED)
    return types.order_by("category", "order", "name")


def _safeguards_shown(
    safeguards: Iterable[ArrearsSafeguard], *, cleared: bool
) -> list[ArrearsSafeguard]:
    """The safeguards as this colleague may read them: a restricted safeguard's reason names
    the marker that raised it, so for a colleague not cleared for markers it is emptied (in
    memory only: nothing saves a safeguard read here), and the page or API says a restricted
    marker applies instead."""
    shown = list(safeguards)
    if not cleared:
        for safeguard in shown:
            if safeguard.restricted:
                safeguard.reason = ""
    return shown


@dataclass
class NeedPanel:
    """Everything the support-needs panel shows for one customer to one colleague."""

    customer: Customer
    needs: list[SupportNeed]
    ended: list[SupportNeed]
    restricted_hidden: int
    signals: list[SupportSignal]
    restricted_signals_hidden: int
    safeguards: list[ArrearsSafeguard]
    can_record: bool
    can_view_restricted: bool
    restricted_contact: str = RESTRICTED_CONTACT
    review_soon: dt.date = field(default_factory=dt.date.today)
    # The ACSSL who owns the customer's active ACS case, when something restricted is hidden.
    case_owner: str = ""

    @property
    def restricted_speak_to(self) -> str:
        """Whom a colleague not cleared for a hidden marker speaks to first."""
        if self.case_owner:
            owner = f"{self.case_owner}, the ACSSL who owns their ACS case"
            return f"{owner}, or {self.restricted_contact}"
        return self.restricted_contact

    @property
    def icons(self) -> list["NeedIcon"]:
        """Icons for the identity bar, from what the panel already loaded (no query)."""
        icons = [
            NeedIcon(n.need_type.code, n.need_type.icon, n.need_type.name, n.need_type.restricted)
            for n in self.needs
        ]
        if self.restricted_hidden:
            icons.append(NeedIcon("restricted", HIDDEN_NEED_ICON, HIDDEN_NEED_NAME, True))
        return icons


def support_need_panel(
    *, customer: Customer, audit: AuditContext, ended_limit: int = 10
) -> NeedPanel:
    """The panel for a customer in a fixed number of queries, however many needs and changes.
    `customer` was opened through a selector that checked access and wrote the access event."""
    today = timezone.localdate()
    cleared = can_view_restricted_needs(audit.user)
    history = Prefetch(
        "changes",
        queryset=SupportNeedChange.objects.select_related("by").order_by("-at", "-pk"),
    )
    all_needs = list(
        SupportNeed.objects.filter(customer=customer)
        .select_related("need_type", "recorded_by", "last_reviewed_by", "ended_by")
        .prefetch_related(history)
        .order_by("need_type__category", "need_type__order", "-recorded_at")
    )
    active_ids = {
        need.pk
        for need in all_needs
        if need.status == SupportNeed.Status.ACTIVE
        and (need.expires_on is None or need.expires_on >= today)
    }
    visible = [n for n in all_needs if cleared or not n.need_type.restricted]
    hidden = (
        0 if cleared else sum(1 for n in all_needs if n.pk in active_ids and n.need_type.restricted)
    )
    signals = list(
        SupportSignal.objects.filter(customer=customer, status=SupportSignal.Status.OPEN).order_by(
            "-raised_at"
        )
    )
    signals_hidden = 0 if cleared else sum(1 for s in signals if s.restricted)
    case_owner = ""
    if hidden or signals_hidden:
        answers = restricted_contact_asked.announce(
            RestrictedContactAsked(customer=customer, audit=audit)
        )
        case_owner = next((name for name in answers if name), "")
    return NeedPanel(
        customer=customer,
        needs=[n for n in visible if n.pk in active_ids],
        ended=[n for n in visible if n.pk not in active_ids][:ended_limit],
        restricted_hidden=hidden,
        signals=[s for s in signals if cleared or not s.restricted],
        restricted_signals_hidden=signals_hidden,
        safeguards=_safeguards_shown(
            ArrearsSafeguard.objects.filter(
                customer=customer, status=ArrearsSafeguard.Status.OPEN
            ).order_by("payment_date"),
            cleared=cleared,
        ),
        can_record=can_record_needs(audit.user),
        can_view_restricted=cleared,
        review_soon=today + dt.timedelta(days=REVIEW_SOON_DAYS),
        case_owner=case_owner,
    )


@dataclass
class NeedIcon:
    code: str
    icon: str
    name: str
    restricted: bool


def need_icons_for_customers(
    *, customer_ids: list[int], audit: AuditContext
) -> dict[int, list[NeedIcon]]:
    """Icons for search results and the identity bar: one query for any number of customers.
    A colleague without clearance gets one "restricted marker" icon, never which marker."""
    today = timezone.localdate()
    cleared = can_view_restricted_needs(audit.user)
    rows = (
        SupportNeed.objects.filter(_active(today), customer_id__in=customer_ids)
        .order_by("customer_id", "need_type__category", "need_type__order")
        .values_list(
            "customer_id",
            "need_type__code",
            "need_type__icon",
            "need_type__name",
            "need_type__sensitivity",
        )
    )
    icons: dict[int, list[NeedIcon]] = {customer_id: [] for customer_id in customer_ids}
    for customer_id, code, icon, name, sensitivity in rows:
        restricted = sensitivity == Sensitivity.RESTRICTED
        if restricted and not cleared:
            if not any(i.code == "restricted" for i in icons[customer_id]):
                icons[customer_id].append(
                    NeedIcon("restricted", HIDDEN_NEED_ICON, HIDDEN_NEED_NAME, True)
                )
            continue
        icons[customer_id].append(NeedIcon(code, icon or code[:3].upper(), name, restricted))
    return icons


def _customers_visible_to(audit: AuditContext) -> Q:
    return Q() if audit.has_perm(VIEW_RESTRICTED_CUSTOMER) else Q(customer__restricted=False)


def _list_page(
    *, audit: AuditContext, items: QuerySet[Any], page_number: str | int | None, what: str
) -> Page[Any]:
    """One page of a list that names customers: a read of customer data, audited by count."""
    page = Paginator(items, LIST_PAGE_SIZE).get_page(page_number)
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what=what,
        detail={"shown": len(page.object_list), "page": page.number},
    )
    return page


def _worked_on_by(colleagues: QuerySet[User]) -> Q:
    """Needs these colleagues recorded, updated or reviewed, or of a customer they recorded a
    contact with: the customers they work with."""
    return (
        Q(recorded_by__in=colleagues)
        | Q(Exists(SupportNeedChange.objects.filter(need=OuterRef("pk"), by__in=colleagues)))
        | Q(
            Exists(
                Interaction.objects.filter(
                    customer=OuterRef("customer_id"), recorded_by__in=colleagues
                )
            )
        )
    )


def review_scope_colleagues(*, user: User, scope: str) -> QuerySet[User] | None:
    """Whose customers a scope covers (None: everyone's). A colleague with no team is a team of
    one."""
    if scope == "all":
        return None
    if scope == "team" and user.team:
        return User.objects.filter(team=user.team)
    return User.objects.filter(pk=user.pk)


def six_point_plans_for_customer(
    *, customer: Customer, audit: AuditContext
) -> list[SixPointPlanRecord]:
    """Every Six Point Plan recorded for the customer, newest first, with all that was captured
    (the contact number, where the customer was, what they said, the emergency services'
    reference), for colleagues cleared for restricted needs (ACSSLs, team leaders). Anyone else
    gets nothing and nothing is read. A look that shows plans is logged against the customer.

    `customer` comes from the customer selector (record access checked and logged there)."""
    if not can_view_restricted_needs(audit.user):
        return []
    plans = list(
        SixPointPlanRecord.objects.filter(customer=customer)
        .select_related("recorded_by")
        .order_by("-occurred_at", "-pk")
    )
    if plans:
        access_record(
            audit=audit,
            action=AccessEvent.Action.VIEW_FRAGMENT,
            what="six point plans",
            customer=customer,
            detail={"shown": len(plans)},
        )
    return plans


def support_needs_review_page(
    *,
    audit: AuditContext,
    page_number: str | int | None = None,
    within_days: int = REVIEW_SOON_DAYS,
    scope: str = REVIEW_SCOPE_DEFAULT,
) -> Page[SupportNeed]:
    """Needs whose review is overdue or due within `within_days`, oldest first, a page at a
    time: of the colleague's own customers (`scope` "mine"), their team's ("team", the default)
    or everyone's ("all")."""
    what = "support needs reviews due"
    colleague = _recorder_require(audit, what=what)
    scope = scope if scope in REVIEW_SCOPES else REVIEW_SCOPE_DEFAULT
    today = timezone.localdate()
    needs = SupportNeed.objects.filter(
        _active(today), review_due__lte=today + dt.timedelta(days=within_days)
    )
    colleagues = review_scope_colleagues(user=colleague, scope=scope)
    if colleagues is not None:
        needs = needs.filter(_worked_on_by(colleagues))
    needs = (
        needs.filter(_customers_visible_to(audit))
        .select_related("need_type", "customer")
        .order_by("review_due", "pk")
    )
    if not can_view_restricted_needs(audit.user):
        needs = needs.exclude(need_type__sensitivity=Sensitivity.RESTRICTED)
    return _list_page(audit=audit, items=needs, page_number=page_number, what=what)


def arrears_safeguards_open_page(
    *, audit: AuditContext, page_number: str | int | None = None
) -> Page[ArrearsSafeguard]:
    """Open large-arrears safeguards for the team, soonest payment first, a page at a time."""
    what = "arrears safeguards open"
    _recorder_require(audit, what=what)
    safeguards = (
        ArrearsSafeguard.objects.filter(status=ArrearsSafeguard.Status.OPEN)
        .filter(_customers_visible_to(audit))
        .select_related("customer", "payment")
        .order_by("payment_date", "pk")
    )
    page = _list_page(audit=audit, items=safeguards, page_number=page_number, what=what)
    page.object_list = _safeguards_shown(
        page.object_list, cleared=can_view_restricted_needs(audit.user)
    )
    return page
