"""How a figure grows with the number of customers N: the exponent k of figure ≈ c·N^k, fitted
by least squares on log figure against log N, and what that means for 10 times the customers.

k ≈ 0: flat (an index lookup); k ≈ 1: linear (a full load); k between: in between (a search that
reads more candidates as names are shared by more customers). With two sizes the fit is exact;
with three or more it is the best straight line through the points on log-log axes.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def growth_exponent(points: Mapping[int, float | None]) -> float | None:
    """k in figure ≈ c·N^k from {N: figure}; None with fewer than two positive figures at two
    different sizes (a zero or a missing figure cannot be placed on log axes)."""
    usable = [(n, v) for n, v in points.items() if v is not None and v > 0 and n > 0]
    if len({n for n, _ in usable}) < 2:
        return None
    xs = [math.log(n) for n, _ in usable]
    ys = [math.log(v) for _, v in usable]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def per_tenfold(exponent: float | None) -> float | None:
    """How many times the figure is at 10 times the customers: 10^k."""
    return None if exponent is None else 10**exponent


@dataclass(frozen=True)
class GrowthRow:
    """One figure of the growth table: how to read it from a size's results, how to show it."""

    area: str
    figure: str
    value: Callable[[Any], float | None]  # a size's results -> the figure (None: not measured)
    shown: Callable[[float], str]
    fit: bool = True  # False: a count or setting, shown per size with no growth fitted


def growth_table(rows: Sequence[GrowthRow], by_size: Mapping[int, Any]) -> str:
    """A markdown table: one line per figure, a column per size, then k and x per 10x N."""
    sizes = sorted(by_size)
    head = ["area", "figure", *(f"N = {n:,}" for n in sizes), "k (figure ∝ N^k)", "x per 10x N"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        values: dict[int, float | None] = {}
        for n in sizes:
            try:
                values[n] = row.value(by_size[n])
            except (KeyError, TypeError, ZeroDivisionError, AttributeError):
                values[n] = None  # not measured at this size (e.g. a reused dataset's load CPU)
        exponent = growth_exponent(values) if row.fit else None
        tenfold = per_tenfold(exponent)
        shown = ["—" if (value := values[n]) is None else row.shown(value) for n in sizes]
        cells = [
            row.area,
            row.figure,
            *shown,
            "—" if exponent is None else f"{exponent:.2f}",
            "—" if tenfold is None else f"{tenfold:,.1f}x",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
