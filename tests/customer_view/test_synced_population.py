"""Every customer page of a population synced through the simulated systems tells the truth.

The systems run on real time (their history built back from today, every award paid when
due), so the portal's today and theirs are one clock. For each customer page: no support need
is to be reviewed before it was recorded, no next payment lies in the past, each benefit card's
next payment is the earliest scheduled payment the payments table lists, every synced fact says
when its system recorded it and when the portal synced it, and no legacy code shows through as
text. A large arrears payment still to come, for a customer whose UC claim
records a complex need, raises a safeguard the team sees and can close.
"""

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import session_reason_keep
from benefits.models import Payment
from customers.models import Customer
from legacy_mocks.server import MockServer, start_in_thread
from support_needs.models import ArrearsSafeguard
from tests.benefits.conftest import FAST_SYNC, sync_all_inline

pytestmark = pytest.mark.django_db

# 40 customers of this seed include, whatever today's date, UC claimants with a complex need
# and a large arrears payment still to be paid.
CUSTOMERS = 40
SEED = "p281"


@pytest.fixture(scope="module")
def demo_systems() -> Iterator[tuple[MockServer, str]]:
    server, url = start_in_thread(port=0, customers=CUSTOMERS, seed=SEED, pay_on_schedule=True)
    yield server, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def synced(demo_systems, settings, monkeypatch) -> list[Customer]:
    _, url = demo_systems
    settings.LEGACY_BASE_URL = url
    for name, value in FAST_SYNC.items():
        setattr(settings, name, float(value) if "." in value else int(value))
    runs = sync_all_inline()
    assert all(run.status == "succeeded" for run in runs.values()), runs
    customers = list(Customer.objects.order_by("nino"))
    assert len(customers) >= CUSTOMERS * 3 // 4
    return customers


