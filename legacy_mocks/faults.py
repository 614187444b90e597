"""Fault injection: which faults hit a request (deterministic per attempt); how records spoil."""

import threading
from dataclasses import dataclass, field, replace

from legacy_mocks.awards import SYSTEMS
from legacy_mocks.randomness import unit
from legacy_mocks.world import FeedRecord

# Transient faults are decided per (system, request, attempt): a retry is a fresh draw, so a page
# is never lost for good. "latency" is milliseconds on every request, not a rate.
TRANSIENT_KINDS = ("latency", "hang", "429", "503", "500", "truncate")
# Page faults change what a successful response holds; also decided per attempt.
PAGE_KINDS = ("duplicate", "out_of_order", "trailer")
# Malformed records are a property of the data: decided per (system, version), so the same
# record is malformed every time it is served while the rate is on.
KINDS = (*TRANSIENT_KINDS, *PAGE_KINDS, "malformed")
MALFORMATIONS = ("bad_date", "unknown_code", "invalid_nino")
MAX_HANG_SECONDS = 30.0
# The field an unknown code is put into, per system (renderers pass unknown values through).
_CODED_FIELD = {
    "uc": "conditionality_regime",
    "pip": "claim_stage",
    "esa": "phase",
    "sp": "pension_type",
}
UNKNOWN_CODE = "UNKNOWN"


@dataclass
class FaultPlan:
    """What to do to one response."""

    latency_ms: float = 0.0
    hang: bool = False
    status: int | None = None
    truncate: bool = False
    duplicate: bool = False
    out_of_order: bool = False
    trailer: bool = False
    malform_first: bool = False  # only when forced by header: spoil the page's first record
    forced: list[str] = field(default_factory=list)


def parse_spec(spec: str) -> dict[str, dict[str, float]]:
    """'uc:500=0.1,esa:malformed=0.02,*:latency=50' -> {system: {kind: value}} ('*' = every one)."""
    rates: dict[str, dict[str, float]] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        target, _, value = item.partition("=")
        system, _, kind = target.partition(":")
        if system not in (*SYSTEMS, "*") or kind not in KINDS or not value:
            raise ValueError(
                f"bad fault {item!r}: want SYSTEM:KIND=VALUE, kinds {', '.join(KINDS)}"
            )
        for name in SYSTEMS if system == "*" else (system,):
            rates.setdefault(name, {})[kind] = float(value)
    return rates


class Faults:
    def __init__(
        self,
        seed: str,
        rates: dict[str, dict[str, float]] | None = None,
        *,
        hang_seconds: float = MAX_HANG_SECONDS,
        retry_after: int = 1,
    ):
        self.seed = seed
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self.configure(rates or {}, hang_seconds=hang_seconds, retry_after=retry_after)

    def configure(
        self,
        rates: dict[str, dict[str, float]],
        *,
        hang_seconds: float | None = None,
        retry_after: int | None = None,
    ) -> None:
        for system, kinds in rates.items():
            if system not in SYSTEMS or not set(kinds) <= set(KINDS):
                raise ValueError(f"unknown system or fault kind in {system}: {sorted(kinds)}")
        self.rates = {system: dict(kinds) for system, kinds in rates.items()}
        if hang_seconds is not None:
            self.hang_seconds = min(max(0.0, hang_seconds), MAX_HANG_SECONDS)
        if retry_after is not None:
            self.retry_after = retry_after

    def describe(self) -> dict[str, object]:
        return {
            "faults": self.rates,
            "hang_seconds": self.hang_seconds,
            "retry_after": self.retry_after,
        }

    def reset(self) -> None:
        with self._lock:
            self._attempts.clear()
        self.configure({}, hang_seconds=MAX_HANG_SECONDS, retry_after=1)

    def plan(self, system: str, request: str, forced: list[str]) -> FaultPlan:
        """Decide the faults for this attempt at `request` (path and query)."""
        with self._lock:
            attempt = self._attempts.get(request, 0) + 1
            self._attempts[request] = attempt
        rates = self.rates.get(system, {})

        def hits(kind: str) -> bool:
            return kind in forced or unit(self.seed, system, kind, request, attempt) < rates.get(
                kind, 0.0
            )

        forced_latency = [
            float(item.partition("=")[2] or 500) for item in forced if item.startswith("latency")
        ]
        plan = FaultPlan(
            latency_ms=forced_latency[0] if forced_latency else rates.get("latency", 0.0),
            forced=forced,
        )
        plan.hang = hits("hang")
        plan.status = next((int(kind) for kind in ("429", "503", "500") if hits(kind)), None)
        plan.truncate = hits("truncate")
        plan.duplicate = hits("duplicate")
        plan.out_of_order = hits("out_of_order")
        plan.trailer = system == "esa" and hits("trailer")
        plan.malform_first = "malformed" in forced
        return plan

    def malformation(self, system: str, version: int) -> str | None:
        """How record `version` of `system` is served malformed, or None (the usual case)."""
        rate = self.rates.get(system, {}).get("malformed", 0.0)
        if not rate or unit(self.seed, system, "malformed", version) >= rate:
            return None
        return MALFORMATIONS[int(unit(self.seed, system, "malformation", version) * 3)]

    def spoil(self, system: str, records: list[FeedRecord], plan: FaultPlan) -> list[FeedRecord]:
        """The records as this response serves them: malformed, duplicated or out of order."""
        served = []
        for position, record in enumerate(records):
            kind = self.malformation(system, record.version)
            if kind is None and position == 0 and plan.malform_first:
                kind = MALFORMATIONS[int(unit(self.seed, system, "forced", record.version) * 3)]
            served.append(malform(system, record, kind) if kind else record)
        if plan.duplicate and served:
            middle = len(served) // 2
            served.insert(middle, served[middle])
        if plan.out_of_order and served:
            served = _out_of_order(system, served, self)
        return served


def _out_of_order(system: str, records: list[FeedRecord], faults: Faults) -> list[FeedRecord]:
    """Serve a customer's older record after its newer one or, failing that, reverse the page."""
    for position, record in enumerate(records):
        if record.previous is not None:
            stale = FeedRecord(
                record.previous["version"], record.index, record.nino, record.previous
            )
            kind = faults.malformation(system, stale.version)
            records.insert(position + 1, malform(system, stale, kind) if kind else stale)
            return records
    return records[::-1]


def malform(system: str, record: FeedRecord, kind: str) -> FeedRecord:
    """A copy of the record spoilt in one of the MALFORMATIONS ways."""
    source = {**record.source, "identity": dict(record.source["identity"])}
    nino = record.nino
    if kind == "bad_date":  # 30 February
        source["identity"]["date_of_birth"] = source["identity"]["date_of_birth"][:4] + "-02-30"
    elif kind == "unknown_code":
        source[_CODED_FIELD[system]] = UNKNOWN_CODE
    else:  # a suffix outside A-D makes the NINO invalid
        nino = nino[:8] + "E"
    return replace(record, nino=nino, source=source)
