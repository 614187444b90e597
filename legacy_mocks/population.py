"""Deterministic customer population: customer i is built on demand from (seed, i), never stored."""

import hashlib
import random
import re
from datetime import UTC, date, datetime, timedelta
from math import gcd
from typing import Any

from legacy_mocks import awards
from legacy_mocks.awards import SYSTEMS, Source, add_months, add_years, age_on
from legacy_mocks.names import as_held_by, drift, person
from legacy_mocks.randomness import between, pick, stream

NINO_PREFIX = "ZX"
MAX_CUSTOMERS = 1_000_000
# Customers in the "near pension age" band reach State Pension age within this many days.
NEAR_PENSION_DAYS = 90
# Arrears are paid this many days (inclusive range) after the decision that awards them.
ARREARS_PAID_AFTER_DAYS = (7, 42)
_NINO = re.compile(r"ZX(\d{6})([A-D])")
_MASK = (1 << 64) - 1

Customer = dict[str, Any]

# Additional support needs UC records: code -> examples of what a colleague writes.
SUPPORT_NEEDS = {
    "BSL_INTERPRETER": "Uses British Sign Language; book an interpreter or Video Relay Service.",
    "RELAY_UK": "Use Relay UK (text relay) for calls.",
    "LANGUAGE_INTERPRETER": "Needs a spoken-language interpreter (Polish).",
    "COMPANION": "Wants a companion present at appointments.",
    "NO_PHONE_CONTACT": "Cannot use the phone; contact in writing or via journal only.",
    "HOME_VISIT": "Cannot attend the jobcentre; refer to DWP Visiting Service.",
    "DIGITALLY_EXCLUDED": "No internet access; needs help to use the journal.",
    "LARGE_PRINT": "Letters in large print (font size 18).",
    "BRAILLE": "Letters in Braille.",
    "EASY_READ": "Needs easy-read letters.",
    "EXTRA_TIME": "Needs extra time in appointments.",
    "APPOINTEE": "Appointee acts for the customer (confirmed on BF57 after a visit).",
    "POWER_OF_ATTORNEY": "Lasting power of attorney held by a family member.",
    "HOMELESS": "Homeless or at risk of homelessness; no fixed address for post.",
    "DOMESTIC_ABUSE": "Disclosed domestic abuse; do not send post to the old address.",
    "CARE_LEAVER": "Care leaver; personal adviser at the local authority.",
    "PRISON_LEAVER": "Recently released from prison.",
    "ADDICTION": "Drug or alcohol dependency; engaging with a treatment service.",
    "MENTAL_HEALTH": "Mental health condition; may find appointments distressing.",
    "LEARNING_DISABILITY": "Learning disability; explain decisions in person.",
    "BEREAVEMENT": "Recently bereaved.",
    "TERMINAL_ILLNESS": "Terminally ill (special rules, SR1 provided).",
    "PROBLEM_DEBT": "Problem debt; in Breathing Space.",
    "NO_BANK_ACCOUNT": "No bank account; payment exception service in use.",
}
CONDITIONALITY_REGIMES = (
    "intensive_work_search",
    "light_touch",
    "work_focused_interview",
    "work_preparation",
    "no_work_related_requirements",
)
UC_DEDUCTION_KINDS = (
    "advance",
    "overpayment",
    "third_party_rent_arrears",
    "third_party_council_tax",
    "hardship_payment",
)
PIP_CLAIM_STAGES = (
    "registration",
    "form",
    "assessment",
    "decision",
    "mandatory_reconsideration",
    "appeal",
)
PIP_PROVIDERS = ("Capita", "IAS")
WORK_COACHES = (
    "Priya Shah",
    "Gareth Lloyd",
    "Maureen Doyle",
    "Tariq Hussain",
    "Fiona Reid",
    "Lee Chapman",
    "Adebayo Okoro",
    "Helen Marsh",
    "Craig Munro",
    "Sinead Byrne",
)


def nino_for(index: int) -> str:
    """Customer i <-> ZX + i as six digits + suffix 'ABCD'[i % 4]: one-to-one for i < 1,000,000."""
    return f"{NINO_PREFIX}{index:06d}{'ABCD'[index % 4]}"


