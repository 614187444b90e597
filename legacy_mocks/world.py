"""The simulated clock and what it changes: daily events, per-system change logs, feed reads."""

import copy
import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from legacy_mocks import awards
from legacy_mocks.awards import SYSTEMS, Source, add_years, age_on
from legacy_mocks.names import address, as_held_by
from legacy_mocks.population import (
    ARREARS_PAID_AFTER_DAYS,
    SUPPORT_NEEDS,
    UC_DEDUCTION_KINDS,
    Customer,
    Population,
    close,
    index_for,
    scheduled_arrears,
    set_pip_levels,
    sp_award,
    support_need,
    uc_claim,
    with_header,
)
from legacy_mocks.randomness import between, pick, stream

DEFAULT_CHANGE_RATE = 0.0015  # of customers per simulated day: 7 days is about 1%
DEFAULT_PIP_BATCH_SIZE = 5000
_POSITION = {system: position for position, system in enumerate(SYSTEMS)}
_LEVELS = ("none", "standard", "enhanced")
_HEALTH_NEEDS = ("MENTAL_HEALTH", "LEARNING_DISABILITY", "ADDICTION")


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """One record as a feed serves it: a source snapshot at `version` (never mutated)."""

    version: int
    index: int
    nino: str
    source: Source
    previous: Source | None = None  # the customer's prior record in this system, if any


@dataclass(frozen=True, slots=True)
class PipBatch:
    batch_id: int
    first_version: int
    last_version: int
    record_count: int
    created_at: str


