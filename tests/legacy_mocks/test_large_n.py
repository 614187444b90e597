"""A million customers: any one can be built directly and paging never holds them all."""

import json
import time
import tracemalloc
import urllib.request

import pytest

from legacy_mocks.formats import esa, pip, sp, uc
from legacy_mocks.population import Population, nino_for
from legacy_mocks.world import PipBatch, World

pytestmark = pytest.mark.large_n
MILLION = 1_000_000


def test_the_last_customer_is_built_directly():
    started = time.perf_counter()
    last = Population(size=MILLION, seed="big").customer(MILLION - 1)
    assert last["nino"] == nino_for(MILLION - 1) == "ZX999999D"
    assert time.perf_counter() - started < 0.5


def test_paging_a_slice_of_a_million_stays_in_bounded_memory():
    world = World(Population(size=MILLION, seed="big"))
    render = {
        "uc": lambda records: uc.changes_page(records, next_cursor="0", has_more=True),
        "esa": lambda records: esa.extract(
            records, extract_date="2025-06-02", first_seq=1, next_seq=1
        ),
        "sp": sp.extract,
        "pip": lambda records: pip.batch_file(PipBatch(1, 1, 1, 1, "-"), records),
    }
    tracemalloc.start()
    try:
        for system in ("uc", "esa", "sp", "pip"):
            position, served = 400_000, 0
            while served < 2000:  # two 1,000-record pages from the middle of each feed
                records = world.records_after(system, position, 1000)
                render[system](records)
                position, served = records[-1].version, served + len(records)
        world.advance(1)  # 1,500 changes: memory grows with them, not with N
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 80 * 2**20
    assert len(world._current) < 2000


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
