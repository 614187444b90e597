"""The bench's fixed, seeded mix of search queries (pure: the same seed gives the same mix)."""

import datetime as dt
import random
from dataclasses import dataclass

KINDS = ("nino", "misspelt_surname", "name_dob", "postcode", "surname_alone", "first_name_alone")
KIND_LABELS = {
    "nino": "NINO",
    "misspelt_surname": "misspelt surname",
    "name_dob": "name + date of birth",
    "postcode": "surname + postcode",
    "surname_alone": "surname alone",
    "first_name_alone": "first name alone",
}
VOWELS = "aeiou"


@dataclass(frozen=True)
class SampleCustomer:
    public_id: str
    nino: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    postcode: str


@dataclass(frozen=True)
class SearchQuery:
    kind: str
    query: str
    date_of_birth: dt.date | None
    postcode: str
    expected: str  # the public_id a good search should find

    def form(self) -> dict[str, str]:
        """The search form's fields, as the browser posts them."""
        dob = self.date_of_birth
        return {
            "query": self.query,
            "dob_day": str(dob.day) if dob else "",
            "dob_month": str(dob.month) if dob else "",
            "dob_year": str(dob.year) if dob else "",
            "postcode": self.postcode,
        }

    def admin_terms(self) -> str:
        """What a colleague would type into the Django admin's one search box."""
        return f"{self.query} {self.postcode}".strip()


def misspell(word: str, rng: random.Random) -> str:
    """One typo a colleague might make: swap two letters, drop, double or change a vowel.

    The first letter stays (people rarely get it wrong) and the result always differs.
    """
    if len(word) < 4:
        return word + word[-1]
    inner = [i for i in range(1, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()]
    operation = rng.choice(("swap", "drop", "double", "vowel"))
    i = rng.choice(inner) if inner else 1
    if operation == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if operation == "vowel":
        vowel_at = [j for j in range(1, len(word)) if word[j].lower() in VOWELS]
        if vowel_at:
            j = rng.choice(vowel_at)
            other = rng.choice([v for v in VOWELS if v != word[j].lower()])
            return word[:j] + other + word[j + 1 :]
    if operation == "double":
        return word[: i + 1] + word[i] + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def _nino_as_typed(nino: str, rng: random.Random) -> str:
    """A NINO in one of the ways colleagues type one (any case, with or without spaces)."""
    spaced = f"{nino[:2]} {nino[2:4]} {nino[4:6]} {nino[6:8]} {nino[8]}"
    return rng.choice((nino, nino.lower(), spaced, spaced.lower()))


def query_for(kind: str, customer: SampleCustomer, rng: random.Random) -> SearchQuery:
    if kind == "nino":
        return SearchQuery(kind, _nino_as_typed(customer.nino, rng), None, "", customer.public_id)
    if kind == "misspelt_surname":
        name = f"{customer.first_name} {misspell(customer.last_name, rng)}"
        return SearchQuery(kind, name, None, "", customer.public_id)
    if kind == "name_dob":
        name = f"{customer.first_name} {customer.last_name}"
        return SearchQuery(kind, name, customer.date_of_birth, "", customer.public_id)
    if kind == "postcode":
        return SearchQuery(kind, customer.last_name, None, customer.postcode, customer.public_id)
    # A caller gives one name only: "found" then says how often that customer is among the
    # first page of everyone with the name (the latency is the point).
    if kind == "surname_alone":
        return SearchQuery(kind, customer.last_name, None, "", customer.public_id)
    if kind == "first_name_alone":
        return SearchQuery(kind, customer.first_name, None, "", customer.public_id)
    raise ValueError(f"unknown kind {kind!r}")


def search_mix(customers: list[SampleCustomer], *, per_kind: int, seed: str) -> list[SearchQuery]:
    """`per_kind` queries of each kind about customers drawn from `customers`, interleaved.

    Deterministic for the same customers (in any order) and seed.
    """
    pool = sorted(customers, key=lambda c: c.nino)
    rng = random.Random(f"bench-search:{seed}")
    queries: list[SearchQuery] = []
    for kind in KINDS:
        chosen = rng.sample(pool, min(per_kind, len(pool)))
        queries.extend(query_for(kind, customer, rng) for customer in chosen)
    rng.shuffle(queries)
    return queries