class World:
    """Day-0 population plus the changes since: memory grows with the changes, not with N."""

    def __init__(
        self,
        population: Population,
        *,
        change_rate: float = DEFAULT_CHANGE_RATE,
        pip_batch_size: int = DEFAULT_PIP_BATCH_SIZE,
        pay_on_schedule: bool = False,
    ):
        """`pay_on_schedule`: every day, each live award whose next payment falls due is paid
        and its next one scheduled (a change in that system), so no record's next payment lies
        in the past. It looks at every customer once, so it suits demo sizes, not 1,000,000."""
        self.population = population
        self.change_rate = change_rate
        self.pip_batch_size = pip_batch_size
        self.pay_on_schedule = pay_on_schedule
        self._next_due: dict[int, str] | None = None  # index -> earliest next payment date
        self.day = 0
        self._current: dict[int, Customer] = {}  # customers changed since day 0
        self._logs: dict[str, list[FeedRecord]] = {system: [] for system in SYSTEMS}
        self._pip_initial: list[PipBatch] | None = None  # worked out on first use
        self._pip_daily: list[tuple[int, int, str]] = []  # (first, last version, created)
        self._lock = threading.Lock()

    @property
    def today(self) -> date:
        return self.population.start_date + timedelta(days=self.day)

    def customer(self, index: int) -> Customer:
        return self._current.get(index) or self.population.customer(index)

    def latest_version(self, system: str) -> int:
        return self.population.size + len(self._logs[system])

    def records_after(self, system: str, version: int, limit: int) -> list[FeedRecord]:
        """Up to `limit` records of `system` with a version above `version`, in version order."""
        return self.records_between(system, version + 1, self.latest_version(system), limit)

    def records_between(
        self, system: str, first: int, last: int, limit: int | None = None
    ) -> list[FeedRecord]:
        size, position = self.population.size, _POSITION[system]
        limit = limit if limit is not None else last - first + 1
        records: list[FeedRecord] = []
        # Day-0 records: customer i is version i + 1, served only if it held the benefit then.
        holds, build = self.population.holds, self.population.customer
        for index in range(max(0, first - 1), min(size, last)):
            if len(records) >= limit:
                return records
            if holds(index)[position]:
                built = build(index, system)
                records.append(
                    FeedRecord(index + 1, index, built["nino"], built["sources"][system])
                )
        log = self._logs[system]
        start = max(0, first - size - 1)
        return records + log[start : max(start, last - size)][: limit - len(records)]

    def version_at(self, system: str, moment: str) -> int:
        """The last version of `system` whose changed_at is at or before `moment` (ISO, UTC)."""
        if moment < self.population.changed_at(0, 0):
            return 0
        stamps = [record.source["changed_at"] for record in self._logs[system]]
        return self.population.size + bisect_right(stamps, moment)

    def pip_batches(self) -> list[PipBatch]:
        """PIPCS export batches: the day-0 export in fixed-size batches, then one set per day."""
        with self._lock:
            batches = list(self._initial_pip_batches())
            for first, last, created in self._pip_daily:
                batches.append(PipBatch(len(batches) + 1, first, last, last - first + 1, created))
            return batches

    def advance(self, days: int) -> dict[str, int]:
        """Move the clock on `days` days; returns how many records each system changed."""
        if not 0 <= days <= 3660:
            raise ValueError("days must be between 0 and 3660")
        changed = dict.fromkeys(SYSTEMS, 0)
        with self._lock:
            for _ in range(days):
                self.day += 1
                pip_before = len(self._logs["pip"])
                for system, count in self._run_day().items():
                    changed[system] += count
                self._publish_pip_day(pip_before)
        return changed

    def truth(self, index: int, malformed: Callable[[str, int], bool]) -> Customer:
        """The customer's current state across systems, each source flagged if served malformed."""
        state = self.customer(index)
        return {
            **state,
            "sources": {
                system: {**source, "malformed": malformed(system, source["version"])}
                for system, source in state["sources"].items()
            },
        }

    def claim_index(self, claim_id: str) -> int | None:
        if len(claim_id) != 9 or not claim_id.startswith("UC") or not claim_id[2:].isdigit():
            return None
        index = int(claim_id[2:])
        if index >= self.population.size or "uc" not in self.customer(index)["sources"]:
            return None
        return index

    def _initial_pip_batches(self) -> list[PipBatch]:
        if self._pip_initial is None:
            # One cheap scan of who holds PIP on day 0 fixes the batch boundaries.
            batches: list[PipBatch] = []
            first, count, stamp = 0, 0, self.population.changed_at(0, 0)
            for index in range(self.population.size):
                if self.population.holds(index)[_POSITION["pip"]]:
                    first, count = first or index + 1, count + 1
                    if count == self.pip_batch_size:
                        batches.append(PipBatch(len(batches) + 1, first, index + 1, count, stamp))
                        first, count = 0, 0
            if count:
                batches.append(
                    PipBatch(len(batches) + 1, first, self.population.size, count, stamp)
                )
            self._pip_initial = batches
        return self._pip_initial

    def _publish_pip_day(self, first_new: int) -> None:
        """The nightly export: the day's PIP changes, in batches of at most the batch size."""
        size, count = self.population.size, len(self._logs["pip"])
        created = f"{self.today.isoformat()}T23:59:59Z"
        for start in range(first_new, count, self.pip_batch_size):
            last = min(start + self.pip_batch_size, count)
            self._pip_daily.append((size + start + 1, size + last, created))

    def _run_day(self) -> dict[str, int]:
        changed = dict.fromkeys(SYSTEMS, 0)
        slot = 0
        size, today = self.population.size, self.today
        for index in self.population.reaching_pension_age(self.day):
            state = copy.deepcopy(self.customer(index))
            touched = _start_state_pension(state, stream(self.population.seed, "sp", index), today)
            if touched:
                self._record(index, state, touched, slot, changed)
                slot += 1
        if self.pay_on_schedule:
            for index in self._due_by(today):
                state = copy.deepcopy(self.customer(index))
                touched = _pay_due(state, today)
                if touched:
                    self._record(index, state, touched, slot, changed)
                    slot += 1
        # Spread the fractional rate over days, so 0.15% of 1,000 customers still changes someone.
        events = int(self.change_rate * size * self.day) - int(
            self.change_rate * size * (self.day - 1)
        )
        for number in range(events):
            rng = stream(self.population.seed, "event", self.day, number)
            kind = rng.choices(tuple(EVENTS), weights=[weight for weight, _ in EVENTS.values()])[0]
            for _ in range(30):  # look for a customer this kind of event can happen to
                index = int(rng.random() * size)
                state = copy.deepcopy(self.customer(index))
                touched = EVENTS[kind][1](state, rng, today)
                if touched:
                    self._record(index, state, touched, slot, changed)
                    slot += 1
                    break
        return changed

    def _record(
        self, index: int, state: Customer, touched: set[str], slot: int, changed: dict[str, int]
    ) -> None:
        before = self.customer(index)
        stamp = self.population.changed_at(self.day, slot)
        for system in SYSTEMS:
            if system not in touched:
                continue
            source = state["sources"][system]
            if source["status"] == "live":  # a new record is a snapshot as of today
                _refresh(system, source, self.today)
            source["version"] = self.latest_version(system) + 1
            source["changed_at"] = stamp
            self._logs[system].append(
                FeedRecord(
                    source["version"], index, state["nino"], source, before["sources"].get(system)
                )
            )
            changed[system] += 1
        self._current[index] = state
        if self._next_due is not None:
            self._next_due[index] = _earliest_due(state)

    def _due_by(self, today: date) -> list[int]:
        """Customers with a scheduled payment on or before `today`, in index order."""
        if self._next_due is None:  # one look at everyone, then kept up to date by _record
            self._next_due = {
                index: _earliest_due(self.customer(index)) for index in range(self.population.size)
            }
        moment = today.isoformat()
        return sorted(index for index, due in self._next_due.items() if due and due <= moment)


