"""A million customers: any one can be built directly and paging never holds them all."""

import json
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from pathlib import Path

import pytest

from legacy_mocks.population import Population, nino_for

pytestmark = pytest.mark.large_n
MILLION = 1_000_000
ROOT = Path(__file__).resolve().parents[2]


def test_the_last_customer_is_built_directly():
    started = time.perf_counter()
    last = Population(size=MILLION, seed="big").customer(MILLION - 1)
    assert last["nino"] == nino_for(MILLION - 1) == "ZX999999D"
    assert time.perf_counter() - started < 0.5


# Run in a fresh interpreter: its resident memory before and at its peak (VmHWM, which starts again
# at exec, unlike getrusage's maxrss) is the memory the paging took. tracemalloc in this process
# measured the same, but made the work three times slower.
PAGE_A_SLICE = """
from legacy_mocks.formats import esa, pip, sp, uc
from legacy_mocks.population import Population
from legacy_mocks.world import PipBatch, World


def resident(field):  # VmRSS (now) or VmHWM (the peak since this program started), in bytes
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


before = resident("VmRSS")
world = World(Population(size=1_000_000, seed="big"))
render = {
    "uc": lambda records: uc.changes_page(records, next_cursor="0", has_more=True),
    "esa": lambda records: esa.extract(records, extract_date="2025-06-02", first_seq=1, next_seq=1),
    "sp": sp.extract,
    "pip": lambda records: pip.batch_file(PipBatch(1, 1, 1, 1, "-"), records),
}
for system in ("uc", "esa", "sp", "pip"):
    position, served = 400_000, 0
    while served < 2000:  # two 1,000-record pages from the middle of each feed
        records = world.records_after(system, position, 1000)
        render[system](records)
        position, served = records[-1].version, served + len(records)
world.advance(1)  # 1,500 changes: memory grows with them, not with N
print(resident("VmHWM") - before, len(world._current))
"""


def test_paging_a_slice_of_a_million_stays_in_bounded_memory():
    done = subprocess.run(
        [sys.executable, "-c", PAGE_A_SLICE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    grown, changed = (int(n) for n in done.stdout.split())
    assert grown < 80 * 2**20
    assert changed < 2000


def test_truth_streams_without_building_the_whole_population(start_mocks):
    _, base = start_mocks(customers=MILLION, seed="big")
    tracemalloc.start()
    try:
        with urllib.request.urlopen(base + "/_truth/customers") as response:
            assert response.headers["Transfer-Encoding"] == "chunked"
            first = [json.loads(response.readline()) for _ in range(1000)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [customer["nino"] for customer in first[:2]] == ["ZX000000A", "ZX000001B"]
    assert peak < 20 * 2**20
