"""Plain English for every legacy code: each label, and each card rendered with each code."""

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from benefits import labels
from benefits.models import EsaAward, PipAward, StatePensionAward, UniversalCreditAward
from benefits.selectors import BenefitCard, SourceFreshness
from tests.customer_view.test_synced_population import raw_codes
from tests.factories import BenefitEventFactory, CustomerFactory

TAGS = re.compile(r"<[^>]+>")


def visible(html: str) -> str:
    return TAGS.sub(" ", html)


def every_code() -> list[tuple[str, str, str]]:
    return [
        (source, family, code)
        for source, families in labels.SOURCES.items()
        for family, table in families.items()
        for code in table
    ]


@pytest.mark.parametrize(("source", "family", "code"), every_code())
def test_every_known_code_has_a_plain_english_label(source, family, code):
    label = labels.code_label(source, family, code)
    assert label
    assert "not recognised" not in label
    assert raw_codes(label) == set(), label


def test_an_unknown_code_is_shown_as_not_recognised():
    assert labels.code_label("uc", "deduction", "FUEL_DIRECT") == "FUEL_DIRECT (not recognised)"
    assert labels.code_label("esa", "group", None) == "No group yet"
    assert labels.code_label("sp", "payment_day", "") == "Not known"


def test_benefit_events_are_worded_from_their_details():
    title = labels.benefit_event_title(
        kind="esa_group_changed",
        summary="ESA group changed from support to wrag",
        details={"group": "wrag", "previous_group": "support"},
    )
    assert title == "ESA group changed from support group to work-related activity group"
    title = labels.benefit_event_title(
        kind="pip_rate_reduced",
        summary="PIP reduced: daily living enhanced, mobility none (...)",
        details={
            "daily_living_rate": "standard",
            "mobility_rate": "none",
            "weekly_pence": 7390,
            "previous_weekly_pence": 18745,
        },
    )
    assert title == (
        "PIP reduced: daily living standard rate, mobility not awarded (£73.90 a week, was £187.45)"
    )
    byline = labels.benefit_event_byline(
        benefit_label="Employment and Support Allowance", kind="esa_group_changed"
    )
    assert byline == "Employment and Support Allowance: group changed"
    assert raw_codes(byline) == set()


FRESH = SourceFreshness(
    source="uc",
    label="Universal Credit service",
    last_success_at=None,
    last_run_status="",
    last_run_finished_at=None,
    stale_after=dt.timedelta(hours=24),
)


def _card(benefit: str, award) -> str:
    award.synced_at = timezone.now()
    award.source_changed_at = timezone.now()
    card = BenefitCard(benefit=benefit, label=benefit, award=award, freshness=FRESH)
    return visible(render_to_string(card.template_name, {"card": card}))


def _awards_with_every_code():
    """Each card's award once per code of each of its code families."""
    uc = labels.UC
    for code in uc["conditionality_regime"]:
        yield "uc", UniversalCreditAward(status="live", conditionality_regime=code)
    for code in uc["household"]:
        yield "uc", UniversalCreditAward(status="live", household=code)
    yield (
        "uc",
        UniversalCreditAward(
            status="live",
            elements=[{"type": code, "amount_pence": 100} for code in uc["element"]],
            deductions=[{"type": code, "amount_pence": 100} for code in uc["deduction"]],
            sanctions=[
                {"level": code, "start_date": "2026-11-01", "end_date": "2027-01-31"}
                for code in uc["sanction_level"]
            ],
        ),
    )
    pip = labels.PIP
    for code in pip["claim_stage"]:
        yield "pip", PipAward(claim_stage=code, status="pending")
    for code in pip["rate"]:
        yield "pip", PipAward(daily_living_rate=code, mobility_rate=code, status="live")
    for mr in pip["mr_status"]:
        for appeal in pip["appeal_status"]:
            yield "pip", PipAward(mr_status=mr, appeal_status=appeal, status="live")
    esa = labels.ESA
    for kind in esa["esa_type"]:
        for phase in esa["phase"]:
            for group in esa["group"]:
                yield "esa", EsaAward(esa_type=kind, phase=phase, group=group, status="live")
    for code in esa["wca_outcome"]:
        yield "esa", EsaAward(wca_date=dt.date(2026, 1, 5), wca_outcome=code, status="live")
    sp = labels.SP
    for kind in sp["pension_type"]:
        for day in sp["payment_day"]:
            yield "sp", StatePensionAward(pension_type=kind, payment_day=day, status="live")


def test_every_card_rendered_with_every_known_code_shows_no_code():
    shown = 0
    for benefit, award in _awards_with_every_code():
        text = _card(benefit, award)
        assert raw_codes(text) == set(), (benefit, text)
        assert "not recognised" not in text, (benefit, text)
        shown += 1
    assert shown > 60


def test_a_card_with_an_unknown_code_says_so():
    award = UniversalCreditAward(
        status="live", deductions=[{"type": "FUEL_DIRECT", "amount_pence": 100}]
    )
    assert "FUEL_DIRECT (not recognised)" in _card("uc", award)


@pytest.mark.parametrize(
    ("benefit", "model"),
    [("uc", UniversalCreditAward), ("pip", PipAward), ("esa", EsaAward), ("sp", StatePensionAward)],
)
def test_a_card_status_is_worded_from_its_sources_table(benefit, model):
    for code, wording in labels.SOURCES[benefit]["status"].items():
        card = BenefitCard(
            benefit=benefit, label=benefit, award=model(status=code), freshness=FRESH
        )
        assert card.status_label == wording
    unknown = BenefitCard(
        benefit=benefit, label=benefit, award=model(status="suspended"), freshness=FRESH
    )
    assert unknown.status_label == "suspended (not recognised)"
    blank = BenefitCard(benefit=benefit, label=benefit, award=model(status=""), freshness=FRESH)
    assert blank.status_label == "Status not known"


