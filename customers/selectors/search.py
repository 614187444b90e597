"""Reads of customer data, with the access rules inside: a view cannot forget them.

Every function here that returns customer data writes an access event (audit.services).
"""

import datetime as dt
import itertools
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404, HttpRequest
from django.utils import timezone

from audit.models import AccessEvent
from audit.services import access_record
from benefits.selectors import (
    BenefitCard,
    PaymentSummary,
    SourceFreshness,
    award_prefetch_fields,
    benefit_cards_for,
    payment_summary_for,
    source_freshness_list,
)
from customers.models import (
    Benefit,
    Customer,
    CustomerNameWord,
    CustomerVisit,
    Interaction,
    SourceIdentity,
    search_name_for,
)
from customers.timeline import ChangeGroup, TimelinePage, timeline_changes_since, timeline_page_get
from support_needs.selectors import (
    NeedIcon,
    NeedPanel,
    need_icons_for_customers,
    support_need_panel,
)

VIEW_CUSTOMER_PERMISSION = "customers.view_customer"
VIEW_RESTRICTED_PERMISSION = "customers.view_restricted_customer"
RECORD_INTERACTION_PERMISSION = "customers.add_interaction"

# A reason given to open a restricted record lasts this long in the colleague's session.
RESTRICTED_REASON_TTL = dt.timedelta(minutes=30)
SESSION_REASONS_KEY = "restricted_reasons"

SEARCH_LIMIT = 100  # more than this: ask for a date of birth or postcode
# Lower than pg_trgm's defaults (0.3 / 0.6) so that two typos in a short name still match;
# the ranking puts the close matches first.
NAME_SIMILARITY_THRESHOLD = 0.25
WORD_SIMILARITY_THRESHOLD = 0.5
# A typed word finds the names in the lexicon (CustomerNameWord) this similar to it, or whose
# word it is this like ("john" is 0.4 like "jonathan"); a narrowing only, the ranking decides.
LEXICON_WORD_SIMILARITY_THRESHOLD = 0.4
# If no typed word is that like any surname, the words that are not first names try again.
LEXICON_RETRY_SIMILARITY_THRESHOLD = 0.15
MAX_NAME_BRANCHES = 16  # per word tried as the surname (each other word: first name or surname)
# Initials, and words past the longest five, are only ranked: a name of many short words
# would otherwise multiply the branches (8 single letters: 3 s at 1M customers).
LEXICON_MIN_WORD_LENGTH = 2
LEXICON_MAX_WORDS = 5


class RestrictedRecord(PermissionDenied):
    """The record is restricted and the colleague is not cleared to open it."""


class ReasonRequired(Exception):
    """The colleague may open this restricted record, but must first say why."""

    def __init__(self, customer: Customer) -> None:
        super().__init__("A reason is needed to open this restricted record.")
        self.customer = customer


def customer_access_require(*, user: Any, request: HttpRequest, what: str) -> None:
    """Refuse (and log the refusal) unless the colleague's role opens customer records."""
    if not user.has_perm(VIEW_CUSTOMER_PERMISSION):
        access_record(
            request=request,
            action=AccessEvent.Action.REFUSED,
            what=what,
            detail={"why": "role may not view customers"},
        )
        raise PermissionDenied("Your role does not open customer records.")


def restricted_reason_in_session(*, request: HttpRequest, customer: Customer) -> str:
    """The reason this colleague gave for this restricted record, if still current."""
    given = request.session.get(SESSION_REASONS_KEY, {}).get(str(customer.public_id))
    if not given:
        return ""
    at = dt.datetime.fromisoformat(given["at"])
    if timezone.now() - at > RESTRICTED_REASON_TTL:
        return ""
    return given["reason"]


