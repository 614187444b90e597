"""Each system's wire format round-trips through a parser written from the documentation."""

import pytest

from legacy_mocks.formats import esa, pip, sp, uc
from legacy_mocks.population import Population
from legacy_mocks.world import World
from tests.legacy_mocks import parsers


@pytest.fixture(scope="module")
def world() -> World:
    world = World(Population(size=600, seed="formats"), change_rate=0.02, pip_batch_size=40)
    world.advance(10)  # include changed records: closures, deaths, new claims, arrears
    return world


def _everything(world: World, system: str):
    return world.records_after(system, 0, 10**6)


def _assert_round_trip(records, parsed) -> None:
    assert len(parsed) == len(records)
    for record, (version, nino, source) in zip(records, parsed, strict=True):
        assert (version, nino) == (record.version, record.nino)
        assert source == record.source


def test_uc_json_round_trips(world):
    records = _everything(world, "uc")
    items, cursor, more = parsers.uc_page(uc.changes_page(records, next_cursor="9", has_more=False))
    _assert_round_trip(records, items)
    assert (cursor, more) == ("9", False)


def test_pip_xml_round_trips(world):
    records = _everything(world, "pip")
    batch = world.pip_batches()[0]
    items = parsers.pip_batch(pip.batch_file(batch, records))
    _assert_round_trip(records, items)
    listing = parsers.pip_batch_ids(pip.batch_list(world.pip_batches()))
    assert listing[:2] == ["000001", "000002"]


def test_esa_fixed_width_round_trips_with_header_and_trailer(world):
    records = _everything(world, "esa")
    body = esa.extract(records, extract_date="2025-06-12", first_seq=1, next_seq=77)
    lines = body.decode("ascii").splitlines()
    assert all(len(line) == esa.RECORD_LENGTH for line in lines)
    assert lines[0].startswith("HDR20250612000000000001JSAPS")
    assert lines[-1].startswith(f"TRL{len(lines) - 2:09d}000000000077")
    items, next_seq = parsers.esa_extract(body)
    _assert_round_trip(records, items)
    assert next_seq == 77


def test_esa_layouts_are_contiguous_and_fit_every_generated_value(world):
    for layout in esa.LAYOUTS.values():
        columns = esa.offsets(layout)
        assert sum(width for _, _, width in columns) <= esa.RECORD_LENGTH
    longest = {"surname": 0, "forename": 0, "other_forenames": 0, "address_line_1": 0}
    for index in range(600):
        identity = world.customer(index)["identity"]
        longest["surname"] = max(longest["surname"], len(identity["last_name"]))
        longest["forename"] = max(longest["forename"], len(identity["first_name"]))
        longest["other_forenames"] = max(
            longest["other_forenames"], len(" ".join(identity["middle_names"]))
        )
        longest["address_line_1"] = max(
            longest["address_line_1"], len(identity["address"]["line_1"])
        )
    widths = dict(esa.IDENTITY)
    assert all(longest[name] <= widths[name] for name in longest)


def test_sp_csv_round_trips(world):
    records = _everything(world, "sp")
    body = sp.extract(records)
    assert body.decode().splitlines()[0].startswith("record_type,seq,changed_at,nino,surname")
    _assert_round_trip(records, parsers.sp_extract(body))
