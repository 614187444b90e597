"""The real process: `python -m legacy_mocks serve --port 0` and the `advance` command."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.legacy_mocks.consumer import get

ROOT = Path(__file__).resolve().parents[2]


def test_serve_on_a_free_port_and_advance_the_clock_from_the_cli():
    env = {**os.environ, "LEGACY_MOCKS_FAULTS": "esa:500=1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "legacy_mocks",
            "serve",
            "--port",
            "0",
            "--customers",
            "200",
            "--seed",
            "cli",
            "--start-date",
            "2025-01-06",
            "--fault",
            "sp:429=1",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().split()
        assert first[0] == "LISTENING"
        base = first[1]
        assert json.loads(get(base, "/_control/clock")[2])["date"] == "2025-01-06"
        assert get(base, "/uc/v1/changes?limit=5")[0] == 200
        assert get(base, "/pip/batches")[0] == 200
        assert get(base, "/esa/extracts")[0] == 500  # from the environment
        assert get(base, "/sp/extracts")[0] == 429  # from --fault
        advanced = subprocess.run(
            [sys.executable, "-m", "legacy_mocks", "advance", "--url", base, "--days", "7"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        assert json.loads(advanced.stdout)["date"] == "2025-01-13"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_bad_arguments_are_refused():
    result = subprocess.run(
        [sys.executable, "-m", "legacy_mocks", "serve", "--customers", "5", "--fault", "uc:boom=1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert "bad fault" in result.stderr


def _serve(state: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "legacy_mocks", "serve", "--port", "0"),
            *("--customers", "300", "--seed", "restart", "--state-file", str(state), *extra),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().split()[1]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def test_a_restarted_server_carries_on_from_the_day_it_reached(tmp_path):
    state = tmp_path / "mocks" / "clock.json"
    process, base = _serve(state)
    try:
        advanced = json.loads(get(base, "/_control/advance?days=40", method="POST")[2])
        feed = get(base, "/uc/v1/changes?cursor=0&limit=5000")[2]
    finally:
        _stop(process)
    assert advanced["day"] == 40
    assert advanced["changed"]["uc"] > 0

    process, base = _serve(state)
    try:
        clock = json.loads(get(base, "/_control/clock")[2])
        # The same records, versions and timestamps as before the restart: nothing rewound.
        assert clock["day"] == 40
        assert clock["latest_versions"] == advanced["latest_versions"]
        assert get(base, "/uc/v1/changes?cursor=0&limit=5000")[2] == feed
        assert json.loads(get(base, "/_control/reset", method="POST")[2])["day"] == 0
    finally:
        _stop(process)

    process, base = _serve(state)
    try:
        assert json.loads(get(base, "/_control/clock")[2])["day"] == 0  # the reset was kept
    finally:
        _stop(process)


def test_a_state_file_for_another_population_is_ignored(tmp_path):
    state = tmp_path / "clock.json"
    process, base = _serve(state)
    try:
        get(base, "/_control/advance?days=2", method="POST")
    finally:
        _stop(process)
    process, base = _serve(state, "--change-rate", "0.01")
    try:
        assert json.loads(get(base, "/_control/clock")[2])["day"] == 0
    finally:
        _stop(process)


def test_concurrent_advances_all_succeed_and_the_file_keeps_the_last_day(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from legacy_mocks.server import start_in_thread

    state = tmp_path / "clock.json"
    server, base = start_in_thread(port=0, customers=200, seed="race", state_file=state)
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda _: get(base, "/_control/advance?days=1", method="POST"), range(16))
            )
    finally:
        server.shutdown()
        server.server_close()
    assert [status for status, _, _ in answers] == [200] * 16
    assert json.loads(state.read_text())["day"] == 16