def customer_get_for_user(
    *,
    public_id: uuid.UUID,
    user: Any,
    request: HttpRequest,
    what: str = "customer page",
    action: str = AccessEvent.Action.VIEW_CUSTOMER,
    reason: str = "",
) -> Customer:
    """The customer, with every award loaded, if `user` may see it; audited either way.

    Raises PermissionDenied (role without customer access), RestrictedRecord (restricted and
    not cleared; the refusal is logged), ReasonRequired (cleared, but no reason given yet in
    this session) or Http404.
    """
    customer_access_require(user=user, request=request, what=what)
    customer = (
        Customer.objects.select_related(*award_prefetch_fields())
        .filter(public_id=public_id)
        .first()
    )
    if customer is None:
        raise Http404("No such customer.")
    if customer.restricted:
        if not user.has_perm(VIEW_RESTRICTED_PERMISSION):
            access_record(
                request=request,
                action=AccessEvent.Action.REFUSED,
                what=what,
                customer=customer,
                detail={"why": "restricted record"},
            )
            raise RestrictedRecord("This record is restricted.")
        reason = reason or restricted_reason_in_session(request=request, customer=customer)
        if not reason:
            raise ReasonRequired(customer)
    access_record(request=request, action=action, what=what, customer=customer, reason=reason)
    return customer


def customer_get_for_reason(*, public_id: uuid.UUID, user: Any, request: HttpRequest) -> Customer:
    """The customer whose restricted record a cleared colleague is about to give a reason for.

    Shows nothing of the record (the reason page shows no customer data), so it is not a view;
    a colleague who is not cleared is refused and the refusal logged.
    """
    what = "restricted record reason"
    customer_access_require(user=user, request=request, what=what)
    customer = Customer.objects.filter(public_id=public_id).only("public_id", "restricted").first()
    if customer is None:
        raise Http404("No such customer.")
    if customer.restricted and not user.has_perm(VIEW_RESTRICTED_PERMISSION):
        access_record(
            request=request,
            action=AccessEvent.Action.REFUSED,
            what=what,
            customer=customer,
            detail={"why": "restricted record"},
        )
        raise RestrictedRecord("This record is restricted.")
    return customer


# --- Search -----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    customer: Customer
    hidden: bool  # restricted and the colleague is not cleared: show only that it matched
    need_icons: list[NeedIcon]

    @property
    def benefit_labels(self) -> list[str]:
        return [Benefit(c).label for c in self.customer.benefits_held or [] if c in Benefit.values]


@dataclass
class SearchResults:
    results: list[SearchResult]
    truncated: bool  # more than SEARCH_LIMIT matched


def _results_for(*, user: Any, customers: list[Customer]) -> list[SearchResult]:
    cleared = user.has_perm(VIEW_RESTRICTED_PERMISSION)
    shown = [c for c in customers if cleared or not c.restricted]
    icons = need_icons_for_customers(customer_ids=[c.pk for c in shown], user=user) if shown else {}
    return [
        SearchResult(
            customer=c, hidden=c.restricted and not cleared, need_icons=icons.get(c.pk, [])
        )
        for c in customers
    ]


def customer_search_by_nino(*, nino: str, user: Any, request: HttpRequest) -> SearchResult | None:
    """Exact lookup by normalised NINO (the unique index). Audited with the count only."""
    customer_access_require(user=user, request=request, what="customer search")
    customer = Customer.objects.filter(nino=nino).first()
    access_record(
        request=request,
        action=AccessEvent.Action.SEARCH,
        what="customer search",
        detail={"results": int(customer is not None), "by": "nino"},
    )
    return _results_for(user=user, customers=[customer])[0] if customer else None


