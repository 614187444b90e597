"""The name-word lexicon (kept by triggers on every customer write) and the name search it leads.

Search takes its candidates from the lexicon: the surnames like one typed word and the first
names like another, then the customers with those names. These tests pin that the lexicon
stays current however a name is written, and the cases the narrowing must not lose.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, CustomerNameWord, search_name_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def lexicon_for(customer: Customer) -> set[tuple[str, str, str]]:
    return set(
        CustomerNameWord.objects.filter(
            key__in=[customer.first_name.upper(), customer.last_name.upper()]
        ).values_list("kind", "key", "word")
    )


def expected_words(first_name: str, last_name: str) -> set[tuple[str, str, str]]:
    """What search_name_for() makes of each name, one row per word."""
    return {("f", first_name.upper(), w) for w in search_name_for(first_name, "", "").split()} | {
        ("l", last_name.upper(), w) for w in search_name_for("", "", last_name).split()
    }


def results(client, query: str, **extra: str) -> str:
    data = {"query": query, "dob_day": "", "dob_month": "", "dob_year": "", "postcode": ""}
    data.update(extra)
    response = client.post("/customers/", data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode().split('data-testid="search-results"', 1)[-1]


def test_a_new_customer_adds_each_word_of_their_names_as_search_name_for_splits_them():
    # Curly apostrophe and hyphen: the trigger's SQL must normalise exactly as Python does.
    customer = CustomerFactory(first_name="Mary-Jane", last_name="O\u2019Brien-Smith")
    assert lexicon_for(customer) == expected_words("Mary-Jane", "O\u2019Brien-Smith")
    assert ("l", "O\u2019BRIEN-SMITH", "obrien") in lexicon_for(customer)


@pytest.mark.parametrize("how", ["save", "queryset update", "bulk_create"])
def test_a_name_changed_or_written_in_bulk_is_in_the_lexicon(how):
    customer = CustomerFactory(first_name="Ada", last_name="Lovelace")
    if how == "save":  # a colleague's or an admin's edit goes through save()
        customer.last_name = "Byron-King"
        customer.save()
    elif how == "queryset update":  # set-based UPDATE, as the sync's customer refresh does
        Customer.objects.filter(pk=customer.pk).update(last_name="Byron-King")
    else:
        Customer.objects.bulk_create([Customer(nino="ZX900303A", first_name="Ada",
                                               last_name="Byron-King")])  # fmt: skip
    words = set(CustomerNameWord.objects.filter(key="BYRON-KING").values_list("word", flat=True))
    assert words == {"byron", "king"}
    # The old surname stays (harmless: it matches no customer), and is never duplicated.
    customer.save()
    assert CustomerNameWord.objects.filter(key="LOVELACE").count() == 1


def test_search_finds_a_customer_by_a_misspelling_of_the_surname_they_were_just_given(
    coach_client,
):
    customer = CustomerFactory(first_name="Ada", last_name="Lovelace")
    Customer.objects.filter(pk=customer.pk).update(
        last_name="Featherstonehaugh",
        search_name=search_name_for("Ada", customer.middle_names, "Featherstonehaugh"),
    )
    assert "Ada" in results(coach_client, "Ada Featherstonhaugh")
    assert "Featherstonehaugh" in results(coach_client, "Ada Featherstonhaugh")


def test_two_typos_in_a_short_surname_still_find_it(coach_client):
    # "signh" is only 0.2 like "singh": the lexicon is asked again, wider.
    CustomerFactory(first_name="Ewan", last_name="Singh")
    CustomerFactory(first_name="Ewan", last_name="Walkden")
    content = results(coach_client, "Ewan Signh")
    assert "Ewan Singh" in content
    assert "Ewan Walkden" not in content


def test_a_badly_misspelt_surname_is_looked_for_wider_even_when_the_first_name_is_a_surname(
    coach_client,
):
    # "thomas" is someone's surname too: "signh" must still be tried as the surname.
    CustomerFactory(first_name="Thomas", last_name="Singh")
    CustomerFactory(first_name="Alice", last_name="Thomas")
    content = results(coach_client, "Thomas Signh")
    assert "Thomas Singh" in content


def test_a_first_name_alone_still_searches_every_name(coach_client):
    CustomerFactory(first_name="Margaret", last_name="O'Brien-Smith")
    CustomerFactory(first_name="Terence", last_name="Walkden")
    content = results(coach_client, "Margaret")
    assert "Margaret O&#x27;Brien-Smith" in content
    assert "Terence Walkden" not in content


def test_a_word_like_both_a_first_name_and_part_of_the_surname_is_tried_as_each(coach_client):
    # "carter" is like the first name Carys: it must still count as part of the surname.
    CustomerFactory(first_name="Carys", last_name="Jones")
    CustomerFactory(first_name="Olivia", last_name="ap Rhys-Carter", postcode="SE15 7LB")
    assert "Olivia ap Rhys-Carter" in results(coach_client, "ap Rhys-Carter", postcode="SE15")


@pytest.mark.parametrize("typed", ["Thomas James", "James Thomas"])
def test_either_word_may_be_the_surname(coach_client, typed):
    CustomerFactory(first_name="Thomas", last_name="James")
    CustomerFactory(first_name="James", last_name="Thomas")
    content = results(coach_client, typed)
    assert "Thomas James" in content
    assert "James Thomas" in content


def test_a_first_name_and_surname_search_reads_the_name_index_not_the_whole_trigram_index(
    coach_client,
):
    """The performance design (1M customers: benchmarks/notes.md), pinned: a name with a
    surname in it is looked up by UPPER(last_name)/UPPER(first_name), and the pg_trgm
    operators (which touch every customer sharing a trigram) are not used on customers."""
    CustomerFactory(first_name="Oliver", last_name="Johnson")
    with CaptureQueriesContext(connection) as captured:
        assert "Oliver Johnson" in results(coach_client, "Oliver Jhonson")
    customer_sql = [q["sql"] for q in captured if 'FROM "customers_customer"' in q["sql"]]
    name_search = [q for q in customer_sql if "similarity" in q]
    assert len(name_search) == 1
    assert 'UPPER("customers_customer"."last_name") IN' in name_search[0]
    assert 'UPPER("customers_customer"."first_name") IN' in name_search[0]
    assert '"search_name" %' not in name_search[0]
    assert "%> " not in name_search[0]


@pytest.mark.parametrize(
    "typed",
    [
        "M O'Brien-Smith",  # an initial is only ranked, never looked up
        "Margaret Anne Louise Mary Jane O'Brien Smith",  # past five words: the longest five
    ],
)
def test_initials_and_long_names_still_find_the_customer(coach_client, typed):
    CustomerFactory(first_name="Margaret", middle_names="Anne", last_name="O'Brien-Smith")
    CustomerFactory(first_name="Terence", last_name="Walkden")
    content = results(coach_client, typed)
    assert "Margaret Anne O&#x27;Brien-Smith" in content
    assert "Terence Walkden" not in content


def test_with_a_date_of_birth_a_middle_name_typed_without_the_first_name_still_matches(
    coach_client,
):
    # Without a date of birth "Anne" must be like the first name (the lexicon's narrowing);
    # with one, the few customers born that day are matched on every part of the name.
    born = dt.date(1961, 5, 4)
    CustomerFactory(
        first_name="Margaret", middle_names="Anne", last_name="O'Brien-Smith", date_of_birth=born
    )
    CustomerFactory(first_name="Terence", last_name="Walkden", date_of_birth=born)
    CustomerFactory(first_name="Anne", last_name="Jones")  # so "anne" is a known first name
    assert "Margaret Anne" not in results(coach_client, "Anne O'Brien-Smith")
    content = results(
        coach_client, "Anne O'Brien-Smith", dob_day="4", dob_month="5", dob_year="1961"
    )
    assert "Margaret Anne O&#x27;Brien-Smith" in content
    assert "Terence Walkden" not in content
