"""Every fault can be switched on and observed, is reproducible, and never loses a record."""

import http.client
import json
import socket
import time

import pytest

from tests.legacy_mocks import parsers
from tests.legacy_mocks.consumer import Reader, get

PARSE = {
    "uc": lambda body: parsers.uc_page(body)[0],
    "pip": parsers.pip_batch,
    "esa": lambda body: parsers.esa_extract(body)[0],
    "sp": parsers.sp_extract,
}
FEEDS = {
    "uc": "/uc/v1/changes?limit=50",
    "pip": "/pip/batches/000001.xml",
    "esa": "/esa/extracts?max=50",
    "sp": "/sp/extracts?limit=50",
}


@pytest.fixture
def mocks(start_mocks):
    return start_mocks(customers=300, seed="faults", pip_batch_size=60, change_rate=0.02)


@pytest.mark.parametrize("system", list(FEEDS))
@pytest.mark.parametrize("status", [500, 503])
def test_forced_server_errors(mocks, system, status):
    _, base = mocks
    assert get(base, FEEDS[system], headers={"X-Mock-Fault": str(status)})[0] == status
    assert get(base, FEEDS[system])[0] == 200


def test_429_says_when_to_retry(mocks):
    _, base = mocks
    status, headers, _ = get(base, FEEDS["uc"], headers={"X-Mock-Fault": "429"})
    assert status == 429
    assert headers["Retry-After"] == "1"


def test_latency_and_hanging_responses(mocks):
    server, base = mocks
    started = time.monotonic()
    assert get(base, FEEDS["sp"], headers={"X-Mock-Fault": "latency=300"})[0] == 200
    assert time.monotonic() - started >= 0.3
    server.faults.configure({}, hang_seconds=1.5)
    with pytest.raises((TimeoutError, socket.timeout)):
        get(base, FEEDS["esa"], headers={"X-Mock-Fault": "hang"}, timeout=0.5)
    assert get(base, FEEDS["esa"])[0] == 200


@pytest.mark.parametrize("system", list(FEEDS))
def test_truncated_bodies_are_cut_mid_record(mocks, system):
    _, base = mocks
    with pytest.raises(http.client.IncompleteRead) as cut:
        get(base, FEEDS[system], headers={"X-Mock-Fault": "truncate"})
    full = get(base, FEEDS[system])[2]
    partial = cut.value.partial
    assert 0 < len(partial) < len(full)
    assert full.startswith(partial)
    assert not partial.endswith(b"\n")


def test_the_same_record_twice(mocks):
    _, base = mocks
    items, _, _ = parsers.uc_page(get(base, FEEDS["uc"], headers={"X-Mock-Fault": "duplicate"})[2])
    versions = [item[0] for item in items]
    assert len(versions) == 51
    assert len(set(versions)) == 50


def test_an_older_update_arrives_after_a_newer_one(mocks):
    _, base = mocks
    _, _, clock = get(base, "/_control/clock")
    position = json.loads(clock)["latest_versions"]["sp"]
    get(base, "/_control/advance?days=20", method="POST")
    path = f"/sp/extracts?since={position}&limit=500"
    items = parsers.sp_extract(get(base, path, headers={"X-Mock-Fault": "out_of_order"})[2])
    versions = [item[0] for item in items]
    assert versions != sorted(versions)
    stale = next(i for i in range(1, len(items)) if versions[i] < versions[i - 1])
    assert items[stale][1] == items[stale - 1][1]  # same customer, older version second


def test_esa_trailer_with_the_wrong_count(mocks):
    _, base = mocks
    with pytest.raises(parsers.BadTrailer):
        parsers.esa_extract(get(base, FEEDS["esa"], headers={"X-Mock-Fault": "trailer"})[2])
    parsers.esa_extract(get(base, FEEDS["esa"])[2])


def test_malformed_records_are_a_property_of_the_data(mocks):
    server, base = mocks
    clean = Reader(base).read_all()
    assert not clean.quarantined
    server.faults.configure({system: {"malformed": 0.2} for system in FEEDS})
    first, second = Reader(base).read_all(), Reader(base).read_all()
    assert first.quarantined
    assert first.quarantined == second.quarantined
    assert {system for system, _ in first.quarantined} == set(FEEDS)
    kinds = set()
    for system, path in FEEDS.items():
        body = get(base, path.replace("50", "300"))[2]
        items = PARSE[system](body)
        kinds |= {item.kind for item in items if isinstance(item, parsers.Malformed)}
    assert kinds == {"invalid_nino", "bad_date", "unknown_code"}


def test_forced_malformed_spoils_the_first_record(mocks):
    _, base = mocks
    items, _, _ = parsers.uc_page(get(base, FEEDS["uc"], headers={"X-Mock-Fault": "malformed"})[2])
    assert isinstance(items[0], parsers.Malformed)
    assert not any(isinstance(item, parsers.Malformed) for item in items[1:])


