"""`make run`'s last process: waits for everything, loads demo data, prints the URL and logins.

It runs under honcho beside the servers, so it stays alive (idle) after printing: honcho stops
every process when any one exits.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dwpportal.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from dwpportal.tasks import ping  # noqa: E402

# Not $PORT: honcho sets that per process (base + 100 each), so it is not the web server's.
PORT = os.environ.get("WEB_PORT", "8000")
URL = f"http://127.0.0.1:{PORT}/"


def wait_for_health(timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(URL + "healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last = error.read().decode(errors="replace")
        except OSError as error:
            last = str(error)
        time.sleep(1)
    raise SystemExit(f"the portal did not become healthy in {timeout:.0f} s: {last}")


def celery_round_trip() -> float:
    started = time.perf_counter()
    result = ping.delay("round-trip").get(timeout=30)
    if result != "round-trip":
        raise SystemExit(f"unexpected Celery answer: {result!r}")
    return (time.perf_counter() - started) * 1000


def load_demo_data() -> None:
    from django.core.management import get_commands

    if "sync_legacy" not in get_commands():
        print("  (sync not installed yet: no demo customers loaded)", flush=True)
        return
    call_command("sync_legacy", source="all", wait=True)


def legacy_clock() -> str:
    """The simulated systems' date, and a warning when the portal has synced further than they
    serve (a database synced from an earlier run of the mocks: `make reset` starts both again)."""
    import json

    from django.conf import settings
    from django.db.models import Max

    from benefits.models import UniversalCreditAward

    try:
        with urllib.request.urlopen(f"{settings.LEGACY_BASE_URL}/_control/clock", timeout=10) as r:
            clock = json.load(r)
    except (OSError, ValueError) as error:
        return f"  (the simulated legacy systems' clock did not answer: {error})"
    kind = "real time" if clock.get("real_time") else "fixed start"
    line = f"Simulated legacy systems: {clock['date']} (day {clock['day']}, {kind})"
    synced = UniversalCreditAward.objects.aggregate(top=Max("source_version"))["top"] or 0
    if synced > clock["latest_versions"]["uc"]:
        line += (
            "\n  WARNING: the portal holds records newer than the simulated systems serve (synced"
            " from an earlier run of them): stop, `make reset`, `make run` to start both again."
        )
    return line


def main() -> None:
    wait_for_health()
    print(f"Celery task round trip: {celery_round_trip():.0f} ms (web -> Redis -> worker -> Redis)")
    print(legacy_clock(), flush=True)
    print("Loading demo customers from the simulated legacy systems through the real sync…")
    load_demo_data()
    logins = (ROOT / "var" / "demo-users.txt").read_text()
    print(
        "\n"
        "==============================================================\n"
        f" DWP Colleague Portal is running at {URL}\n"
        " How to sign in (local only):\n"
        f"{logins}"
        " Ctrl-C stops everything. `make stop` stops PostgreSQL and Redis.\n"
        "==============================================================",
        flush=True,
    )
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