# Events: each takes a private copy of a customer's state, changes it and returns the systems
# whose records changed, or None when the event cannot happen to this customer.
Event = Callable[[Customer, Random, date], set[str] | None]


def _live(state: Customer, system: str) -> Source | None:
    source = state["sources"].get(system)
    return source if source and source["status"] == "live" else None


def _alive(state: Customer) -> bool:
    return state["identity"]["date_of_death"] is None


def _refresh(system: str, source: Source, today: date) -> None:
    """Bring a live award up to `today`: payments due made, the next scheduled, a PIP review
    date that has passed replaced by the next one."""
    if system == "uc":
        awards.uc_recalculate(source, today)
    if system == "pip" and source["status"] == "live" and source["review_date"]:
        _pip_reviewed(source, today)
    awards.refresh_payments(system, source, today)


def _pip_reviewed(source: Source, today: date) -> None:
    """A review date that passed was a review with no change: the award runs on (fixed-term
    awards for two more years a review, ongoing ones to the next ten-year review)."""
    review = date.fromisoformat(source["review_date"])
    if review > today:
        return
    fixed_term = source["award_end_date"] is not None
    while review <= today:
        review = add_years(review, 2 if fixed_term else 10)
    source["review_date"] = review.isoformat()
    if fixed_term:
        ends = max(date.fromisoformat(source["award_end_date"]), add_years(review, 1))
        source["award_end_date"] = ends.isoformat()


def _earliest_due(state: Customer) -> str:
    """The earliest next-payment date across the customer's awards ("" when none is set)."""
    dates = [
        source["next_payment"]["payment_date"]
        for source in state["sources"].values()
        if source["status"] == "live" and source.get("next_payment")
    ]
    return min(dates, default="")


def _pay_due(state: Customer, today: date) -> set[str]:
    """Pay every award whose next payment is due by `today` and schedule the one after."""
    touched = set()
    for system, source in state["sources"].items():
        due = source.get("next_payment")
        if source["status"] == "live" and due and due["payment_date"] <= today.isoformat():
            _refresh(system, source, today)
            touched.add(system)
    return touched


def _payment(state: Customer, rng: Random, today: date) -> set[str] | None:
    live = [system for system in SYSTEMS if _live(state, system)]
    if not live:
        return None
    system = pick(rng, live)
    _refresh(system, state["sources"][system], today)
    return {system}


def _arrears(state: Customer, rng: Random, today: date) -> set[str] | None:
    """Arrears decided today and paid in a few weeks: an underpayment found on UC or ESA, a
    State Pension underpayment or deferral lump sum, a PIP award corrected."""
    live = [
        system
        for system in SYSTEMS
        if _live(state, system)
        and (today - date.fromisoformat(state["sources"][system]["start_date"])).days > 30
    ]
    if not live:
        return None
    system = pick(rng, live)
    source = state["sources"][system]
    _refresh(system, source, today)
    source["payments"].append(
        scheduled_arrears(rng, decided=today, since=date.fromisoformat(source["start_date"]))
    )
    awards.trim_payments(source)
    return {system}


