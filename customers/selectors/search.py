"""Finding customers: by NINO (exact) or by name (trigram similarity through a name-word lexicon),
narrowed by date of birth and postcode. Each search is audited with its count, never its terms.
"""

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connections, router, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Upper

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from customers.models import Benefit, Customer, CustomerNameWord, search_name_for
from customers.selectors.access import VIEW_RESTRICTED_PERMISSION, customer_access_require

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
# One word typed alone: its names are read in batches, closest first, until the page is full.
SINGLE_WORD_FIRST_BATCH = 1
SINGLE_WORD_MAX_BATCH = 256
MAX_NAME_BRANCHES = 16  # per word tried as the surname (each other word: first name or surname)
# Initials, and words past the longest five, are only ranked: a name of many short words
# would otherwise multiply the branches (8 single letters: 3 s at 1M customers).
LEXICON_MIN_WORD_LENGTH = 2
LEXICON_MAX_WORDS = 5


# --- Search -----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    customer: Customer
    hidden: bool  # restricted and the colleague is not cleared: show only that it matched

    @property
    def benefit_labels(self) -> list[str]:
        return [Benefit(c).label for c in self.customer.benefits_held or [] if c in Benefit.values]


@dataclass
class SearchResults:
    results: list[SearchResult]
    truncated: bool  # more than SEARCH_LIMIT matched


def _results_for(*, audit: AuditContext, customers: list[Customer]) -> list[SearchResult]:
    cleared = audit.has_perm(VIEW_RESTRICTED_PERMISSION)
    return [SearchResult(customer=c, hidden=c.restricted and not cleared) for c in customers]


def customer_search_by_nino(*, nino: str, audit: AuditContext) -> SearchResult | None:
    """Exact lookup by normalised NINO (the unique index). Audited with the count only."""
    customer_access_require(audit=audit, what="customer search")
    customer = Customer.objects.filter(nino=nino).first()
    access_record(
        audit=audit,
        action=AccessEvent.Action.SEARCH,
        what="customer search",
        detail={"results": int(customer is not None), "by": "nino"},
    )
    return _results_for(audit=audit, customers=[customer])[0] if customer else None


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
    # The search's connection: the read replica when core.replica sends the search there.
    with connections[router.db_for_read(CustomerNameWord)].cursor() as cursor:
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
        roles: list[list[str | None]] = [
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
    for branch_surnames, branch_firsts in sorted(
        branches, key=lambda b: (sorted(b[0]), sorted(b[1]))
    ):
        branch = Q(surname_key__in=sorted(branch_surnames))
        if branch_firsts:
            branch &= Q(first_name_key__in=sorted(branch_firsts))
        candidates |= branch
    return candidates


def _single_word_keys(word: str) -> list[tuple[str, str]]:
    """The surnames and first names (kind, UPPER(name)) with a word like `word`, closest first:
    the name that is the word itself, then names with the word in them (shortest first), then
    by similarity.

    Runs inside the search's transaction, with its pg_trgm thresholds set.
    """
    table = CustomerNameWord._meta.db_table
    with connections[router.db_for_read(CustomerNameWord)].cursor() as cursor:
        cursor.execute(
            f"SELECT kind, key FROM {table} WHERE word %% %s OR %s <%% word "
            f"GROUP BY kind, key "
            f"ORDER BY (key = upper(%s)) DESC, bool_or(word = %s) DESC, "
            f"max(similarity(word, %s)) DESC, length(key), kind DESC, key",
            [word, word, word, word, word],
        )
        return [(kind, key) for kind, key in cursor.fetchall()]


def _customers_with_names(
    qs: QuerySet[Customer], keys: list[tuple[str, str]], limit: int, only: tuple[str, ...]
) -> list[Customer]:
    """Up to `limit` customers whose surname or first name is one of `keys`, in the keys' order
    and then by the other name. Reads the keys in growing batches, each an index range of
    customer_names or customer_first_names read in order, and stops once `limit` are found, so
    a common name costs one short index scan, never a score for each of its thousands."""
    found: list[Customer] = []
    seen: set[int] = set()
    start, size = 0, SINGLE_WORD_FIRST_BATCH
    while start < len(keys) and len(found) < limit:
        batch = keys[start : start + size]
        start, size = start + size, min(size * 4, SINGLE_WORD_MAX_BATCH)
        for kind, field, other in (
            (CustomerNameWord.Kind.LAST, "last_name", "first_name"),
            (CustomerNameWord.Kind.FIRST, "first_name", "last_name"),
        ):
            names = [key for k, key in batch if k == kind]
            if not names or len(found) >= limit:
                continue
            rows = qs.annotate(name_key=Upper(field), other_key=Upper(other)).filter(
                name_key__in=names
            )
            ordering: list[str] = ["other_key", "id"]
            if len(names) > 1:
                rows = rows.annotate(
                    key_rank=Case(
                        *(When(name_key=name, then=Value(i)) for i, name in enumerate(names)),
                        output_field=IntegerField(),
                    )
                )
                ordering = ["key_rank", *ordering]
            for customer in rows.order_by(*ordering).only(*only)[: limit - len(found) + 1]:
                if customer.pk not in seen and len(found) <= limit:
                    seen.add(customer.pk)
                    found.append(customer)
    return found


def customer_search_by_name(
    *,
    name: str,
    audit: AuditContext,
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
    A date of birth (index) and a postcode prefix (pattern index) narrow it. With no name,
    the postcode prefix alone (or with a date of birth) finds the customers, by surname.
    """
    customer_access_require(audit=audit, what="customer search")
    text = search_name_for(name, "", "")
    words = list(dict.fromkeys(text.split()))
    # The read replica when core.replica allows it (its rules: search reads, no recent write).
    db = router.db_for_read(Customer)
    qs = Customer.objects.using(db).all()
    if date_of_birth:
        qs = qs.filter(date_of_birth=date_of_birth)
    if postcode:
        qs = qs.filter(postcode_prefix_q(postcode))
    only = (
        "public_id",
        "nino",
        "first_name",
        "middle_names",
        "last_name",
        "date_of_birth",
        "date_of_death",
        "postcode",
        "restricted",
        "benefits_held",
    )
    with transaction.atomic(using=db):
        with connections[db].cursor() as cursor:
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
        # One word alone (a surname or a first name): the names like it, closest first, and
        # their customers straight from the name indexes. Not with a postcode: walking the
        # names key by key for the few customers at that postcode reads far more (at 300,000
        # customers a surname and postcode took 235 ms p95 that way, 34 ms as candidates).
        single = _single_word_keys(words[0]) if narrow and len(words) == 1 and not postcode else []
        candidates = _name_candidates_q(lexicon_words) if narrow and not single else None
        if single:
            pass
        elif candidates is not None:
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
            with connections[db].cursor() as cursor:
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
        if single:
            customers = _customers_with_names(qs, single, limit + 1, only)
        else:
            ordering = ["-rank", "last_name", "first_name", "id"] if text else ["last_name", "id"]
            customers = list(qs.order_by(*ordering).only(*only)[: limit + 1])
    access_record(
        audit=audit,
        action=AccessEvent.Action.SEARCH,
        what="customer search",
        detail={
            "results": min(len(customers), limit),
            "by": "name" if text else "postcode",
            "date_of_birth": bool(date_of_birth),
            "postcode": bool(postcode),
        },
    )
    return SearchResults(
        results=_results_for(audit=audit, customers=customers[:limit]),
        truncated=len(customers) > limit,
    )
