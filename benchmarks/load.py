"""The load test: Locust, headless, with signed-in colleagues searching, viewing and recording."""

import json
import os
import subprocess
from pathlib import Path

from benchmarks.config import BIN, ROOT, VAR, BenchConfig, log
from benchmarks.cpu import Meter
from benchmarks.queries import SearchQuery
from benchmarks.results import Results
from benchmarks.web import Colleague


def load_measure(
    config: BenchConfig,
    results: Results,
    base: str,
    coaches: list[str],
    queries: list[SearchQuery],
    customers: list[str],
    meter: Meter,
) -> None:
    """Locust, headless: `config.load_users` colleagues searching, viewing and recording."""
    import csv

    log(f"signing in {len(coaches)} colleagues for the load test")
    sessions = []
    for username in coaches:
        colleague = Colleague(base, username, config.password)
        jar = colleague.http.cookies
        sessions.append([[c.name, c.value, c.domain, c.path] for c in jar])
    data = VAR / "locust-data.json"
    data.write_text(
        json.dumps(
            {
                "sessions": sessions,
                "searches": [q.form() for q in queries],
                "customers": customers,
            }
        )
    )
    prefix = VAR / "locust"
    users, seconds = config.load_users, config.load_seconds
    log(f"locust: {users} colleagues for {seconds} s against {base}")
    with meter() as cpu:
        completed = _locust_run(config, base, prefix, data)
    assert cpu.use is not None
    results.cpu["load"] = cpu.use
    if completed.returncode != 0:
        raise RuntimeError(f"locust failed; see {VAR / 'locust.log'}")
    with (VAR / "locust_stats.csv").open() as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    total = rows["Aggregated"]
    # An exception inside a task (not a failed request) is an error too.
    with (VAR / "locust_exceptions.csv").open() as raised:
        exceptions = sum(int(row["Count"]) for row in csv.DictReader(raised))
    results.load = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "exceptions": exceptions,
        "throughput": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "by_task": {
            name: (int(row["Request Count"]), float(row["95%"]))
            for name, row in rows.items()
            if name != "Aggregated"
        },
    }
    log(f"load: {results.load['throughput']:.1f} req/s, p95 {results.load['p95']:.0f} ms")


def _locust_run(
    config: BenchConfig, base: str, prefix: Path, data: Path
) -> subprocess.CompletedProcess[bytes]:
    users, seconds = config.load_users, config.load_seconds
    return subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "BENCH_LOCUST_DATA": str(data)},
        stdout=(VAR / "locust.log").open("wb"),
        stderr=subprocess.STDOUT,
        timeout=seconds + 180,
        start_new_session=True,
        check=False,
    )
