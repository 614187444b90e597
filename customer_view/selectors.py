"""The customer page assembled: the record, each benefit's card and payments, support needs,
the timeline and what changed since the colleague last looked; and search results with their
need icons.

The customer passed in comes from customers.selectors.customer_get_for_user (access checked and
audited there); what is read here about it needs no further audit.
"""

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from pghistory.models import Events

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.selectors import can_see_customer_viewers, customer_viewers_for
from audit.services import access_record
from benefits.selectors import (
    AwardChange,
    BenefitCard,
    PaymentSummary,
    SourceFreshness,
    award_changes_since,
    benefit_cards_for,
    payment_summary_for,
    source_freshness_list,
)
from customer_view.timeline import (
    ChangeGroup,
    TimelinePage,
    timeline_changes_since,
    timeline_page_get,
)
from customers.models import (
    Benefit,
    Customer,
    CustomerVisit,
    Interaction,
    SourceIdentity,
    search_name_for,
)
from customers.nino import is_valid_nino, normalise_nino
from customers.selectors import (
    RECORD_INTERACTION_PERMISSION,
    SearchResult,
    customer_access_refuse,
    customer_get_for_user,
)
from support_needs.selectors import (
    NeedIcon,
    NeedPanel,
    need_icons_for_customers,
    support_need_panel,
)


@dataclass
class Difference:
    field: str
    portal_value: str
    sources: list[tuple[str, str, bool]]  # (source label, its value, differs from the portal)


def _address(record: Customer | SourceIdentity) -> str:
    parts = [record.address_line_1, record.address_line_2, record.town, record.postcode]
    return ", ".join(p for p in parts if p)


