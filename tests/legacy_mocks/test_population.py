"""The generated population: deterministic, realistic, and one-to-one with demo NINOs."""

import re
from collections import Counter
from datetime import date

import pytest

from legacy_mocks import awards
from legacy_mocks.population import MAX_CUSTOMERS, Population, index_for, nino_for
from tests.legacy_mocks.parsers import valid_nino

START = date(2025, 6, 2)  # day 0, fixed so the age checks below do not depend on the real date
POSTCODE = re.compile(r"[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}")


@pytest.fixture(scope="module")
def people() -> list[dict]:
    population = Population(size=4000, seed="realism", start_date=START)
    return [population.customer(index) for index in range(4000)]


def test_same_seed_same_customers_and_a_different_seed_differs():
    first, again = Population(size=500, seed=7), Population(size=500, seed=7)
    other = Population(size=500, seed=8)
    for index in (0, 1, 250, 499):
        assert first.customer(index) == again.customer(index)
        assert first.holds(index) == again.holds(index)
    assert [first.customer(i) for i in range(20)] != [other.customer(i) for i in range(20)]


def test_building_one_system_matches_the_full_build():
    population = Population(size=1000, seed=3)
    for index in range(60):
        full = population.customer(index)
        for system, source in full["sources"].items():
            assert population.customer(index, system)["sources"] == {system: source}


def test_ninos_are_valid_demo_numbers_one_to_one_with_the_index():
    for index in (0, 1, 2, 3, 42, 123456, MAX_CUSTOMERS - 1):
        nino = nino_for(index)
        assert valid_nino(nino)
        assert nino.startswith("ZX")
        assert index_for(nino) == index
    assert nino_for(999_999) == "ZX999999D"
    assert len({nino_for(index) for index in range(0, MAX_CUSTOMERS, 7)}) == len(
        range(0, MAX_CUSTOMERS, 7)
    )
    assert index_for("ZX000001A") is None  # wrong suffix for that index
    assert index_for("QQ123456C") is None


def test_population_size_is_bounded_by_the_nino_range():
    with pytest.raises(ValueError, match="between 1 and"):
        Population(size=MAX_CUSTOMERS + 1, seed=1)


def test_benefits_overlap_by_age(people):
    start = START
    mixes = Counter(frozenset(person["sources"]) for person in people)
    assert sum(count for mix, count in mixes.items() if mix) / len(people) > 0.75
    for mix in ({"uc", "pip"}, {"esa", "pip"}, {"sp", "pip"}, {"uc"}, {"sp"}, {"pip"}):
        assert mixes[frozenset(mix)] > 0, mix
    for person in people:
        age = awards.age_on(date.fromisoformat(person["identity"]["date_of_birth"]), start)
        if "sp" in person["sources"]:
            assert age >= awards.SP_AGE
        if {"uc", "esa"} & set(person["sources"]):
            assert age < awards.SP_AGE
        assert not {"uc", "esa"} <= set(person["sources"])


def test_names_addresses_and_identity_quirks_are_realistic(people):
    last_names = {person["identity"]["last_name"] for person in people}
    assert any("'" in name for name in last_names)
    assert any("-" in name for name in last_names)
    assert any(len(person["identity"]["middle_names"]) >= 2 for person in people)
    for person in people:
        assert POSTCODE.fullmatch(person["identity"]["address"]["postcode"])
    restricted = sum(person["identity"]["restricted"] for person in people)
    deceased = [person for person in people if person["identity"]["date_of_death"]]
    assert 0 < restricted < 0.015 * len(people)
    assert deceased
    for person in deceased:
        for source in person["sources"].values():
            assert source["status"] == "closed"
            assert source["next_payment"] is None
            assert source["identity"]["date_of_death"] == person["identity"]["date_of_death"]
    drifted = 0
    for person in people:
        for system, source in person["sources"].items():
            cis = person["identity"]
            copy = {**source["identity"]}
            if system == "esa":  # JSAPS holds names and addresses in upper case
                assert copy["last_name"] == copy["last_name"].upper()
                cis = {
                    **cis,
                    "first_name": cis["first_name"].upper(),
                    "middle_names": [name.upper() for name in cis["middle_names"]],
                    "last_name": cis["last_name"].upper(),
                    "address": {
                        key: value.upper() if value else value
                        for key, value in cis["address"].items()
                    },
                }
            drifted += copy != cis
    assert 0.01 < drifted / len(people) < 0.06


def test_awards_follow_the_rates(people):
    uc = [person["sources"]["uc"] for person in people if "uc" in person["sources"]]
    with_needs = [claim for claim in uc if claim["support_needs"]]
    assert 0.08 < len(with_needs) / len(uc) < 0.18
    for claim in uc:
        assert claim["standard_allowance_pence"] in awards.UC_STANDARD_ALLOWANCE.values()
        deductions = sum(item["amount_pence"] for item in claim["deductions"])
        assert deductions <= claim["standard_allowance_pence"] * 15 // 100
    assert any(claim["sanctions"] for claim in uc)
    for person in people:
        pip = person["sources"].get("pip")
        if pip and pip["status"] == "live":
            assert (
                pip["daily_living_weekly_pence"]
                == awards.PIP_DAILY_LIVING[pip["daily_living_level"]]
            )
            assert pip["mobility_weekly_pence"] == awards.PIP_MOBILITY[pip["mobility_level"]]
        sp = person["sources"].get("sp")
        if sp:
            assert sp["payment_weekday"] == awards.WEEKDAYS[int(person["nino"][6:8]) // 20]
            if (
                sp["pension_type"] == "new"
                and sp["qualifying_years"] >= 35
                and not sp["deferral_weeks"]
            ):
                assert sp["weekly_amount_pence"] == 23025
            if sp["status"] == "live":
                paid_on = date.fromisoformat(sp["next_payment"]["payment_date"])
                assert awards.WEEKDAYS[paid_on.weekday()] == sp["payment_weekday"]


def test_some_payments_are_arrears_and_some_of_those_are_large(people):
    arrears = [
        payment
        for person in people
        for source in person["sources"].values()
        for payment in source["payments"]
        if payment["kind"] == "arrears"
    ]
    assert arrears
    assert any(payment["amount_pence"] > awards.LARGE_ARREARS_PENCE for payment in arrears)
    for person in people:
        for source in person["sources"].values():
            assert all(isinstance(payment["amount_pence"], int) for payment in source["payments"])