def normalise_postcode(text: str) -> str:
    """Upper case, single space before the inward code: 'ls11ab' -> 'LS1 1AB'."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if len(compact) >= 5:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def postcode_prefix_q(text: str) -> Q:
    """Postcodes starting with what was typed, spaced or not ("LS14" may be "LS14" or "LS1 4").

    Each alternative is a plain prefix, so the customer_postcode_prefix index serves it.
    """
    if " " in text.strip():
        return Q(postcode__startswith=re.sub(r"\s+", " ", text.strip().upper()))
    compact = normalise_postcode(text)
    if " " in compact:  # a whole postcode typed without its space
        return Q(postcode__startswith=compact)
    q = Q(postcode__startswith=compact)
    if len(compact) >= 3 and compact[-1].isdigit():  # the inward code starts with a digit
        q |= Q(postcode__startswith=f"{compact[:-1]} {compact[-1]}")
    return q


def _lexicon_matches(
    words: list[str],
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each typed word, the surnames and the first names (as UPPER(name)) with a word like it.

    Runs inside the search's transaction, with its pg_trgm thresholds set.
    """
    table = CustomerNameWord._meta.db_table
    surnames: dict[str, set[str]] = {w: set() for w in words}
    first_names: dict[str, set[str]] = {w: set() for w in words}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT typed, kind, key FROM unnest(%s::text[]) AS typed "
            f"JOIN {table} ON (word %% typed OR typed <%% word)",
            [words],
        )
        for typed, kind, key in cursor.fetchall():
            (surnames if kind == CustomerNameWord.Kind.LAST else first_names)[typed].add(key)
        # A word like no name at all may be a surname with two typos ("signh" is only 0.2 like
        # "singh"): look again, wider — also when another word is a surname ("Thomas Signh").
        guess = [w for w in words if not first_names[w] and not surnames[w]]
        if guess:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                [str(LEXICON_RETRY_SIMILARITY_THRESHOLD)],
            )
            cursor.execute(
                f"SELECT typed, key FROM unnest(%s::text[]) AS typed "
                f"JOIN {table} ON word %% typed WHERE kind = %s",
                [guess, CustomerNameWord.Kind.LAST],
            )
            for typed, key in cursor.fetchall():
                surnames[typed].add(key)
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                [str(NAME_SIMILARITY_THRESHOLD)],
            )
    return surnames, first_names


def _name_candidates_q(words: list[str]) -> Q | None:
    """Which customers can match: each typed word tried as the surname, each other word as the
    first name or as more of the surname ("obrien smith"), as the lexicon allows.

    Both sides come from the small lexicon, so the customers are index ranges
    (customer_names), not every customer sharing a trigram with the name. None: no word is like
    any surname (a first name alone), so the caller searches the whole name index instead.
    """
    surnames, first_names = _lexicon_matches(words)
    branches: set[tuple[frozenset[str], frozenset[str]]] = set()
    for word in words:
        if not surnames[word]:
            continue
        # Each other word is a first name, more of the surname, or (like neither) only ranked.
        roles = [
            [r for r in ("first", "surname") if (first_names if r == "first" else surnames)[o]]
            or [None]
            for o in words
            if o != word
        ]
        others = [o for o in words if o != word]
        for assignment in itertools.islice(itertools.product(*roles), MAX_NAME_BRANCHES):
            surname_keys = set(surnames[word])
            first_keys: set[str] = set()
            for other, role in zip(others, assignment, strict=True):
                if role == "first":
                    first_keys |= first_names[other]
                elif role == "surname":
                    surname_keys &= surnames[other]
            if surname_keys:
                branches.add((frozenset(surname_keys), frozenset(first_keys)))
    if not branches:
        return None
    candidates = Q()
    for surname_keys, first_keys in sorted(branches, key=lambda b: (sorted(b[0]), sorted(b[1]))):
        branch = Q(surname_key__in=sorted(surname_keys))
        if first_keys:
            branch &= Q(first_name_key__in=sorted(first_keys))
        candidates |= branch
    return candidates