class PageFacts(HTMLParser):
    """The visible text of a page and the attributes of every element with a data-testid, with
    the marked elements each sits in."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self, html: str):
        super().__init__()
        self.text: list[str] = []
        self.marked: list[tuple[str, dict[str, str]]] = []
        self.ancestors: list[list[int]] = []  # per marked element: the marked ones around it
        self._open: list[int | None] = []
        self._skipping = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        values = {k: v or "" for k, v in attrs}
        index = None
        if "data-testid" in values:
            index = len(self.marked)
            self.marked.append((values["data-testid"], values))
            self.ancestors.append([i for i in self._open if i is not None])
        if tag not in self.VOID:
            self._open.append(index)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        if tag not in self.VOID and self._open:
            self._open.pop()

    def within(self, testid: str, inner: str) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
        """Each element marked `testid`, with the elements marked `inner` inside it."""
        return [
            (
                attrs,
                [
                    a
                    for j, (n, a) in enumerate(self.marked)
                    if n == inner and i in self.ancestors[j]
                ],
            )
            for i, (name, attrs) in enumerate(self.marked)
            if name == testid
        ]

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.text.append(data.strip())

    def all(self, testid: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.marked if name == testid]


# Acronyms a colleague reads as words; anything else in capitals is a code showing through.
ACRONYMS = {
    "ACSSL", "ACS", "BSL", "DWP", "ESA", "GOV", "JSAPS", "LCWRA", "NINO", "PIP", "PIPCS", "PSCS",
    "UC", "WCA", "WRAG", "CIS", "HTML", "API", "ZX",
}  # fmt: skip
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
CAPITALS = re.compile(r"\b[A-Z][A-Z_]{3,}\b")
# Source codes written in lower case in a sentence: a weekday, a group, a system.
LOWER_CODES = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|wrag|uc|esa|pip|lcwra)\b")


def raw_codes(text: str, *, identity_words: frozenset[str] = frozenset()) -> set[str]:
    """Legacy codes showing through in visible text. Names and addresses are data, not codes:
    JSAPS holds them in capitals, and "what each system holds" shows them as held."""
    found = set(SNAKE_CASE.findall(text)) | set(LOWER_CODES.findall(text))
    found |= {word for word in CAPITALS.findall(text) if word not in ACRONYMS}
    return {code for code in found if code.lower() not in identity_words}


def identity_words(customer: Customer) -> frozenset[str]:
    fields = ("first_name", "middle_names", "last_name", "address_line_1", "address_line_2",
              "town", "postcode")  # fmt: skip
    records = [customer, *customer.identities.all()]
    text = " ".join(str(getattr(record, name) or "") for record in records for name in fields)
    return frozenset(re.findall(r"[a-z]+", text.lower()))


def test_raw_codes_are_found_and_plain_words_are_not():
    assert raw_codes("Conditionality: intensive_work_search") == {"intensive_work_search"}
    assert raw_codes("OVERPAYMENT: £40.23, HARDSHIP") == {"OVERPAYMENT", "HARDSHIP"}
    assert raw_codes("Paid every 4 weeks, on a monday") == {"monday"}
    assert raw_codes("ESA group changed from support to wrag") == {"wrag"}
    assert raw_codes("Mental health: received from uc") == {"uc"}
    assert raw_codes("Paid on Mondays; LCWRA element; PIP and ESA; ZX 00 00 11 D") == set()


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _london_day(value: str) -> dt.date:
    """The London day of an ISO date or moment as the page writes them (its own offset)."""
    return dt.datetime.fromisoformat(value).date()


# Timeline entries that are synced facts (the others are the portal's own).
SYNCED_TIMELINE_TYPES = {"payment", "benefit_event"}


def test_every_customer_page_of_a_synced_population_is_true(synced, client, team_leader):
    client.force_login(team_leader)
    session = client.session
    for customer in synced:
        if customer.restricted:
            session_reason_keep(
                session, customer_public_id=customer.public_id, reason="Population check"
            )
    session.save()
    today = timezone.localdate()
    problems: list[str] = []
    pages_with_payments = cards_with_next_payment = needs_seen = provenance_seen = 0
    benefits_with_next_payment: set[str] = set()
    for customer in synced:
        response = client.get(reverse("customers:detail", args=[customer.public_id]))
        assert response.status_code == 200, customer.nino
        facts = PageFacts(response.content.decode())
        who = customer.nino
        # Support needs: never to be reviewed before they were recorded.
        for need in facts.all("support-need-dates"):
            needs_seen += 1
            if _day(need["data-review-by"]) < _day(need["data-recorded"]):
                problems.append(f"{who}: review by {need['data-review-by']} before recorded")
        # Payments: what the table shows as scheduled, earliest first per benefit.
        rows = facts.all("payment-row")
        pages_with_payments += bool(rows)
        earliest: dict[str, tuple[dt.date, str]] = {}
        for row in rows:
            if row["data-status"] == "scheduled":
                day = _day(row["data-date"])
                if day < today:
                    problems.append(f"{who}: scheduled payment on {day} shown as to come")
                if row["data-benefit"] not in earliest or day < earliest[row["data-benefit"]][0]:
                    earliest[row["data-benefit"]] = (day, row["data-amount"])
        for card in facts.all("next-payment"):
            benefit = card["data-benefit"]
            if not card.get("data-date"):
                if benefit in earliest:
                    problems.append(f"{who}: {benefit} card says none, the table lists one")
                continue
            cards_with_next_payment += 1
            benefits_with_next_payment.add(benefit)
            day = _day(card["data-date"])
            if day < today:
                problems.append(f"{who}: {benefit} next payment {day} is in the past")
            if earliest.get(benefit) != (day, card["data-amount"]):
                listed = earliest.get(benefit)
                problems.append(f"{who}: {benefit} card {day}, the table {listed}")
        # Every synced fact says when its system recorded it and when the portal synced it.
        synced_facts = [
            *facts.within("award-source", "provenance"),
            *facts.within("payment-row", "provenance"),
            *(
                (attrs, inside)
                for attrs, inside in facts.within("timeline-entry", "provenance")
                if attrs["data-type"] in SYNCED_TIMELINE_TYPES
            ),
            *(
                (attrs, inside)
                for attrs, inside in facts.within("support-need-dates", "provenance")
                if attrs["data-from-uc"]
            ),
        ]
        for attrs, inside in synced_facts:
            provenance_seen += 1
            if len(inside) != 1 or not inside[0]["data-recorded"] or not inside[0]["data-synced"]:
                problems.append(f"{who}: {attrs['data-testid']} without recorded and synced")
            elif _london_day(inside[0]["data-recorded"]) > _london_day(inside[0]["data-synced"]):
                problems.append(f"{who}: {attrs['data-testid']} recorded after it was synced")
        words = identity_words(customer)
        codes = raw_codes(" \n ".join(facts.text), identity_words=words)
        # The support needs panel on its own page, too.
        panel = client.get(reverse("support_needs:panel", args=[customer.public_id]))
        assert panel.status_code == 200, customer.nino
        codes |= raw_codes(
            " \n ".join(PageFacts(panel.content.decode()).text), identity_words=words
        )
        if codes:
            problems.append(f"{who}: raw codes {sorted(codes)}")
    # The colleague lists around the customer pages.
    for name in ("support_needs:safeguards-open", "support_needs:reviews-due"):
        listed = PageFacts(client.get(reverse(name)).content.decode())
        everyone = frozenset().union(*(identity_words(c) for c in synced))
        codes = raw_codes(" \n ".join(listed.text), identity_words=everyone)
        if codes:
            problems.append(f"{name}: raw codes {sorted(codes)}")
    assert not problems, "\n".join(problems)
    # The checks above saw something to check.
    assert pages_with_payments >= len(synced) // 2
    assert cards_with_next_payment >= len(synced) // 2
    assert benefits_with_next_payment == {"uc", "pip", "esa", "sp"}  # all four were compared
    assert needs_seen >= 1
    assert provenance_seen >= pages_with_payments * 2


def test_large_arrears_still_to_be_paid_raise_a_safeguard_the_team_sees_and_closes(
    synced, client, team_leader
):
    today = timezone.localdate()
    coming = Payment.objects.filter(
        kind=Payment.Kind.ARREARS, amount_pence__gte=500_000, payment_date__gte=today
    )
    assert coming.exists()
    assert all(p.status == Payment.Status.SCHEDULED for p in coming)
    safeguards = list(ArrearsSafeguard.objects.filter(status=ArrearsSafeguard.Status.OPEN))
    assert safeguards, "no safeguard raised for a large arrears payment still to come"
    client.force_login(team_leader)
    listed = client.get(reverse("support_needs:safeguards-open")).content.decode()
    safeguard = safeguards[0]
    assert safeguard.customer.full_name in listed
    page = client.get(reverse("customers:detail", args=[safeguard.customer.public_id]))
    assert 'data-testid="arrears-safeguard"' in page.content.decode()
    url = reverse(
        "support_needs:safeguard-complete",
        args=[safeguard.customer.public_id, safeguard.public_id],
    )
    checks = {"needs_checked": "yes", "acting_for": "no", "bank_details": "no"}
    answer = client.post(url, {"outcome": "Offered a budgeting referral; accepted.", **checks})
    assert "Answer: contact made about the payment" in answer.content.decode()
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.OPEN
    answer = client.post(
        url,
        {"outcome": "Offered a budgeting referral; accepted.", **checks, "contact_made": "yes"},
    )
    assert answer.status_code in (200, 302)
    safeguard.refresh_from_db()
    assert safeguard.status == ArrearsSafeguard.Status.DONE
