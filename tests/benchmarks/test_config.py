"""The bench's configuration: read from the environment once, into one object."""

import ast
from pathlib import Path

import pytest

from benchmarks.config import FULL_SCALE, BenchConfig, config_from_environment

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_an_empty_environment_gives_the_full_scale_defaults():
    config = config_from_environment({})
    assert config.customers == FULL_SCALE == 1_000_000
    assert config.sizes == (100_000, 300_000, 1_000_000)
    # 1, 2 and 4 workers, timed at the smallest size
    assert (config.scaling_workers, config.scaling_sizes) == ((1, 2, 4), (100_000,))
    assert (config.seed, config.sync_mode, config.load_users, config.load_seconds) == (
        "2026",
        "inline",
        50,
        120,
    )
    assert not config.smoke
    assert not config.rebuild
    assert config.database == "dwpportal_bench_1000000"
    assert config.doc.name == "benchmarks.md"


def test_variables_override_the_defaults_and_a_smoke_run_loads_for_less_time():
    config = config_from_environment(
        {
            "BENCH_CUSTOMERS": "50000",
            "BENCH_SEED": "7",
            "BENCH_SYNC": "worker",
            "BENCH_LOAD_USERS": "",  # empty: the default, as before
            "BENCH_REBUILD": "1",
            "BENCH_DOC": "/tmp/bench.md",
        }
    )
    assert config.smoke
    assert (config.customers, config.seed, config.sync_mode) == (50_000, "7", "worker")
    assert config.sizes == config.scaling_sizes == (50_000,)  # BENCH_CUSTOMERS: one size
    assert (config.load_users, config.load_seconds) == (50, 30)
    assert config.rebuild
    assert str(config.doc) == "/tmp/bench.md"
    assert config.database == "dwpportal_bench_50000"
    assert config_from_environment({"BENCH_LOAD_SECONDS": "5"}).load_seconds == 5


def test_each_run_has_its_own_password_and_never_prints_it():
    first, second = BenchConfig(), BenchConfig()
    assert first.password != second.password
    assert first.password not in repr(first)


def test_no_bench_module_reads_the_environment_when_imported():
    """Only statements outside functions and `__main__` blocks run on import: none reads the
    environment."""
    readers = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        if path.name == "locustfile.py":  # Locust's own process, handed its data file by the run
            continue
        module = ast.parse(path.read_text())
        for statement in module.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(statement, ast.If) and "__main__" in ast.unparse(statement.test):
                continue  # runs as a script only
            for node in ast.walk(statement):
                if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                    readers.append(f"{path.name}:{node.lineno}")
    assert readers == []


def test_sizes_are_read_sorted_and_each_size_is_measured_with_the_same_run_settings():
    config = config_from_environment(
        {"BENCH_SIZES": "12_000, 3000,6000", "BENCH_CUSTOMERS": "50000"}  # BENCH_SIZES wins
    )
    assert config.sizes == (3_000, 6_000, 12_000)
    assert config.smoke
    assert config.load_seconds == 30  # below full scale at every size
    assert config.scaling_sizes == (3_000,)
    at = config.at(6_000)
    assert (at.customers, at.database, at.sizes, at.password) == (
        6_000,
        "dwpportal_bench_6000",
        config.sizes,
        config.password,
    )
    full = config_from_environment({"BENCH_SIZES": "100000,1000000"})
    assert not full.smoke
    assert full.load_seconds == 120  # the 100,000 size too: their throughputs compare


def test_the_worker_comparison_can_be_chosen_or_left_out():
    config = config_from_environment(
        {"BENCH_SIZES": "3000,6000", "BENCH_SCALING_WORKERS": "4,1", "BENCH_SCALING_SIZES": "6000"}
    )
    assert (config.scaling_workers, config.scaling_sizes) == ((1, 4), (6_000,))
    assert config_from_environment({"BENCH_SCALING_SIZES": "none"}).scaling_sizes == ()
    with pytest.raises(ValueError, match="positive"):
        config_from_environment({"BENCH_SIZES": "0,1000"})


def test_the_saved_settings_never_hold_the_password():
    config = config_from_environment({"BENCH_SIZES": "3000,6000"})
    saved = config.settings()
    assert saved["sizes"] == (3_000, 6_000)
    assert "password" not in saved
    assert config.password not in repr(saved)
