"""How a bench figure grows with N: the fitted exponent and the per-size table."""

import pytest

from benchmarks.growth import GrowthRow, growth_exponent, growth_table, per_tenfold


def test_the_exponent_of_a_power_law_is_recovered_exactly():
    sizes = (100_000, 300_000, 1_000_000)
    assert growth_exponent({n: 3.0 * n**0.5 for n in sizes}) == pytest.approx(0.5)
    assert growth_exponent({n: n / 1000 for n in sizes}) == pytest.approx(1.0)
    assert growth_exponent(dict.fromkeys(sizes, 42.0)) == pytest.approx(0.0)
    assert per_tenfold(growth_exponent({n: n / 1000 for n in sizes})) == pytest.approx(10.0)


def test_with_noise_the_exponent_is_the_least_squares_slope_on_log_axes():
    # log10 N = 5, 6, 7; log10 figure = 1, 1.5, 1.9: slope (1.9 - 1) / 2 = 0.45
    points = {10**5: 10**1.0, 10**6: 10**1.5, 10**7: 10**1.9}
    assert growth_exponent(points) == pytest.approx(0.45)


def test_no_exponent_without_two_sizes_with_positive_figures():
    assert growth_exponent({1000: 5.0}) is None
    assert growth_exponent({1000: 5.0, 2000: None}) is None
    assert growth_exponent({1000: 5.0, 2000: 0.0}) is None  # zero has no logarithm
    assert growth_exponent({}) is None
    assert per_tenfold(None) is None
    # the figures that can be placed still give a fit
    assert growth_exponent({1000: 1.0, 2000: None, 4000: 4.0}) == pytest.approx(1.0)


def test_the_table_has_a_column_per_size_and_the_growth_columns():
    rows = [
        GrowthRow("sync", "load", lambda r: r["seconds"], lambda v: f"{v:.0f} s"),
        GrowthRow("page", "queries", lambda r: r["queries"], str, fit=False),
        GrowthRow("sync", "load CPU", lambda r: r["cpu"]["load"], str),  # missing at one size
    ]
    by_size = {
        10_000: {"seconds": 10.0, "queries": 22, "cpu": {}},
        1_000: {"seconds": 1.0, "queries": 22, "cpu": {"load": 0.5}},
    }
    lines = growth_table(rows, by_size).splitlines()
    assert lines[0] == (
        "| area | figure | N = 1,000 | N = 10,000 | k (figure ∝ N^k) | x per 10x N |"
    )
    assert lines[2] == "| sync | load | 1 s | 10 s | 1.00 | 10.0x |"
    assert lines[3] == "| page | queries | 22 | 22 | — | — |"
    assert lines[4] == "| sync | load CPU | 0.5 | — | — | — |"