def _comparable(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def identity_differences(
    *, customer: Customer, identities: list[SourceIdentity]
) -> list[Difference]:
    """Where the legacy systems' copies of name, date of birth or address disagree."""
    # (label, the value as shown, the value as compared)
    fields: list[
        tuple[
            str,
            Callable[[Customer | SourceIdentity], str],
            Callable[[Customer | SourceIdentity], object],
        ]
    ] = [
        (
            "Name",
            lambda r: " ".join(p for p in (r.first_name, r.middle_names, r.last_name) if p),
            lambda r: search_name_for(r.first_name, r.middle_names, r.last_name),
        ),
        (
            "Date of birth",
            lambda r: f"{r.date_of_birth:%-d %B %Y}" if r.date_of_birth else "Not held",
            lambda r: r.date_of_birth,
        ),
        ("Address", lambda r: _address(r) or "Not held", lambda r: _comparable(_address(r))),
    ]
    differences = []
    for label, show, key in fields:
        portal_key = key(customer)
        rows = [
            (identity.get_source_display(), show(identity), key(identity) != portal_key)
            for identity in identities
        ]
        if any(differs for _, _, differs in rows):
            differences.append(Difference(field=label, portal_value=show(customer), sources=rows))
    return differences


@dataclass
class AwardUpdate:
    """A benefit award synced again since the colleague last looked, and what changed on it."""

    card: BenefitCard
    changes: list[AwardChange] | None  # None: the award is new since then


@dataclass
class CustomerPage:
    customer: Customer
    cards: list[BenefitCard]
    freshness: dict[str, SourceFreshness]
    payments: PaymentSummary
    identities: list[SourceIdentity]
    differences: list[Difference]
    timeline: TimelinePage
    previous_visit: dt.datetime | None
    changes: list[ChangeGroup]
    updated_cards: list[BenefitCard]
    award_updates: list[AwardUpdate]
    can_record_interaction: bool
    need_panel: NeedPanel

    @property
    def stale_sources(self) -> list[SourceFreshness]:
        """Sources of the benefits this customer holds that are stale or failed."""
        return [card.freshness for card in self.cards if card.freshness.warning]

    @property
    def uc_support_needs(self) -> list[dict[str, Any]]:
        """UC's additional support area as synced, when the sync provides it."""
        for card in self.cards:
            if card.benefit == Benefit.UC:
                return list(getattr(card.award, "support_needs", None) or [])
        return []


def interactions_for_customer(*, customer: Customer) -> QuerySet[Interaction]:
    """The customer's interactions, newest first (the caller pages). `customer` must come from
    customer_get_for_user (access checked and audited)."""
    return customer.interactions.select_related("recorded_by").order_by("-recorded_at", "-id")


def customer_visit_previous(*, customer: Customer, audit: AuditContext) -> dt.datetime | None:
    """When the colleague acting in `audit` last opened this customer (None: never, or no
    colleague)."""
    if audit.user is None:
        return None
    visit = CustomerVisit.objects.filter(customer=customer, user=audit.user).first()
    return visit.last_opened_at if visit else None


def customer_page_get(
    *,
    customer: Customer,
    audit: AuditContext,
    previous_visit: dt.datetime | None,
    timeline_type: str = "",
    timeline_benefit: str = "",
    timeline_page: int = 1,
) -> CustomerPage:
    """Everything on the customer page, in a fixed number of queries.

    `customer` must come from customer_get_for_user (access checked, awards loaded).
    """
    freshness = source_freshness_list()
    payments = payment_summary_for(customer=customer)
    cards = benefit_cards_for(customer=customer, freshness=freshness, payments=payments)
    identities = list(customer.identities.order_by("source"))
    changes: list[ChangeGroup] = []
    updated_cards: list[BenefitCard] = []
    award_updates: list[AwardUpdate] = []
    if previous_visit is not None:
        changes = timeline_changes_since(customer=customer, audit=audit, since=previous_visit)
        updated_cards = [c for c in cards if c.award.synced_at > previous_visit]
        award_updates = [
            AwardUpdate(
                card=card,
                changes=award_changes_since(
                    benefit=card.benefit, award=card.award, since=previous_visit
                ),
            )
            for card in updated_cards
        ]
    return CustomerPage(
        customer=customer,
        cards=cards,
        freshness=freshness,
        payments=payments,
        identities=identities,
        differences=identity_differences(customer=customer, identities=identities),
        timeline=timeline_page_get(
            customer=customer,
            audit=audit,
            type=timeline_type,
            benefit=timeline_benefit,
            page=timeline_page,
        ),
        previous_visit=previous_visit,
        changes=changes,
        updated_cards=updated_cards,
        award_updates=[u for u in award_updates if u.changes is None or u.changes],
        can_record_interaction=audit.has_perm(RECORD_INTERACTION_PERMISSION),
        need_panel=support_need_panel(customer=customer, audit=audit),
    )


# --- Search results ---------------------------------------------------------------------------


@dataclass
class SearchRow:
    """A search result with the need icons the colleague may see for it."""

    result: SearchResult
    need_icons: list[NeedIcon]

    @property
    def customer(self) -> Customer:
        return self.result.customer

    @property
    def hidden(self) -> bool:
        return self.result.hidden

    @property
    def benefit_labels(self) -> list[str]:
        return self.result.benefit_labels


def search_rows(*, results: list[SearchResult], audit: AuditContext) -> list[SearchRow]:
    """Search results with need icons, in one query; none for a hidden (restricted) match."""
    shown = [r.customer.pk for r in results if not r.hidden]
    icons = (
        need_icons_for_customers(customer_ids=shown, audit=audit)
        if shown and audit.user is not None
        else {}
    )
    return [SearchRow(result=r, need_icons=icons.get(r.customer.pk, [])) for r in results]


# --- Who viewed this record -------------------------------------------------------------------


def customer_viewers_get(
    *, public_id: uuid.UUID | str, audit: AuditContext
) -> tuple[Customer, QuerySet[AccessEvent]]:
    """The customer and every recorded look at (or refusal of) their record, for a colleague
    who may see who viewed it. Anyone else is refused, and the refusal logged, before the record
    is opened (so nobody is asked for a restricted record's reason only to be refused)."""
    what = "who viewed this record"
    if not can_see_customer_viewers(audit.user):
        customer_access_refuse(
            public_id=public_id, audit=audit, what=what, why="role may not see who viewed a record"
        )
    customer = customer_get_for_user(
        public_id=public_id, audit=audit, what=what, action=AccessEvent.Action.VIEW_FRAGMENT
    )
    return customer, customer_viewers_for(customer_id=customer.pk, audit=audit)


# --- Change history in admin ------------------------------------------------------------------


def change_history_for_admin(
    *, audit: AuditContext, nino: str, events: QuerySet[Events]
) -> QuerySet[Events]:
    """The change-history events (pghistory) of the customer with this NINO and of every row
    that points at it; the look is audited. Nothing until a customer is named: the union of
    every event table is not a list anyone needs, and each look must be about one record."""
    normalised = normalise_nino(nino)
    customer = (
        Customer.objects.filter(nino=normalised).first() if is_valid_nino(normalised) else None
    )
    if customer is None:
        return events.none()
    access_record(
        audit=audit,
        action=AccessEvent.Action.VIEW_FRAGMENT,
        what="change history (admin)",
        customer=customer,
    )
    # `events` is pghistory's EventsQuerySet (the admin's queryset), whose references() the
    # QuerySet[Events] type does not know; pghistory ships no annotations.
    referencing: QuerySet[Events] = events.references(customer)  # type: ignore[attr-defined]
    return referencing