def test_rate_driven_faults_are_reproducible_and_a_retry_gets_through(start_mocks):
    sequences = []
    for _ in range(2):
        _, base = start_mocks(customers=200, seed="rates", faults="uc:500=0.5,uc:503=0.2")
        sequences.append(
            [
                get(base, f"/uc/v1/changes?limit=10&cursor={cursor}")[0]
                for cursor in range(40)
                for _ in range(2)
            ]
        )
    assert sequences[0] == sequences[1]
    assert {500, 503, 200} <= set(sequences[0])
    _, base = start_mocks(customers=200, seed="rates", faults="*:500=0.7")
    for path in FEEDS.values():
        attempts = 1
        while get(base, path)[0] != 200:
            attempts += 1
        assert attempts < 40


def test_faults_are_configured_at_runtime_and_reset_restores_day_zero(mocks):
    _, base = mocks
    status, _, body = get(
        base,
        "/_control/faults",
        method="POST",
        body=json.dumps({"spec": "pip:503=1", "retry_after": 5}).encode(),
    )
    assert status == 200
    assert json.loads(body)["faults"] == {"pip": {"503": 1.0}}
    assert get(base, FEEDS["pip"])[0] == 503
    status, _, body = get(
        base,
        "/_control/faults",
        method="POST",
        body=json.dumps({"faults": {"esa": {"500": 1}}}).encode(),
    )
    assert json.loads(body)["faults"] == {"esa": {"500": 1}}
    assert get(base, FEEDS["esa"])[0] == 500
    assert get(base, FEEDS["pip"])[0] == 200
    get(base, "/_control/advance?days=3", method="POST")
    status, _, body = get(base, "/_control/reset", method="POST")
    assert json.loads(body)["day"] == 0
    assert json.loads(body)["latest_versions"] == dict.fromkeys(FEEDS, 300)
    assert json.loads(get(base, "/_control/faults")[2])["faults"] == {}
    assert get(base, FEEDS["esa"])[0] == 200
    status, _, _ = get(base, "/_control/faults", method="POST", body=b'{"spec": "uc:nope=1"}')
    assert status == 400


def _changes_since(base: str, system: str, position: int, pip_batches_before: int) -> str:
    """The feed path that serves `system`'s records after version `position`."""
    if system == "uc":
        return f"/uc/v1/changes?cursor={position}&limit=500"
    if system == "esa":
        return f"/esa/extracts?from_seq={position + 1}&max=500"
    if system == "sp":
        return f"/sp/extracts?since={position}&limit=500"
    listing = get(base, f"/pip/batches?after={pip_batches_before}")[2]
    return f"/pip/batches/{parsers.pip_batch_ids(listing)[0]}.xml"


@pytest.mark.parametrize("system", list(FEEDS))
def test_every_system_can_answer_429_hang_and_the_same_record_twice(mocks, system):
    server, base = mocks
    status, headers, _ = get(base, FEEDS[system], headers={"X-Mock-Fault": "429"})
    assert status == 429
    assert headers["Retry-After"] == "1"
    server.faults.configure({}, hang_seconds=1.5)
    with pytest.raises((TimeoutError, socket.timeout)):
        get(base, FEEDS[system], headers={"X-Mock-Fault": "hang"}, timeout=0.5)
    clean = [item[0] for item in PARSE[system](get(base, FEEDS[system])[2])]
    doubled = PARSE[system](get(base, FEEDS[system], headers={"X-Mock-Fault": "duplicate"})[2])
    versions = [item[0] for item in doubled]
    assert len(versions) == len(clean) + 1
    assert sorted(set(versions)) == sorted(clean)


@pytest.mark.parametrize("system", list(FEEDS))
def test_every_system_can_serve_an_older_update_after_a_newer_one(mocks, system):
    _, base = mocks
    clock = json.loads(get(base, "/_control/clock")[2])
    position = clock["latest_versions"][system]
    batches = len(parsers.pip_batch_ids(get(base, "/pip/batches")[2]))
    get(base, "/_control/advance?days=20", method="POST")
    path = _changes_since(base, system, position, batches)
    items = PARSE[system](get(base, path, headers={"X-Mock-Fault": "out_of_order"})[2])
    versions = [item[0] for item in items]
    stale = next(i for i in range(1, len(items)) if versions[i] < versions[i - 1])
    assert items[stale][1] == items[stale - 1][1]  # same customer, older version second


@pytest.mark.parametrize("system", list(FEEDS))
def test_every_system_serves_each_kind_of_malformed_record(start_mocks, system):
    _, base = start_mocks(customers=300, seed="faults", faults=f"{system}:malformed=0.3")
    path = {"pip": FEEDS["pip"]}.get(system, FEEDS[system].replace("50", "300"))
    items = PARSE[system](get(base, path)[2])
    kinds = {item.kind for item in items if isinstance(item, parsers.Malformed)}
    assert kinds == {"invalid_nino", "bad_date", "unknown_code"}


def test_configured_latency_slows_every_request_of_that_system_only(mocks):
    server, base = mocks
    server.faults.configure({"pip": {"latency": 400}})
    started = time.monotonic()
    assert get(base, FEEDS["pip"])[0] == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert get(base, FEEDS["sp"])[0] == 200
    assert time.monotonic() - started < 0.4