def _uc_lcwra_backdated(state: Customer, rng: Random, today: date) -> set[str] | None:
    """A work capability assessment finds limited capability for work-related activity: the
    LCWRA element is backdated and paid as arrears, and the health condition behind it is
    recorded as an additional support need if it was not already."""
    source = _live(state, "uc")
    if not source or any(item["kind"] == "lcwra" for item in source["elements"]):
        return None
    started = date.fromisoformat(source["start_date"])
    months = min((today - started).days // 30, between(rng, 9, 24))
    if months < 3:
        return None
    source["elements"].insert(0, {"kind": "lcwra", "amount_pence": awards.UC_LCWRA})
    source["conditionality_regime"] = "no_work_related_requirements"
    if not any(need["code"] in _HEALTH_NEEDS for need in source["support_needs"]):
        code = pick(rng, _HEALTH_NEEDS)
        source["support_needs"].append(support_need(rng, code=code, recorded=today))
    ended = [item for item in source["sanctions"] if item["end_date"] < today.isoformat()]
    source["sanctions"] = ended  # no work-related requirements: a current sanction is lifted
    _refresh("uc", source, today)
    source["payments"].append(
        scheduled_arrears(
            rng,
            decided=today,
            since=started,
            amount_pence=awards.UC_LCWRA * months,
            paid_on=today + timedelta(days=between(rng, *ARREARS_PAID_AFTER_DAYS)),
        )
    )
    awards.trim_payments(source)
    return {"uc"}


def _new_claim(state: Customer, rng: Random, today: date) -> set[str] | None:
    born = date.fromisoformat(state["identity"]["date_of_birth"])
    if not _alive(state) or age_on(born, today) >= awards.SP_AGE - 1:
        return None
    index = index_for(state["nino"])
    assert index is not None
    can_uc = not _live(state, "uc") and not _live(state, "esa")
    can_pip = "pip" not in state["sources"] or state["sources"]["pip"]["status"] == "closed"
    if can_uc and (not can_pip or rng.random() < 0.6):
        claim = uc_claim(
            rng,
            index=index,
            born=born,
            as_of=today,
            lcwra_likely=bool(_live(state, "pip")),
            start=today,
        )
        state["sources"]["uc"] = with_header(
            "uc", claim, state["identity"], version=0, changed_at=""
        )
        return {"uc"}
    if can_pip:
        claim = {
            "claim_ref": f"PIP{index:07d}",
            "status": "pending",
            "start_date": today.isoformat(),
            "end_date": None,
            "claim_stage": "registration",
            "assessment_provider": pick(rng, ("Capita", "IAS")),
            "daily_living_level": "none",
            "mobility_level": "none",
            "daily_living_weekly_pence": 0,
            "mobility_weekly_pence": 0,
            "award_end_date": None,
            "review_date": None,
            "mr_status": "none",
            "appeal_status": "none",
            "payments": [],
            "next_payment": None,
        }
        state["sources"]["pip"] = with_header(
            "pip", claim, state["identity"], version=0, changed_at=""
        )
        return {"pip"}
    return None


def _shift_level(level: str, step: int) -> str:
    return _LEVELS[min(2, max(0, _LEVELS.index(level) + step))]


def _pip_award_change(state: Customer, rng: Random, today: date) -> set[str] | None:
    source = _live(state, "pip")
    if not source or source["claim_stage"] != "decision":
        return None
    step = 1 if rng.random() < 0.5 else -1
    daily, mobility = source["daily_living_level"], source["mobility_level"]
    if rng.random() < 0.5:
        daily = _shift_level(daily, step)
    else:
        mobility = _shift_level(mobility, step)
    if daily == mobility == "none":
        daily = "standard"
    _award_pip(source, rng, today, daily, mobility, backdate=step > 0)
    return {"pip"}


def _pip_review(state: Customer, rng: Random, today: date) -> set[str] | None:
    source = _live(state, "pip")
    if not source or source["claim_stage"] != "decision":
        return None
    years = between(rng, 2, 10)
    source["award_end_date"] = add_years(today, years).isoformat()
    source["review_date"] = add_years(today, years - 1).isoformat()
    daily, mobility = source["daily_living_level"], source["mobility_level"]
    if rng.random() < 0.3:  # reviews sometimes change the award
        daily = _shift_level(daily, pick(rng, (-1, 1)))
    _award_pip(
        source,
        rng,
        today,
        "standard" if daily == mobility == "none" else daily,
        mobility,
        backdate=False,
    )
    return {"pip"}


def _pip_claim_progress(state: Customer, rng: Random, today: date) -> set[str] | None:
    source = state["sources"].get("pip")
    if not source or not _alive(state) or source["status"] == "closed":
        return None
    stage = source["claim_stage"]
    if stage in ("registration", "form"):
        source["claim_stage"] = "form" if stage == "registration" else "assessment"
    elif stage == "assessment":  # decided: paid from the claim date, so arrears come first
        source["claim_stage"] = "decision"
        source["award_end_date"] = add_years(today, 3).isoformat()
        source["review_date"] = add_years(today, 2).isoformat()
        _award_pip(source, rng, today, pick(rng, _LEVELS[1:]), pick(rng, _LEVELS), backdate=True)
    elif stage == "mandatory_reconsideration":
        revised = rng.random() < 0.3
        source["mr_status"] = "revised" if revised else "not_revised"
        source["claim_stage"] = "decision" if revised else "appeal"
        source["appeal_status"] = "none" if revised else "lodged"
        if revised:
            _award_pip(
                source,
                rng,
                today,
                _shift_level(source["daily_living_level"], 1),
                source["mobility_level"],
                backdate=True,
            )
    elif stage == "appeal":
        allowed = rng.random() < 0.6  # most PIP appeals heard are allowed
        source["appeal_status"] = "allowed" if allowed else "dismissed"
        source["claim_stage"] = "decision"
        if allowed:
            _award_pip(
                source,
                rng,
                today,
                "enhanced",
                _shift_level(source["mobility_level"], 1),
                backdate=True,
            )
    elif rng.random() < 0.5:  # a decided award is challenged
        source["claim_stage"], source["mr_status"] = "mandatory_reconsideration", "requested"
    else:
        return None
    return {"pip"}


def _award_pip(
    source: Source, rng: Random, today: date, daily: str, mobility: str, *, backdate: bool
) -> None:
    """Set the components; a backdated increase is paid as arrears, often a large sum."""
    old_weekly = awards.pip_weekly(source)
    set_pip_levels(source, daily, mobility)
    source["status"] = "live"
    _refresh("pip", source, today)
    if not old_weekly:  # a first award: the weeks before today are paid as arrears, not regular
        source["payments"] = [
            item for item in source["payments"] if item["payment_date"] >= today.isoformat()
        ]
    started = date.fromisoformat(source["start_date"])
    gain = awards.pip_weekly(source) - old_weekly
    if backdate and gain > 0 and (today - started).days >= 7:
        weeks = min((today - started).days // 7, between(rng, 8, 150))
        paid_on = today + timedelta(days=between(rng, *ARREARS_PAID_AFTER_DAYS))
        source["payments"].append(
            awards.payment(
                paid_on,
                gain * weeks,
                "arrears",
                today - timedelta(weeks=weeks),
                today - timedelta(days=1),
            )
        )
        awards.trim_payments(source)


def _esa_group_change(state: Customer, rng: Random, today: date) -> set[str] | None:
    source = _live(state, "esa")
    if not source:
        return None
    started = date.fromisoformat(source["start_date"])
    if source["phase"] == "assessment":
        source["phase"], source["wca_date"] = "main", today.isoformat()
        source["wca_referral_date"] = source["wca_referral_date"] or today.isoformat()
        source["group"] = "support" if rng.random() < 0.6 else "wrag"
    else:
        source["group"] = "wrag" if source["group"] == "support" else "support"
        source["wca_date"] = today.isoformat()
    source["wca_outcome"] = "support_group" if source["group"] == "support" else "wrag"
    new_style_wrag = source["group"] == "wrag" and source["esa_type"] == "new_style"
    source["time_limit_date"] = (
        (today + timedelta(days=365)).isoformat() if new_style_wrag else None
    )
    born = date.fromisoformat(state["identity"]["date_of_birth"])
    source["weekly_amount_pence"] = awards.esa_weekly(
        phase="main", group=source["group"], under_25=age_on(born, today) < 25, start_date=started
    )
    _refresh("esa", source, today)
    return {"esa"}


def _esa_to_uc(state: Customer, rng: Random, today: date) -> set[str] | None:
    """Managed migration: income-related ESA ends and a UC claim starts the next day."""
    source = _live(state, "esa")
    if not source or source["esa_type"] != "income_related" or _live(state, "uc"):
        return None
    support_group = source["group"] == "support"
    _refresh("esa", source, today)
    close("esa", source, today)
    born = date.fromisoformat(state["identity"]["date_of_birth"])
    index = index_for(state["nino"])
    assert index is not None
    claim = uc_claim(
        rng,
        index=index,
        born=born,
        as_of=today + timedelta(days=1),
        lcwra_likely=True,
        start=today + timedelta(days=1),
    )
    for need in claim["support_needs"]:  # noted when the claim was made, today
        need["recorded_date"] = today.isoformat()
    if support_group and not any(item["kind"] == "lcwra" for item in claim["elements"]):
        claim["elements"].insert(0, {"kind": "lcwra", "amount_pence": awards.UC_LCWRA})
        claim["conditionality_regime"] = "no_work_related_requirements"
        awards.uc_recalculate(claim, today + timedelta(days=1))
        awards.refresh_payments("uc", claim, today + timedelta(days=1))
    state["sources"]["uc"] = with_header("uc", claim, state["identity"], version=0, changed_at="")
    return {"esa", "uc"}


def _uc_support_need(state: Customer, rng: Random, today: date) -> set[str] | None:
    source = _live(state, "uc")
    if not source:
        return None
    held = {need["code"] for need in source["support_needs"]}
    code = pick(rng, [code for code in SUPPORT_NEEDS if code not in held])
    source["support_needs"].append(support_need(rng, code=code, recorded=today))
    return {"uc"}


def _uc_change(state: Customer, rng: Random, today: date) -> set[str] | None:
    source = _live(state, "uc")
    if not source:
        return None
    sanctioned = any(item["end_date"] >= today.isoformat() for item in source["sanctions"])
    if source["conditionality_regime"] == "intensive_work_search" and not sanctioned:
        days = pick(rng, (91, 182))
        source["sanctions"].append(
            {
                "level": "higher",
                "start_date": today.isoformat(),
                "end_date": (today + timedelta(days=days - 1)).isoformat(),
                "daily_rate_pence": awards.uc_sanction_daily_rate(
                    source["standard_allowance_pence"]
                ),
            }
        )
    else:
        room = awards.uc_deduction_cap(source["standard_allowance_pence"]) - sum(
            item["amount_pence"] for item in source["deductions"]
        )
        if room <= 0:
            return None
        source["deductions"].append(
            {
                "kind": pick(rng, UC_DEDUCTION_KINDS),
                "amount_pence": min(room, between(rng, 1000, 6000)),
            }
        )
    _refresh("uc", source, today)
    return {"uc"}


def _address_change(state: Customer, rng: Random, today: date) -> set[str] | None:
    if not _alive(state) or not state["sources"]:
        return None
    moved = address(rng)
    state["identity"] = {**state["identity"], "address": moved}
    for system, source in state["sources"].items():
        source["identity"] = {
            **source["identity"],
            "address": as_held_by(system, state["identity"])["address"],
        }
    return set(state["sources"])


def _death(state: Customer, rng: Random, today: date) -> set[str] | None:
    if not _alive(state) or not state["sources"]:
        return None
    state["identity"] = {**state["identity"], "date_of_death": today.isoformat()}
    for system, source in state["sources"].items():
        source["identity"] = {**source["identity"], "date_of_death": today.isoformat()}
        if source["status"] != "closed":
            if source["status"] == "live":
                _refresh(system, source, today)
            close(system, source, today)
    return set(state["sources"])


def _start_state_pension(state: Customer, rng: Random, today: date) -> set[str] | None:
    """Reaching State Pension age: SP starts, and UC and ESA (working-age benefits) end."""
    if not _alive(state) or "sp" in state["sources"]:
        return None
    touched = {"sp"}
    for system in ("uc", "esa"):
        source = _live(state, system)
        if source:
            _refresh(system, source, today)
            close(system, source, today)
            touched.add(system)
    award = sp_award(rng, nino=state["nino"], as_of=today, sp_date=today)
    state["sources"]["sp"] = with_header("sp", award, state["identity"], version=0, changed_at="")
    return touched


# kind -> (relative weight, event)
EVENTS: dict[str, tuple[int, Event]] = {
    "payment": (30, _payment),
    "arrears": (12, _arrears),
    "uc_lcwra_backdated": (8, _uc_lcwra_backdated),
    "new_claim": (10, _new_claim),
    "pip_award_change": (6, _pip_award_change),
    "pip_review": (5, _pip_review),
    "pip_claim_progress": (6, _pip_claim_progress),
    "esa_group_change": (6, _esa_group_change),
    "esa_to_uc_migration": (5, _esa_to_uc),
    "uc_support_need": (6, _uc_support_need),
    "uc_change": (5, _uc_change),
    "address_change": (4, _address_change),
    "death": (2, _death),
}
