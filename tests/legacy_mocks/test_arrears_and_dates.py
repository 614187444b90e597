"""Dates that line up with the mock's today, and large arrears still to be paid."""

from datetime import date, timedelta

import pytest

from legacy_mocks.awards import LARGE_ARREARS_PENCE, SYSTEMS
from legacy_mocks.population import Population
from legacy_mocks.world import World
from tests.legacy_mocks.consumer import Reader, get

START = date(2026, 3, 2)  # fixed, so the populations below are the same on every run
DEMO = 2000  # `make run`'s demo size
# UC support needs the portal treats as complex (a large-arrears safeguard needs one).
COMPLEX = {
    "APPOINTEE",
    "HOMELESS",
    "DOMESTIC_ABUSE",
    "CARE_LEAVER",
    "PRISON_LEAVER",
    "ADDICTION",
    "MENTAL_HEALTH",
    "LEARNING_DISABILITY",
    "BEREAVEMENT",
    "TERMINAL_ILLNESS",
    "PROBLEM_DEBT",
}


def _world(days: int, *, seed: str = "2026", size: int = DEMO, **options) -> World:
    world = World(Population(size=size, seed=seed, start_date=START), **options)
    world.advance(days)
    return world


def _large_future_arrears(world: World) -> list[tuple[int, str, dict]]:
    today = world.today.isoformat()
    return [
        (index, system, item)
        for index in range(world.population.size)
        for system, source in world.customer(index)["sources"].items()
        for item in source["payments"]
        if item["kind"] == "arrears"
        and item["amount_pence"] >= LARGE_ARREARS_PENCE
        and item["payment_date"] > today
    ]


def _date_problems(world: World, *, paid_to_today: bool) -> list[str]:
    """Every date a record carries must agree with the day it was recorded (and, when awards
    are paid on schedule, with the mock's today)."""
    today = world.today.isoformat()
    problems = []
    for index in range(world.population.size):
        for system, source in world.customer(index)["sources"].items():
            recorded = source["changed_at"][:10]
            where = f"{source['identity']['last_name']} {system} v{source['version']}"
            upcoming = source["next_payment"]
            if upcoming and upcoming["payment_date"] <= recorded:
                problems.append(f"{where}: next payment {upcoming} not after {recorded}")
            if upcoming and paid_to_today and upcoming["payment_date"] <= today:
                problems.append(f"{where}: next payment {upcoming} not after today {today}")
            if upcoming and source["status"] != "live":
                problems.append(f"{where}: a payment scheduled on a {source['status']} award")
            for item in source["payments"]:
                if item["kind"] == "regular" and item["payment_date"] > recorded:
                    problems.append(f"{where}: regular payment {item} after {recorded}")
                if item["period_start"] > item["period_end"]:
                    problems.append(f"{where}: payment period backwards {item}")
                if item["payment_date"] < item["period_end"]:
                    problems.append(f"{where}: paid before the period it covers {item}")
            review = source.get("review_date") if source["status"] == "live" else None
            if system == "pip" and review and review < recorded:
                problems.append(f"{where}: review {source['review_date']} before {recorded}")
            for need in source.get("support_needs", []):
                if need["recorded_date"] > recorded:
                    problems.append(f"{where}: need recorded {need['recorded_date']} out of range")
    return problems


@pytest.mark.parametrize("days", [0, 45])
def test_no_date_contradicts_the_day_it_was_recorded(days):
    world = _world(days, change_rate=0.005)
    assert _date_problems(world, paid_to_today=days == 0) == []


def test_paid_on_schedule_no_scheduled_payment_is_ever_in_the_past():
    world = _world(0, pay_on_schedule=True)
    for days in (1, 13, 30):
        world.advance(days)
        assert _date_problems(world, paid_to_today=True) == []
    # Each award is paid every 2 to 5 weeks: by day 44 every live one has a newer record.
    paid = {
        record.index for system in SYSTEMS for record in world.records_after(system, DEMO, 10**7)
    }
    live = {
        index
        for index in range(DEMO)
        if any(source["status"] == "live" for source in world.customer(index)["sources"].values())
    }
    assert live <= paid


@pytest.mark.parametrize("days", [0, 30, 60])
def test_a_demo_population_has_several_large_arrears_still_to_be_paid(days):
    world = _world(days)
    found = _large_future_arrears(world)
    assert len(found) >= 5, found
    today = world.today
    for _, _, item in found:
        paid_on = date.fromisoformat(item["payment_date"])
        assert today < paid_on <= today + timedelta(days=42)
        assert item["period_end"] < item["payment_date"]
    complex_needs = {
        index
        for index, _, _ in found
        if {
            need["code"]
            for need in world.customer(index)["sources"].get("uc", {}).get("support_needs", [])
        }
        & COMPLEX
    }
    assert complex_needs, "no large arrears reach a customer with complex needs"


def test_large_arrears_come_from_more_than_one_system():
    systems = {
        system for days in (0, 30, 60) for _, system, _ in _large_future_arrears(_world(days))
    }
    assert {"uc", "pip"} <= systems
    assert len(systems) >= 3


def test_the_same_seed_and_day_give_the_same_arrears():
    first, again = _world(20), _world(20)
    assert _large_future_arrears(first) == _large_future_arrears(again)
    assert _large_future_arrears(first) != _large_future_arrears(_world(20, seed="other"))


def test_each_feed_serves_its_large_arrears_in_its_own_format(start_mocks):
    server, base = start_mocks(customers=DEMO, seed="2026", start_date=START)
    get(base, "/_control/advance?days=30", method="POST")
    today = server.world.today.isoformat()
    held = Reader(base, page=1000).read_all().latest
    served = sorted(
        (system, nino, item["payment_date"], item["amount_pence"])
        for (system, nino), source in held.items()
        for item in source["payments"]
        if item["kind"] == "arrears"
        and item["amount_pence"] >= LARGE_ARREARS_PENCE
        and item["payment_date"] > today
    )
    expected = sorted(
        (system, server.world.customer(index)["nino"], item["payment_date"], item["amount_pence"])
        for index, system, item in _large_future_arrears(server.world)
    )
    assert served == expected
    assert len(served) >= 5
