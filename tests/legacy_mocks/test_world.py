"""The simulated clock: deterministic change, visible only after a consumer's position."""

from collections import Counter
from datetime import date, timedelta

from legacy_mocks import awards
from legacy_mocks.awards import SYSTEMS
from legacy_mocks.population import Population
from legacy_mocks.world import World


def _world(days: int, **options) -> World:
    world = World(Population(size=3000, seed="clock"), **options)
    world.advance(days)
    return world


def test_advancing_is_deterministic():
    first, second = _world(5, change_rate=0.01), _world(5, change_rate=0.01)
    for system in SYSTEMS:
        assert [(r.version, r.source) for r in first.records_after(system, 3000, 10**6)] == [
            (r.version, r.source) for r in second.records_after(system, 3000, 10**6)
        ]


def test_about_the_configured_fraction_changes_each_day():
    world = World(Population(size=20_000, seed="rate"))
    world.advance(7)  # 0.15% a day: about 1% in a week
    assert 180 <= len(world._current) <= 230


def test_changes_come_after_the_cursor_with_later_versions():
    world = World(Population(size=3000, seed="cursor"), change_rate=0.01)
    positions = {system: world.latest_version(system) for system in SYSTEMS}
    assert all(
        not world.records_after(system, position, 100) for system, position in positions.items()
    )
    changed = world.advance(3)
    for system, position in positions.items():
        new = world.records_after(system, position, 10**6)
        assert len(new) == changed[system] > 0
        assert [record.version for record in new] == list(
            range(position + 1, position + 1 + len(new))
        )
        day_0 = world.population.changed_at(0, 0)
        assert all(record.source["changed_at"] > day_0 for record in new)
        stamps = [record.source["changed_at"] for record in new]
        assert stamps == sorted(stamps)
        for record in new:  # the feed's latest record for a customer is the current state
            latest = world.customer(record.index)["sources"][system]
            assert latest["version"] >= record.version


def test_every_kind_of_change_happens():
    world = _world(40, change_rate=0.01)
    start = world.population.start_date
    seen: Counter[str] = Counter()
    for system in SYSTEMS:
        for record in world.records_after(system, 3000, 10**6):
            before, after = record.previous, record.source
            if before is None:
                seen[f"new_{system}"] += 1
            elif len(after["payments"]) > len(before["payments"]) or (
                after["payments"] != before["payments"]
            ):
                seen[f"payment_{system}"] += 1
            if any(
                item["kind"] == "arrears" and item["payment_date"] > start.isoformat()
                for item in after["payments"]
            ):
                seen["arrears"] += 1
                if any(  # a large one paid after the clock started moving, not at day zero
                    item["amount_pence"] > awards.LARGE_ARREARS_PENCE
                    and item["payment_date"] > start.isoformat()
                    for item in after["payments"]
                    if item["kind"] == "arrears"
                ):
                    seen["large_arrears"] += 1
            if after["identity"]["date_of_death"] and not (
                before and before["identity"]["date_of_death"]
            ):
                seen["death"] += 1
            if (
                before
                and system == "pip"
                and (before["daily_living_level"], before["mobility_level"])
                != (after["daily_living_level"], after["mobility_level"])
            ):
                seen["pip_award_change"] += 1
            if before and system == "pip" and before["review_date"] != after["review_date"]:
                seen["pip_review"] += 1
            if before and system == "esa" and before["group"] != after["group"]:
                seen["esa_group_change"] += 1
            if (
                system == "uc"
                and before
                and len(after["support_needs"]) > len(before["support_needs"])
            ):
                seen["uc_support_need"] += 1
            if (
                system == "esa"
                and after["status"] == "closed"
                and before
                and (before["status"] == "live")
                and not after["identity"]["date_of_death"]
            ):
                seen["esa_closed"] += 1
            if system == "sp" and before is None:
                born = date.fromisoformat(after["identity"]["date_of_birth"])
                assert after["sp_date"] == awards.add_years(born, 66).isoformat()
                assert after["changed_at"].startswith(after["sp_date"])
    for kind in (
        "new_uc",
        "new_pip",
        "new_sp",
        "payment_uc",
        "payment_pip",
        "payment_esa",
        "payment_sp",
        "arrears",
        "large_arrears",
        "death",
        "pip_award_change",
        "pip_review",
        "esa_group_change",
        "uc_support_need",
        "esa_closed",
    ):
        assert seen[kind] > 0, kind


def test_a_death_reaches_every_system_the_customer_is_in():
    world = _world(30, change_rate=0.01)
    died = [
        record
        for record in world.records_after("sp", 3000, 10**6)
        if record.previous
        and record.source["identity"]["date_of_death"]
        and not record.previous["identity"]["date_of_death"]
    ]
    assert died
    for record in died:
        state = world.customer(record.index)
        assert state["identity"]["date_of_death"] == record.source["identity"]["date_of_death"]
        for source in state["sources"].values():
            assert source["identity"]["date_of_death"] == state["identity"]["date_of_death"]
            assert source["status"] == "closed"


def test_esa_to_uc_migration_ends_esa_and_starts_uc_the_next_day():
    world = _world(60, change_rate=0.01)
    migrated = 0
    for record in world.records_after("esa", 3000, 10**6):
        state = world.customer(record.index)
        esa, uc = record.source, state["sources"].get("uc")
        if (
            esa["status"] == "closed"
            and not esa["identity"]["date_of_death"]
            and uc
            and uc["start_date"] > world.population.start_date.isoformat()
        ):
            ended = date.fromisoformat(esa["end_date"])
            started = date.fromisoformat(uc["start_date"])
            assert started - ended <= timedelta(days=1)
            migrated += 1
    assert migrated


def test_memory_holds_only_the_changed_customers():
    world = _world(10, change_rate=0.005)
    assert 0 < len(world._current) <= 0.005 * 3000 * 10 + 3000 // 100