def index_for(nino: str) -> int | None:
    match = _NINO.fullmatch(nino)
    if not match:
        return None
    index = int(match.group(1))
    return index if "ABCD"[index % 4] == match.group(2) else None


def real_today() -> date:
    """Today's date in UTC: day 0 of a population built without a fixed start date."""
    return datetime.now(UTC).date()


def _mix(value: int) -> int:
    """splitmix64: a cheap, well-spread hash, so deciding who holds what costs ~2 microseconds."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


class Population:
    """N customers; `holds` is cheap (feeds scan it), `customer` builds one in full."""

    def __init__(self, *, size: int, seed: str | int, start_date: date | None = None):
        """`start_date` is day 0; without one, today (UTC): the history runs back from today."""
        if not 1 <= size <= MAX_CUSTOMERS:
            raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}")
        self.size = size
        self.seed = str(seed)
        self.start_date = start_date or real_today()
        self._key = int.from_bytes(hashlib.blake2b(self.seed.encode(), digest_size=8).digest())
        # An affine permutation of the indices picks the near-pension band, so the customers
        # reaching State Pension age on a given day can be listed without scanning everyone.
        self._near_count = size // 100
        self._multiplier = next(
            m for m in range(1_000_003 + self._key % 1000, 10**8) if gcd(m, size) == 1
        )
        self._offset = self._key % size
        self._inverse = pow(self._multiplier, -1, size) if size > 1 else 0

    def holds(self, index: int) -> tuple[bool, bool, bool, bool]:
        """Which of (uc, pip, esa, sp) customer `index` holds on day 0."""
        return self._profile(index)[1:]

    def reaching_pension_age(self, day: int) -> list[int]:
        """Indices of the customers whose State Pension date is start_date + `day`."""
        count, horizon = self._near_count, NEAR_PENSION_DAYS
        first, stop = -(-(day - 1) * count // horizon), -(-day * count // horizon)
        return sorted(
            (position - self._offset) * self._inverse % self.size
            for position in range(max(0, first), min(stop, count))
        )

    def customer(self, index: int, only: str | None = None) -> Customer:
        """Customer `index` as on day 0 in the canonical shape, each source at version index+1.

        Each benefit has its own random stream, so `only` can build just the source a feed page
        needs and still get exactly what a full build would.
        """
        band, *held = self._profile(index)
        rng = stream(self.seed, index)
        nino = nino_for(index)
        born = self._date_of_birth(band, index, rng)
        identity = person(rng, born)
        died = None
        if rng.random() < (0.012 if band == "pension" else 0.002):
            died = self.start_date - timedelta(days=between(rng, 1, 200))
            identity["date_of_death"] = died.isoformat()
        as_of = died or self.start_date
        holders = [system for system, holding in zip(SYSTEMS, held, strict=True) if holding]
        drifted = pick(rng, holders) if holders and rng.random() < 0.03 else None
        drifted_identity = drift(identity, rng) if drifted else identity
        sources: dict[str, Source] = {}
        for system in holders:
            if only and system != only:
                continue
            system_rng = stream(self.seed, index, system)
            if system == "uc":
                award = uc_claim(
                    system_rng, index=index, born=born, as_of=as_of, lcwra_likely=held[1]
                )
            elif system == "pip":
                award = _pip_award(system_rng, index=index, born=born, as_of=as_of)
            elif system == "esa":
                award = _esa_award(system_rng, born=born, as_of=as_of)
            else:
                award = sp_award(
                    system_rng, nino=nino, as_of=as_of, sp_date=add_years(born, awards.SP_AGE)
                )
            source = with_header(
                system,
                award,
                drifted_identity if system == drifted else identity,
                version=index + 1,
                changed_at=self.changed_at(0, 0),
            )
            if died:
                close(system, source, died)
            sources[system] = source
        return {"nino": nino, "identity": identity, "sources": sources}

    def changed_at(self, day: int, slot: int) -> str:
        """Feed timestamps: day 0 is start_date at midnight; day d's changes from 02:00 on."""
        moment = self.start_date + timedelta(days=day)
        seconds = 0 if day == 0 else min(7200 + slot, 86399)
        hours, minutes = divmod(seconds // 60, 60)
        return f"{moment.isoformat()}T{hours:02d}:{minutes:02d}:{seconds % 60:02d}Z"

    def _profile(self, index: int) -> tuple[str, bool, bool, bool, bool]:
        bits = _mix(self._key ^ index)
        u0, u1, u2, u3 = ((bits >> shift & 0xFFFF) / 65536 for shift in (0, 16, 32, 48))
        if (self._multiplier * index + self._offset) % self.size < self._near_count:
            esa = u1 < 0.10
            return "near_pension", not esa and u2 < 0.40, u3 < 0.25, esa, False
        if u0 < 0.5:
            return "pension", False, u2 < 0.13, False, u1 < 0.97
        esa = u1 < 0.11
        return "working", not esa and u2 < 0.72, u3 < 0.30, esa, False

    def _date_of_birth(self, band: str, index: int, rng: random.Random) -> date:
        if band == "near_pension":
            position = (self._multiplier * index + self._offset) % self.size
            sp_date = self.start_date + timedelta(
                days=1 + position * NEAR_PENSION_DAYS // self._near_count
            )
            return add_years(sp_date, -awards.SP_AGE)
        if band == "pension":
            days = 66 * 365 + 17 + int(rng.expovariate(1 / (9 * 365))) % (32 * 365)
        else:
            days = between(rng, 18 * 365 + 5, 65 * 365 - 1)
        return self.start_date - timedelta(days=days)


def with_header(
    system: str, award: Source, identity: dict[str, Any], *, version: int, changed_at: str
) -> Source:
    """Every source starts with version, changed_at and the identity as that system holds it."""
    held = {
        **identity,
        "middle_names": list(identity["middle_names"]),
        "address": dict(identity["address"]),
    }
    return {
        "version": version,
        "changed_at": changed_at,
        "identity": as_held_by(system, held),
        **award,
    }


def close(system: str, source: Source, end: date) -> None:
    """End an award: payments after the end date never happened, and none is scheduled."""
    source["status"] = "closed"
    source["end_date"] = end.isoformat()
    source["payments"] = [
        item for item in source["payments"] if item["payment_date"] <= source["end_date"]
    ]
    source["next_payment"] = None
    if system == "esa":
        source["migration_notice_date"] = source["migration_deadline_date"] = None


def arrears(rng: random.Random, *, paid_on: date, since: date) -> dict[str, Any]:
    """An arrears payment: a quarter are large (over £5,000), the rest up to £3,000."""
    large = rng.random() < 0.25
    amount = between(rng, 500_001, 1_500_000) if large else between(rng, 5_000, 300_000)
    start = max(since, paid_on - timedelta(days=between(rng, 60, 900)))
    return awards.payment(
        paid_on,
        amount,
        "arrears",
        min(start, paid_on - timedelta(days=1)),
        paid_on - timedelta(days=1),
    )


def scheduled_arrears(
    rng: random.Random,
    *,
    decided: date,
    since: date,
    amount_pence: int | None = None,
    paid_on: date | None = None,
) -> dict[str, Any]:
    """Arrears decided on `decided` (a revised or backdated award, an underpayment found) and
    paid 7 to 42 days later: the period covered ends the day before the decision.

    Without an amount, half are large (over £5,000): backdated disability and pension arrears
    often run to many months.
    """
    if amount_pence is None:
        large = rng.random() < 0.5
        amount_pence = between(rng, 500_001, 1_800_000) if large else between(rng, 20_000, 450_000)
    paid_on = paid_on or decided + timedelta(days=between(rng, *ARREARS_PAID_AFTER_DAYS))
    end = decided - timedelta(days=1)
    start = max(since, decided - timedelta(days=between(rng, 90, 900)))
    return awards.payment(paid_on, amount_pence, "arrears", min(start, end), end)


def support_need(rng: random.Random, *, code: str | None = None, recorded: date) -> dict[str, Any]:
    code = code or pick(rng, tuple(SUPPORT_NEEDS))
    return {"code": code, "details": SUPPORT_NEEDS[code], "recorded_date": recorded.isoformat()}


def uc_claim(
    rng: random.Random,
    *,
    index: int,
    born: date,
    as_of: date,
    lcwra_likely: bool,
    start: date | None = None,
) -> Source:
    """A UC claim live on `as_of` (started on `start`, or some time in the last eight years)."""
    if start is None:
        earliest = max(date(2016, 5, 1), add_years(born, 18))
        start = as_of - timedelta(
            days=between(rng, 40, max(40, min(8 * 365, (as_of - earliest).days)))
        )
    start = start.replace(day=min(start.day, 28))  # assessment periods start on days 1-28
    household = "couple" if rng.random() < 0.25 else "single"
    allowance = awards.uc_standard_allowance(household, age_on(born, as_of) < 25)
    lcwra = rng.random() < (0.5 if lcwra_likely else 0.15)
    elements = [{"kind": "lcwra", "amount_pence": awards.UC_LCWRA}] if lcwra else []
    children = 0 if rng.random() < 0.62 else pick(rng, (1, 1, 2, 2, 3))
    for child in range(min(children, 2)):  # the two-child limit
        first_pre_2017 = child == 0 and born.year < 1995 and rng.random() < 0.4
        elements.append(
            {
                "kind": "child",
                "amount_pence": awards.UC_CHILD_FIRST_BORN_PRE_2017
                if first_pre_2017
                else awards.UC_CHILD,
            }
        )
    if rng.random() < 0.07:
        elements.append({"kind": "carer", "amount_pence": awards.UC_CARER})
    if rng.random() < 0.55:
        elements.append({"kind": "housing", "amount_pence": between(rng, 350, 1100) * 100})
    deductions = []
    if rng.random() < 0.3:
        room = awards.uc_deduction_cap(allowance)
        for kind in rng.sample(UC_DEDUCTION_KINDS, between(rng, 1, 2)):
            amount = min(between(rng, 1000, 6000), room)
            if amount:
                deductions.append({"kind": kind, "amount_pence": amount})
                room -= amount
    roll = rng.random()
    regime = (
        "no_work_related_requirements"
        if lcwra
        else CONDITIONALITY_REGIMES[
            0 if roll < 0.6 else 1 if roll < 0.75 else 2 if roll < 0.85 else 3
        ]
    )
    sanctions = []
    if regime == "intensive_work_search" and rng.random() < 0.04:
        began = max(start, as_of - timedelta(days=between(rng, 0, 150)))
        days = pick(rng, (91, 182))
        sanctions.append(
            {
                "level": "higher",
                "start_date": began.isoformat(),
                "end_date": (began + timedelta(days=days - 1)).isoformat(),
                "daily_rate_pence": awards.uc_sanction_daily_rate(allowance),
            }
        )
    needs = []
    if rng.random() < 0.13:
        for code in rng.sample(tuple(SUPPORT_NEEDS), between(rng, 1, 2)):
            recorded = start + timedelta(days=between(rng, 0, max(0, (as_of - start).days)))
            needs.append(support_need(rng, code=code, recorded=recorded))
    source: Source = {
        "claim_id": f"UC{index:07d}",
        "status": "live",
        "start_date": start.isoformat(),
        "end_date": None,
        "household": household,
        "standard_allowance_pence": allowance,
        "assessment_period": None,
        "elements": elements,
        "deductions": deductions,
        "sanctions": sanctions,
        "claimant_commitment_date": (start + timedelta(days=between(rng, 0, 14))).isoformat(),
        "conditionality_regime": regime,
        "work_coach": pick(rng, WORK_COACHES),
        "support_needs": needs,
        "award_amount_pence": 0,
        "payments": [],
        "next_payment": None,
    }
    awards.uc_recalculate(source, as_of)
    awards.refresh_payments("uc", source, as_of)
    # An underpayment found on a claim with additional support needs (LCWRA backdated, say).
    _maybe_arrears(rng, source, as_of, pending=0.05 if needs else 0.003)
    return source


def _pip_award(rng: random.Random, *, index: int, born: date, as_of: date) -> Source:
    roll = rng.random()
    stage = (
        "decision"
        if roll < 0.92
        else pick(rng, PIP_CLAIM_STAGES[:3])
        if roll < 0.95
        else "mandatory_reconsideration"
        if roll < 0.98
        else "appeal"
    )
    source: Source = {
        "claim_ref": f"PIP{index:07d}",
        "status": "pending",
        "start_date": None,
        "end_date": None,
        "claim_stage": stage,
        "assessment_provider": pick(rng, PIP_PROVIDERS),
        "daily_living_level": "none",
        "mobility_level": "none",
        "daily_living_weekly_pence": 0,
        "mobility_weekly_pence": 0,
        "award_end_date": None,
        "review_date": None,
        "mr_status": "requested" if stage == "mandatory_reconsideration" else "none",
        "appeal_status": pick(rng, ("lodged", "hearing_listed")) if stage == "appeal" else "none",
        "payments": [],
        "next_payment": None,
    }
    if stage in PIP_CLAIM_STAGES[:3]:  # a new claim not yet decided
        source["start_date"] = (as_of - timedelta(days=between(rng, 5, 120))).isoformat()
        return source
    if stage == "appeal":
        source["mr_status"] = "not_revised"
    ongoing = rng.random() < (0.7 if age_on(born, as_of) >= awards.SP_AGE else 0.2)
    years = between(rng, 1, 10)
    started = as_of - timedelta(days=between(rng, 30, 9 * 365 if ongoing else years * 365 - 30))
    started = max(started, add_years(born, 16))
    # New claims are not possible after State Pension age; older customers' awards began before.
    started = min(started, add_years(born, awards.SP_AGE) - timedelta(days=30))
    if not ongoing and add_years(started, years) <= as_of:
        ongoing = True
    source["start_date"] = started.isoformat()
    set_pip_levels(source, *_pip_levels(rng))
    if ongoing:  # light-touch review every 10 years: the next one still to come
        review = add_years(started, 10)
        while review <= as_of:
            review = add_years(review, 10)
        source["review_date"] = review.isoformat()
    else:
        ends = add_years(started, years)
        source["award_end_date"] = ends.isoformat()
        review = add_years(ends, -1) if years >= 2 else ends - timedelta(days=90)
        # A live award's review is still to come (between today and the award's end).
        source["review_date"] = min(ends, max(review, as_of + timedelta(days=14))).isoformat()
    source["status"] = "live"
    awards.refresh_payments("pip", source, as_of)
    _maybe_arrears(rng, source, as_of)
    if rng.random() < 0.006 and stage == "decision" and (as_of - started).days > 120:
        # Revised on mandatory reconsideration or allowed on appeal in the last fortnight: the
        # award is backdated, and the arrears are still to be paid.
        revised = rng.random() < 0.4
        source["mr_status"] = "revised" if revised else "not_revised"
        source["appeal_status"] = "none" if revised else "allowed"
        weeks = min((as_of - started).days // 7, between(rng, 30, 90))
        source["payments"].append(
            scheduled_arrears(
                rng,
                decided=as_of - timedelta(days=between(rng, 0, 14)),
                since=started,
                amount_pence=awards.pip_weekly(source) * weeks,
                paid_on=as_of + timedelta(days=between(rng, 3, 35)),
            )
        )
        awards.trim_payments(source)
    return source


def _pip_levels(rng: random.Random) -> tuple[str, str]:
    roll, other = rng.random(), rng.random()
    daily = "none" if roll < 0.15 else "standard" if roll < 0.6 else "enhanced"
    mobility = "none" if other < 0.35 else "standard" if other < 0.65 else "enhanced"
    return ("standard" if daily == mobility == "none" else daily), mobility


def set_pip_levels(source: Source, daily_living: str, mobility: str) -> None:
    source["daily_living_level"], source["mobility_level"] = daily_living, mobility
    source["daily_living_weekly_pence"] = awards.PIP_DAILY_LIVING[daily_living]
    source["mobility_weekly_pence"] = awards.PIP_MOBILITY[mobility]


def _esa_award(rng: random.Random, *, born: date, as_of: date) -> Source:
    income_related = rng.random() < 0.55
    adult = add_years(born, 18)
    if income_related:  # legacy claims, closed to new claims, so years old
        started = max(adult, as_of - timedelta(days=between(rng, 3 * 365, 12 * 365)))
    else:
        started = max(adult, as_of - timedelta(days=between(rng, 8, 2 * 365)))
    main_phase = (as_of - started).days >= awards.ESA_ASSESSMENT_PHASE_DAYS
    group = ("support" if rng.random() < 0.65 else "wrag") if main_phase else None
    if group == "wrag" and not income_related and (as_of - started).days > 365:
        group = "support"  # contribution-based WRAG stops after 365 days
    referral = started + timedelta(days=28)
    assessed = started + timedelta(days=70 + between(rng, 0, 20))
    notice = (
        as_of - timedelta(days=between(rng, 0, 60))
        if income_related and rng.random() < 0.25
        else None
    )
    source: Source = {
        "esa_type": "income_related" if income_related else "new_style",
        "status": "live",
        "start_date": started.isoformat(),
        "end_date": None,
        "phase": "main" if main_phase else "assessment",
        "group": group,
        "weekly_amount_pence": awards.esa_weekly(
            phase="main" if main_phase else "assessment",
            group=group,
            under_25=age_on(born, as_of) < 25,
            start_date=started,
        ),
        "wca_referral_date": referral.isoformat() if referral <= as_of else None,
        "wca_date": assessed.isoformat() if main_phase else None,
        "wca_outcome": ("support_group" if group == "support" else "wrag")
        if main_phase
        else "pending",
        "time_limit_date": (
            (started + timedelta(days=365)).isoformat()
            if group == "wrag" and not income_related
            else None
        ),
        "migration_notice_date": notice.isoformat() if notice else None,
        "migration_deadline_date": add_months(notice, 3).isoformat() if notice else None,
        "payments": [],
        "next_payment": None,
    }
    awards.refresh_payments("esa", source, as_of)
    _maybe_arrears(rng, source, as_of)
    return source


def sp_award(rng: random.Random, *, nino: str, as_of: date, sp_date: date) -> Source:
    """A State Pension in payment from `sp_date` plus any deferral already served."""
    deferral = between(rng, 5, 260) if rng.random() < 0.08 else 0
    deferral = min(deferral, max(0, (as_of - sp_date).days // 7 - 5))
    pension_type = "new" if sp_date >= awards.SP_NEW_FROM else "basic"
    if pension_type == "new":
        years = 35 if rng.random() < 0.65 else between(rng, 10, 34)
        additional = 0
    else:
        years = 30 if rng.random() < 0.7 else between(rng, 10, 29)
        additional = between(rng, 0, 180) * 100
    source: Source = {
        "pension_type": pension_type,
        "status": "live",
        "start_date": (sp_date + timedelta(weeks=deferral)).isoformat(),
        "end_date": None,
        "sp_date": sp_date.isoformat(),
        "qualifying_years": years,
        "additional_pence": additional,
        "deferral_weeks": deferral,
        "weekly_amount_pence": awards.sp_weekly(
            pension_type=pension_type,
            qualifying_years=years,
            additional_pence=additional,
            deferral_weeks=deferral,
        ),
        "payment_weekday": awards.sp_weekday(nino),
        "payments": [],
        "next_payment": None,
    }
    awards.refresh_payments("sp", source, as_of)
    _maybe_arrears(rng, source, as_of)
    return source


def _maybe_arrears(
    rng: random.Random, source: Source, as_of: date, *, pending: float = 0.003
) -> None:
    """Now and then arrears paid in the past; with chance `pending`, arrears decided in the last
    fortnight and still to be paid (a revised PIP award, a State Pension underpayment found)."""
    started = date.fromisoformat(source["start_date"])
    if rng.random() < 0.025 and (as_of - started).days > 60:
        paid_on = as_of - timedelta(days=between(rng, 1, min(300, (as_of - started).days - 1)))
        source["payments"].append(arrears(rng, paid_on=paid_on, since=started))
        awards.trim_payments(source)
    if rng.random() < pending and (as_of - started).days > 60 and source["status"] == "live":
        decided = as_of - timedelta(days=between(rng, 0, 14))
        source["payments"].append(
            scheduled_arrears(
                rng,
                decided=decided,
                since=started,
                paid_on=as_of + timedelta(days=between(rng, 3, 35)),
            )
        )
        awards.trim_payments(source)
