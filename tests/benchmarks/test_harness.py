"""The bench harness's pure parts: percentile maths, the seeded query mix, the report table."""

import datetime as dt
import random

import pytest

from benchmarks.config import BenchConfig
from benchmarks.cpu import CpuUse
from benchmarks.dataset import sampled_ninos
from benchmarks.disk import TableSize, disk_summary
from benchmarks.queries import KINDS, SampleCustomer, misspell, search_mix
from benchmarks.report import report_render
from benchmarks.results import Results, Run, results_dumps, results_loads
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
        assert form.cleaned_data["date_of_birth"] == query.date_of_birth


def test_misspelling_always_changes_the_word_but_keeps_its_first_letter():
    rng = random.Random(1)
    for word in ["Smith", "O'Brien", "Smith-Jones", "Lee", "Aaron", "Nnnn"]:
        for _ in range(20):
            typo = misspell(word, rng)
            assert typo != word
            assert typo[0] == word[0]


def _results(n: int, load_seconds: float) -> Results:
    """What one size of a run found (made up: the rendering is under test, not the figures)."""
    fast, slow = Latency.of([5.0, 6.0]), Latency.of([200.0, 300.0])
    cpu = CpuUse(
        wall=10.0,
        seconds={"worker": 4.0, "postgres": 2.0, "gunicorn": 1.0},
        machine_busy=16,
        cores=2,
    )
    return Results(
        customers=n,
        machine={
            "cores": 2,
            "cpu": "x",
            "ram_gb": 1,
            "load_average": "1",
            "python": "3",
            "started": "2026-12-01 17:00 UTC",
            "elapsed_seconds": 120.0,
        },
        sync={
            "load_seconds": load_seconds,
            "load_rows": 60_000 * n // 50_000,
            "load_mode": "worker",
            "built_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            "fresh": True,
            "copy_rows": 60_000,
            "copy_seconds": 1.0,
            "copy_history_rows": 50_000,
            "copy_temp_seconds": 0.5,
            "naive_rows": 2000,
            "naive_seconds": 10.0,
            "counts": {"customers_customer": n},
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
        disk=disk_summary(
            [TableSize("customers_customer", 1, 3_000 * n, 1_000 * n)],
            history=set(),
            audit=set(),
            customers=n,
            database_bytes=5_000 * n,
        )
        | {"audit_after": {"tables": 800, "indexes": 200, "rows": 5, "partitions": 0}},
        cpu={"initial load": cpu, "incremental": cpu, "search": cpu, "page": cpu, "load": cpu},
    )


def _run(sizes: dict[int, float]) -> Run:
    cpu = CpuUse(wall=10.0, seconds={"worker-1": 3.0, "postgres": 1.0}, machine_busy=20, cores=2)
    scaling = [
        {"workers": w, "seconds": s, "rows": 8_000, "sources_seconds": {"uc": s}, "cpu": cpu}
        for w, s in ((1, 8.0), (2, 5.0), (4, 4.0))
    ]
    return Run(
        settings={"seed": "2026", "sync_mode": "worker", "load_users": 50, "load_seconds": 30},
        machine={
            "cores": 2,
            "cpu": "x",
            "ram_gb": 1,
            "load_average": "1",
            "started": "2026-12-01 17:00 UTC",
            "elapsed_seconds": 600.0,
        },
        sizes={n: _results(n, seconds) for n, seconds in sizes.items()},
        scaling={min(sizes): scaling},
    )


def test_the_report_gives_each_figure_per_size_with_its_growth():
    text = report_render(_run({50_000: 60.0, 5_000: 6.0}), notes="## Notes")
    assert "| area | figure | N = 5,000 | N = 50,000 | k (figure ∝ N^k) | x per 10x N |" in text
    # load time 6 s -> 60 s at 10x the customers: linear
    assert (
        "| sync | initial load through the real sync (timed when the dataset was built) "
        "| 6.0 s | 60.0 s | 1.00 | 10.0x |"
    ) in text
    # 4 bytes of tables and indexes per customer at both sizes: flat
    assert (
        "| disk | data and history, bytes per portal customer | 4,000 | 4,000 | 0.00 | 1.0x |"
        in (text)
    )
    # 30,000 rows (at 50,000) / 6 CPU-seconds of the workers and PostgreSQL
    assert "| initial load: rows per core-second (worker + postgres) | 1,000 | 10,000 |" in (
        text.replace("| sync ", "")
    )
    assert (
        "| access audit: bytes per row (tables + indexes, after the load test) | 200 | 200 |"
        in (text.replace("| disk ", ""))
    )


def test_the_report_shows_the_sync_with_each_number_of_workers_and_says_when_it_oversubscribes():
    text = report_render(_run({5_000: 6.0, 50_000: 60.0}), notes="")
    assert "### N = 5,000" in text
    assert "4 workers oversubscribe the machine's 2 cores" in text
    # 8,000 rows in 5 s = 1,600 rows/s, 1.6x the single worker's 1,000; 0.4 cores measured
    assert (
        "| 2 | 5.0 s | 8,000 | 1,600 | 1.60x | 0.40 | 2,000 | 0.00 | 2.00 of 2 | uc 5.0 |" in text
    )


def test_the_report_marks_missed_goals_at_the_largest_size_and_scales_the_load_goal():
    text = report_render(_run({5_000: 6.0, 50_000: 60.0}), notes="## Notes")
    detail = text.split("## Every figure at N = 50,000", 1)[1]
    # 15 min at 1M scales to 45 s at 50,000: 60 s misses it.
    assert "< 45 s (15 min at 1M, scaled to 50,000)" in detail
    assert "initial load rows/s vs PostgreSQL COPY" in detail
    assert "| 0.02x |" in detail
    assert "(60,000 rows in 1.0 s, 50,000 history rows by the triggers)" in detail
    # The temporary-copy floor is reported beside it, without a goal of its own.
    assert "COPY 120,000 rows/s (0.5 s) | 0.01x | — | — |" in detail
    assert "customer page: GET the customer page" in text
    assert "30.00% (0 failed requests, 3 errors in the simulated colleagues)" in text
    # load time, COPY ratio (0.02x), update_or_create ratio (5x), page p95, busiest p95, errors
    assert text.count("**MISSED**") == 6
    assert "Smoke run: the largest size is 50,000 customers" in text
    assert text.rstrip().endswith("## Notes")


def test_a_run_saved_as_json_renders_the_same_report_again():
    run = _run({5_000: 6.0, 50_000: 60.0})
    again = results_loads(results_dumps(run))
    assert isinstance(again, Run)
    assert sorted(again.sizes) == [5_000, 50_000]
    assert again.sizes[5_000].search["nino"] == run.sizes[5_000].search["nino"]
    assert again.sizes[5_000].cpu["load"] == run.sizes[5_000].cpu["load"]
    assert again.sizes[5_000].sync["built_at"] == run.sizes[5_000].sync["built_at"]
    assert report_render(again, notes="") == report_render(run, notes="")


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
