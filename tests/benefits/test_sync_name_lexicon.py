"""The sync's bulk writes keep the name-search lexicon current (triggers on customers_customer)."""

import dataclasses

import pytest

from benefits.models import SyncRun
from benefits.sources import client_for
from benefits.sync.apply import records_apply
from customers.models import Customer, CustomerNameWord, search_name_for
from tests.benefits.conftest import sync_inline

pytestmark = pytest.mark.django_db


def lexicon() -> set[tuple[str, str, str]]:
    return set(CustomerNameWord.objects.values_list("kind", "key", "word"))


def words_of(customers) -> set[tuple[str, str, str]]:
    rows = set()
    for first_name, last_name in customers:
        rows |= {("f", first_name.upper(), w) for w in search_name_for(first_name, "", "").split()}
        rows |= {("l", last_name.upper(), w) for w in search_name_for("", "", last_name).split()}
    return rows


def test_an_initial_load_puts_every_customers_names_in_the_lexicon(legacy):
    sync_inline("uc")
    names = Customer.objects.values_list("first_name", "last_name")
    assert len(names) > 0
    assert lexicon() == words_of(names)


def test_a_surname_changed_by_the_sync_is_in_the_lexicon_and_found_misspelt(legacy, coach_client):
    sync_inline("uc")
    record = client_for("uc").read_page("").records[0]
    renamed = dataclasses.replace(
        record,
        version=record.version + 10_000,
        identity=dataclasses.replace(record.identity, last_name="Featherstonehaugh"),
    )
    run = SyncRun.objects.create(source="uc", status="succeeded")
    assert records_apply(source="uc", records=[renamed], run_id=run.pk).updated == 1
    assert ("l", "FEATHERSTONEHAUGH", "featherstonehaugh") in lexicon()

    first_name = renamed.identity.first_name
    data = {"query": f"{first_name} Featherstonhaugh", "dob_day": "", "dob_month": "",
            "dob_year": "", "postcode": ""}  # fmt: skip
    page = coach_client.get(coach_client.post("/customers/", data)["Location"])
    customer = Customer.objects.get(nino=record.nino)
    assert customer.last_name == "Featherstonehaugh"
    assert str(customer.public_id) in page.content.decode()
