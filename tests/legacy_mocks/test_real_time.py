"""One clock: without a start date the systems run on real time and keep moving with it."""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from legacy_mocks.server import build_server
from tests.legacy_mocks.consumer import get

ROOT = Path(__file__).resolve().parents[2]


class FakeDate:
    """The real date as the server sees it, moved by the test."""

    def __init__(self, today: date):
        self.today = today

    def __call__(self) -> date:
        return self.today


def _clock(base: str) -> dict:
    status, _, body = get(base, "/_control/clock")
    assert status == 200
    return json.loads(body)


def test_day_zero_is_today_and_the_history_runs_back_from_it(start_mocks):
    today = datetime.now(UTC).date()
    _, base = start_mocks(customers=300, seed="now")
    clock = _clock(base)
    assert clock["real_time"] is True
    assert clock["day"] == 0
    assert clock["date"] == clock["start_date"] == today.isoformat()
    _, _, body = get(base, "/uc/v1/changes?limit=200")
    claims = [change["claim"] for change in json.loads(body)["changes"]]
    assert claims
    for claim in claims:
        assert claim["start_date"] <= today.isoformat()
        assert all(
            item["payment_date"] <= today.isoformat()
            for item in claim["payments"]
            if item["kind"] == "regular"
        )
        if claim["next_payment"]:
            assert claim["next_payment"]["payment_date"] > today.isoformat()


def test_the_clock_keeps_up_with_the_real_date(start_mocks):
    real = FakeDate(date(2026, 3, 2))
    _, base = start_mocks(customers=500, seed="moving", change_rate=0.02, today=real)
    assert _clock(base)["date"] == "2026-03-02"
    latest = _clock(base)["latest_versions"]

    real.today = date(2026, 3, 5)  # three days later, the next request finds the clock moved
    clock = _clock(base)
    assert (clock["day"], clock["date"], clock["start_date"]) == (3, "2026-03-05", "2026-03-02")
    assert any(clock["latest_versions"][system] > latest[system] for system in latest)
    _, _, body = get(base, f"/uc/v1/changes?cursor={latest['uc']}&limit=500")
    stamps = [change["changed_at"] for change in json.loads(body)["changes"]]
    assert stamps
    assert max(stamps) < "2026-03-06"
    assert min(stamps) >= "2026-03-03T02:00:00Z"


def test_advancing_by_hand_still_works_and_the_real_date_never_rewinds_it(start_mocks):
    real = FakeDate(date(2026, 3, 2))
    _, base = start_mocks(customers=200, seed="ahead", today=real)
    status, _, body = get(base, "/_control/advance?days=5", method="POST")
    assert status == 200
    assert json.loads(body)["date"] == "2026-03-07"
    real.today = date(2026, 3, 4)  # the real date is behind the simulated one: nothing moves
    assert _clock(base)["day"] == 5
    real.today = date(2026, 3, 9)  # and once past it, the clock carries on from there
    assert _clock(base)["date"] == "2026-03-09"


def test_reset_on_real_time_makes_today_day_zero(start_mocks):
    real = FakeDate(date(2026, 3, 2))
    _, base = start_mocks(customers=200, seed="reset", today=real)
    real.today = date(2026, 4, 1)
    assert _clock(base)["day"] == 30
    get(base, "/_control/reset", method="POST")
    clock = _clock(base)
    assert (clock["day"], clock["start_date"]) == (0, "2026-04-01")


def test_a_fixed_start_date_never_follows_the_real_date(start_mocks):
    real = FakeDate(date(2030, 1, 1))
    _, base = start_mocks(customers=200, seed="fixed", start_date=date(2025, 6, 2), today=real)
    clock = _clock(base)
    assert clock["real_time"] is False
    assert (clock["day"], clock["date"]) == (0, "2025-06-02")


def test_a_restart_on_real_time_keeps_day_zero_and_catches_up(tmp_path):
    state = tmp_path / "clock.json"
    real = FakeDate(date(2026, 3, 2))
    options = {"customers": 300, "seed": "restart", "change_rate": 0.02, "state_file": state}
    first = build_server(today=real, **options)
    first.world.advance(2)
    first.clock_save()
    served = first.world.records_after("uc", 0, 10**6)
    first.server_close()

    real.today = date(2026, 3, 10)  # restarted eight days after day 0
    again = build_server(today=real, **options)
    try:
        assert again.world.population.start_date == date(2026, 3, 2)
        assert again.world.today == date(2026, 3, 10)
        replayed = again.world.records_after("uc", 0, 10**6)
        assert [(r.version, r.source) for r in replayed[: len(served)]] == [
            (r.version, r.source) for r in served
        ]
        assert json.loads(state.read_text())["day"] == 8
    finally:
        again.server_close()


def test_serve_without_a_start_date_runs_on_todays_date():
    process = subprocess.Popen(
        [sys.executable, "-m", "legacy_mocks", "serve", "--port", "0", "--customers", "50"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        base = process.stdout.readline().split()[1]
        clock = _clock(base)
        today = datetime.now(UTC).date()
        assert clock["real_time"] is True
        assert clock["date"] in (today.isoformat(), (today + timedelta(days=1)).isoformat())
    finally:
        process.terminate()
        process.wait(timeout=10)
