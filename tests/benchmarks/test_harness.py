"""The bench harness's pure parts: percentile maths, the seeded query mix, the report table."""

import datetime as dt
import random

import pytest

from benchmarks.config import BenchConfig
from benchmarks.dataset import sampled_ninos
from benchmarks.queries import KINDS, SampleCustomer, misspell, search_mix
from benchmarks.report import report_render
from benchmarks.results import Results
from benchmarks.stats import Latency, percentile, ratio
from customers.forms import CustomerSearchForm
from customers.nino import validate_nino


def customers(count: int = 40) -> list[SampleCustomer]:
    return [
        SampleCustomer(
            public_id=f"00000000-0000-0000-0000-{i:012d}",
            nino=f"ZX{i:06d}{'ABCD'[i % 4]}",
            first_name=f"Alex{chr(97 + i % 26)}",
            last_name=["Smith", "O'Brien", "Smith-Jones", "McLeod", "Patel"][i % 5],
            date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=97 * i),
            postcode=f"LS{i % 9 + 1} {i % 9}QP",
        )
        for i in range(count)
    ]


def test_percentiles_interpolate_between_closest_ranks():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7
    assert percentile([30.0, 10.0, 20.0], 50) == 20  # order does not matter


def test_percentile_refuses_no_values_or_a_bad_rank():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_latency_summary_and_ratio():
    latency = Latency.of([10.0, 20.0, 30.0, 40.0])
    assert (latency.count, latency.p50, latency.mean) == (4, 25.0, 25.0)
    assert latency.p99 == pytest.approx(39.7)
    assert ratio(50, 25) == 2
    assert ratio(50, 0) is None


def test_the_query_mix_is_deterministic_for_a_seed_whatever_the_input_order():
    pool = customers()
    first = search_mix(pool, per_kind=5, seed="2026")
    again = search_mix(list(reversed(pool)), per_kind=5, seed="2026")
    assert first == again
    assert search_mix(pool, per_kind=5, seed="other") != first
    assert sorted(q.kind for q in first) == sorted(KINDS * 5)


def test_every_query_in_the_mix_is_a_valid_search_form():
    for query in search_mix(customers(), per_kind=10, seed="2026"):
        form = CustomerSearchForm(query.form())
        assert form.is_valid(), (query, form.errors)
        assert bool(form.nino) == (query.kind == "nino")


def test_misspelling_always_changes_the_word_but_keeps_its_first_letter():
    rng = random.Random(1)
    for word in ["Smith", "O'Brien", "Smith-Jones", "Lee", "Aaron", "Nnnn"]:
        for _ in range(20):
            typo = misspell(word, rng)
            assert typo != word
            assert typo[0] == word[0]


def test_the_report_marks_missed_goals_and_scales_the_load_goal():
    fast, slow = Latency.of([5.0, 6.0]), Latency.of([200.0, 300.0])
    results = Results(
        machine={
            "cores": 2,
            "cpu": "x",
            "ram_gb": 1,
            "load_average": "1",
            "python": "3",
            "started": "2026-12-01 17:00 UTC",
        },
        sync={
            "load_seconds": 60.0,
            "load_rows": 60_000,
            "load_mode": "inline",
            "built_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            "copy_rows": 60_000,
            "copy_seconds": 1.0,
            "copy_history_rows": 50_000,
            "copy_temp_seconds": 0.5,
            "naive_rows": 2000,
            "naive_seconds": 10.0,
            "counts": {"customers_customer": 50_000},
            "history_rows": 0,
            "incremental": {
                "seconds": 2.0,
                "changed_records": 500,
                "changed_by_system": {},
                "fetched": 500,
                "written": 500,
                "failed": [],
            },
        },
        search=dict.fromkeys((*KINDS, "all"), fast),
        search_floor=dict.fromkeys((*KINDS, "all"), fast),
        admin={"all": slow},
        hits=dict.fromkeys(KINDS, 1.0),
        page={
            "all": slow,
            "sample": slow,
            "busiest": slow,
            "floor": fast,
            "queries_max": 30,
            "queries_median": 25,
            "floor_queries": [1],
            "sample_size": 2,
            "busiest_size": 2,
        },
        load={
            "requests": 10,
            "failures": 0,
            "exceptions": 3,  # errors inside the simulated colleagues count as errors too
            "throughput": 1.0,
            "p50": 1,
            "p95": 2,
            "by_task": {},
        },
    )
    text = report_render(results, n=50_000, seed="2026", users=50, seconds=30, notes="## Notes")
    # 15 min at 1M scales to 45 s at 50,000: 60 s misses it.
    assert "< 45 s (15 min at 1M, scaled to 50,000)" in text
    assert "initial load rows/s vs PostgreSQL COPY" in text
    assert "| 0.02x |" in text
    assert "(60,000 rows in 1.0 s, 50,000 history rows by the triggers)" in text
    # The temporary-copy floor is reported beside it, without a goal of its own.
    assert "COPY 120,000 rows/s (0.5 s) | 0.01x | — | — |" in text
    assert "customer page: GET the customer page" in text
    assert "30.00% (0 failed requests, 3 errors in the simulated colleagues)" in text
    # load time, COPY ratio (0.02x), update_or_create ratio (5x), page p95, busiest p95, errors
    assert text.count("**MISSED**") == 6
    assert text.rstrip().endswith("## Notes")


def test_the_customer_samples_are_seeded_synthetic_ninos():
    config = BenchConfig(customers=1_000_000, seed="2026")
    sample = sampled_ninos(config, 20, "search")
    assert sample == sampled_ninos(config, 20, "search")
    assert sample != sampled_ninos(config, 20, "page")
    assert sample != sampled_ninos(BenchConfig(customers=1_000_000, seed="2027"), 20, "search")
    assert len(set(sample)) == 20
    for nino in sample:
        assert nino.startswith("ZX")
        assert validate_nino(nino) == nino
