"""Ground truth equals what a careful consumer of the four feeds ends up holding."""

import json

from tests.legacy_mocks.consumer import Reader, get


def _truth(base: str) -> dict[tuple[str, str], dict]:
    status, headers, body = get(base, "/_truth/customers")
    assert status == 200
    assert headers["Content-Type"] == "application/x-ndjson"
    expected = {}
    for line in body.splitlines():
        customer = json.loads(line)
        assert set(customer) == {"nino", "identity", "sources"}
        for system, source in customer["sources"].items():
            expected[(system, customer["nino"])] = source
    return expected


def _without_flag(truth: dict) -> dict:
    return {
        key: {name: value for name, value in source.items() if name != "malformed"}
        for key, source in truth.items()
    }


def test_truth_matches_the_feeds_at_day_zero_and_after_the_clock_moves(start_mocks):
    _, base = start_mocks(customers=400, seed="truth", change_rate=0.02, pip_batch_size=50)
    reader = Reader(base, page=97).read_all()
    truth = _truth(base)
    assert not any(source["malformed"] for source in truth.values())
    assert reader.latest == _without_flag(truth)
    assert not reader.quarantined

    _, _, clock = get(base, "/_control/advance?days=15", method="POST")
    assert sum(json.loads(clock)["changed"].values()) > 100
    before = dict(reader.latest)
    reader.read_all()  # carries on from its positions: only the changes arrive
    assert reader.latest == _without_flag(_truth(base))
    changed = {key for key, source in reader.latest.items() if before.get(key) != source}
    assert changed
    assert all(reader.latest[key]["version"] > 400 for key in changed)


def test_truth_flags_the_records_served_malformed(start_mocks):
    _, base = start_mocks(customers=300, seed="truth", faults="*:malformed=0.1")
    reader = Reader(base).read_all()
    truth = _truth(base)
    flagged = {key for key, source in truth.items() if source["malformed"]}
    assert flagged
    assert {
        (system, truth[(system, nino)]["version"]) for system, nino in flagged
    } == reader.quarantined
    clean = _without_flag({key: truth[key] for key in truth.keys() - flagged})
    assert {key: reader.latest[key] for key in clean} == clean


def test_one_customer_by_nino_and_the_uc_claim_read(start_mocks):
    _, base = start_mocks(customers=50, seed="truth")
    truth = json.loads(get(base, "/_truth/customers?nino=ZX%2000%2000%2011%20D")[2])
    assert truth["nino"] == "ZX000011D"
    assert get(base, "/_truth/customers?nino=ZX000099D")[0] == 404
    uc_customer = next(
        index
        for index in range(50)
        if "uc"
        in json.loads(get(base, f"/_truth/customers?nino=ZX{index:06d}{'ABCD'[index % 4]}")[2])[
            "sources"
        ]
    )
    claim_id = f"UC{uc_customer:07d}"
    status, _, body = get(base, f"/uc/v1/claims/{claim_id}")
    assert status == 200
    assert json.loads(body)["claim"]["claim_id"] == claim_id
    assert get(base, "/uc/v1/claims/UC9999999")[0] == 404