def test_a_pip_claim_with_no_status_yet_is_worded_by_its_stage():
    award = PipAward(status="", claim_stage="mandatory_reconsideration")
    card = BenefitCard(benefit="pip", label="PIP", award=award, freshness=FRESH)
    assert card.status_label == "Mandatory reconsideration"


def test_every_code_a_parser_can_store_has_wording():
    """One mapping per source: each parser turns the wire's codes into the canonical codes the
    labels word; a parser that learns a code must bring its wording."""
    from benefits.sources import esa, pip, sp, uc

    parsed = {
        "uc": {"status": uc.STATUSES, "household": uc.HOUSEHOLDS,
               "conditionality_regime": uc.CONDITIONALITY_REGIMES},
        "pip": {"status": pip.STATUSES, "claim_stage": pip.STAGES, "rate": pip.LEVELS,
                "mr_status": pip.MR, "appeal_status": pip.APPEALS},
        "esa": {"status": esa.STATUSES, "esa_type": esa.ESA_TYPES, "phase": esa.PHASES,
                "group": esa.GROUPS, "wca_outcome": esa.WCA_OUTCOMES},
        "sp": {"status": sp.STATUSES, "pension_type": sp.PENSION_TYPES,
               "payment_day": sp.PAYMENT_DAYS},
    }  # fmt: skip
    for source, families in parsed.items():
        for family, wire in families.items():
            for code in wire.values():
                assert code in labels.SOURCES[source][family], (source, family, code)


def _pip_rate_event(
    change: str, now: tuple[str, str, int], was: tuple[str, str, int]
) -> tuple[str, str, dict]:
    """A PIP rate change as the sync writes it: (daily living, mobility, weekly pence) now and
    before."""
    summary = (
        f"PIP {change}: daily living {now[0]}, mobility {now[1]} "
        f"(£{now[2] / 100:,.2f} a week, was £{was[2] / 100:,.2f})"
    )
    details = {
        "daily_living_rate": now[0],
        "mobility_rate": now[1],
        "previous_daily_living_rate": was[0],
        "previous_mobility_rate": was[1],
        "weekly_pence": now[2],
        "previous_weekly_pence": was[2],
    }
    return "pip", summary, details


# Each kind of benefit event as the sync writes it (benefits/sync/apply.py): the benefit, the
# summary (some carry the sources' codes: "from support to wrag") and the details.
EVENTS_AS_SYNCED: dict[str, tuple[str, str, dict]] = {
    "award_started": ("pip", "PIP award started", {"status": "live"}),
    "award_ended": ("esa", "ESA award ended", {"end_date": "2025-06-01"}),
    "pip_rate_increased": _pip_rate_event("increased", ("enhanced", "standard", 18745),
                                          ("standard", "none", 7390)),
    "pip_rate_reduced": _pip_rate_event("reduced", ("standard", "none", 7390),
                                        ("enhanced", "standard", 18745)),
    "esa_group_changed": (
        "esa",
        "ESA group changed from support to wrag",
        {"group": "wrag", "previous_group": "support", "wca_outcome": "wrag"},
    ),
    "uc_sanction_applied": (
        "uc",
        "Universal Credit sanction applied",
        {"sanctions": [{"level": "low", "start_date": "2026-11-01", "end_date": "2027-01-31"}]},
    ),
    "uc_support_need_recorded": (
        "uc",
        "Additional support need recorded in Universal Credit",
        {"support_needs": [{"code": "MENTAL_HEALTH"}]},
    ),
    "arrears_payment": (
        "pip",
        "PIP arrears payment of £6,500.00 paid on 01/06/2025",
        {"amount_pence": 650_000, "reference": "PIP-ARREARS-1", "status": "paid"},
    ),
    "death_recorded": (
        "esa",
        "Date of death recorded: 01/06/2025",
        {"date_of_death": "2025-06-01", "reported_by": "esa"},
    ),
}  # fmt: skip
# One timeline entry's content, from its opening tag to the next entry's.
ENTRY = re.compile(
    r'data-testid="timeline-entry"[^>]*>(.*?)(?=<div class="moj-timeline__item"|$)', re.S
)


@pytest.mark.django_db
def test_every_kind_of_benefit_event_reads_in_plain_english_on_the_timeline(coach_client):
    assert set(EVENTS_AS_SYNCED) == set(labels.EVENT_KINDS)  # a new kind needs a case here
    customer = CustomerFactory()
    now = timezone.now()
    for minutes, (kind, (benefit, summary, details)) in enumerate(EVENTS_AS_SYNCED.items()):
        BenefitEventFactory(
            customer=customer,
            kind=kind,
            benefit=benefit,
            summary=summary,
            details=details,
            occurred_at=now - dt.timedelta(minutes=minutes),
            recorded_at=now,
            synced_at=now,
        )
    # The timeline's benefit changes, through its source (customer_view/timeline_sources.py).
    url = reverse("customers:timeline", args=[customer.public_id])
    html = coach_client.get(f"{url}?type=benefit_event", HTTP_HX_REQUEST="true").content.decode()
    entries = [visible(entry) for entry in ENTRY.findall(html)]
    assert len(entries) == len(EVENTS_AS_SYNCED)
    for entry, kind in zip(entries, EVENTS_AS_SYNCED, strict=True):
        assert labels.EVENT_KINDS[kind].lower() in entry, (kind, entry)  # its byline
        assert raw_codes(entry) == set(), (kind, entry)
        assert "not recognised" not in entry, (kind, entry)
