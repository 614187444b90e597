"""The bench's configuration: read from the environment once, into one object."""

import ast
from pathlib import Path

from benchmarks.config import FULL_SCALE, BenchConfig, config_from_environment

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_an_empty_environment_gives_the_full_scale_defaults():
    config = config_from_environment({})
    assert config.customers == FULL_SCALE == 1_000_000
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
