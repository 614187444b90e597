"""Latency statistics for the bench: percentiles and a summary, in milliseconds."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (NumPy's default method)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Latency:
    count: int
    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, milliseconds: Sequence[float]) -> "Latency":
        return cls(
            count=len(milliseconds),
            p50=percentile(milliseconds, 50),
            p95=percentile(milliseconds, 95),
            p99=percentile(milliseconds, 99),
            mean=sum(milliseconds) / len(milliseconds),
        )


def ratio(value: float, floor: float) -> float | None:
    """How many times the floor a figure is (None when the floor is zero or missing)."""
    return value / floor if floor else None