def customer_search_by_name(
    *,
    name: str,
    user: Any,
    request: HttpRequest,
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    limit: int = SEARCH_LIMIT,
) -> SearchResults:
    """Customers whose name is like `name`, best first; at most `limit` (then truncated).

    Trigram similarity on the normalised name copes with typos, hyphens, apostrophes and word
    order; word similarity copes with missing middle names and a surname alone. The customers
    considered are those whose surname is like one typed word and whose first name is like
    another (found through the name-word lexicon, then the customer_names index); a name with
    no word like any surname (a first name alone), or given with a date of birth (its index
    leaves a few dozen customers), is matched on the whole trigram index instead.
    A date of birth (index) and a postcode prefix (pattern index) narrow it.
    """
    customer_access_require(user=user, request=request, what="customer search")
    text = search_name_for(name, "", "")
    words = list(dict.fromkeys(text.split()))
    qs = Customer.objects.all()
    if date_of_birth:
        qs = qs.filter(date_of_birth=date_of_birth)
    if postcode:
        qs = qs.filter(postcode_prefix_q(postcode))
    only = (
        "public_id",
        "first_name",
        "middle_names",
        "last_name",
        "date_of_birth",
        "date_of_death",
        "postcode",
        "restricted",
        "benefits_held",
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Transaction-local: the pooled connection keeps pg_trgm's defaults for others.
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
                "set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(NAME_SIMILARITY_THRESHOLD), str(LEXICON_WORD_SIMILARITY_THRESHOLD)],
            )
        lexicon_words = [w for w in words if len(w) >= LEXICON_MIN_WORD_LENGTH]
        if len(lexicon_words) > LEXICON_MAX_WORDS:  # the longest, in the order typed
            longest = sorted(lexicon_words, key=len, reverse=True)[:LEXICON_MAX_WORDS]
            lexicon_words = [w for w in lexicon_words if w in longest]
        # A date of birth leaves a few dozen customers even at 1M (its index): every name part,
        # a middle name typed without the first name too, is then matched on the whole name.
        narrow = lexicon_words and not date_of_birth
        candidates = _name_candidates_q(lexicon_words) if narrow else None
        if candidates is not None:
            # The same match rule as the trigram operators below, written as functions so
            # the planner takes the candidates from the customer_names index.
            qs = (
                qs.annotate(
                    surname_key=Upper("last_name"),
                    first_name_key=Upper("first_name"),
                    similarity=TrigramSimilarity("search_name", text),
                    word_similarity=TrigramWordSimilarity(text, "search_name"),
                )
                .filter(candidates)
                .filter(
                    Q(similarity__gte=NAME_SIMILARITY_THRESHOLD)
                    | Q(word_similarity__gte=WORD_SIMILARITY_THRESHOLD)
                )
                .annotate(rank=F("similarity") + F("word_similarity"))
            )
        elif text:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [str(WORD_SIMILARITY_THRESHOLD)],
                )
            qs = qs.filter(
                Q(search_name__trigram_similar=text) | Q(search_name__trigram_word_similar=text)
            ).annotate(
                rank=TrigramSimilarity("search_name", text)
                + TrigramWordSimilarity(text, "search_name")
            )
        ordering = ["-rank", "last_name", "first_name", "id"] if text else ["last_name", "id"]
        customers = list(qs.order_by(*ordering).only(*only)[: limit + 1])
    access_record(
        request=request,
        action=AccessEvent.Action.SEARCH,
        what="customer search",
        detail={
            "results": min(len(customers), limit),
            "by": "name",
            "date_of_birth": bool(date_of_birth),
            "postcode": bool(postcode),
        },
    )
    return SearchResults(
        results=_results_for(user=user, customers=customers[:limit]),
        truncated=len(customers) > limit,
    )


# --- The customer page ------------------------------------------------------------------------


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
    fields = [
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


def customer_visit_previous(*, customer: Customer, user: Any) -> dt.datetime | None:
    visit = CustomerVisit.objects.filter(customer=customer, user=user).first()
    return visit.last_opened_at if visit else None


def customer_page_get(
    *,
    customer: Customer,
    user: Any,
    previous_visit: dt.datetime | None,
    timeline_type: str = "",
    timeline_benefit: str = "",
    timeline_page: int = 1,
) -> CustomerPage:
    """Everything on the customer page, in a fixed number of queries.

    `customer` must come from customer_get_for_user (access checked, awards loaded).
    """
    freshness = source_freshness_list()
    cards = benefit_cards_for(customer=customer, freshness=freshness)
    payments = payment_summary_for(customer=customer)
    for card in cards:
        card.next_payment = next((p for p in payments.scheduled if p.benefit == card.benefit), None)
    identities = list(customer.identities.order_by("source"))
    changes: list[ChangeGroup] = []
    updated_cards: list[BenefitCard] = []
    if previous_visit is not None:
        changes = timeline_changes_since(customer=customer, user=user, since=previous_visit)
        updated_cards = [c for c in cards if c.award.synced_at > previous_visit]
    return CustomerPage(
        customer=customer,
        cards=cards,
        freshness=freshness,
        payments=payments,
        identities=identities,
        differences=identity_differences(customer=customer, identities=identities),
        timeline=timeline_page_get(
            customer=customer,
            user=user,
            type=timeline_type,
            benefit=timeline_benefit,
            page=timeline_page,
        ),
        previous_visit=previous_visit,
        changes=changes,
        updated_cards=updated_cards,
        can_record_interaction=user.has_perm(RECORD_INTERACTION_PERMISSION),
        need_panel=support_need_panel(customer=customer, user=user),
    )
