"""The COPY floor: the portal's rows go back into the portal's own tables, then are rolled back."""

import pytest
from django.db import connection

from benchmarks.dataset import history_tables, portal_tables, table_counts
from benchmarks.sync import copy_floor
from customers.models import Customer
from tests.factories.customers import (
    PaymentFactory,
    SourceIdentityFactory,
    UniversalCreditAwardFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_copy_floor_times_the_same_tables_with_their_triggers_and_leaves_the_data(tmp_path):
    for _ in range(3):
        identity = SourceIdentityFactory()
        UniversalCreditAwardFactory(customer=identity.customer)
        PaymentFactory.create_batch(2, customer=identity.customer)
    tables = portal_tables()
    before = table_counts(tables)
    history_before = sum(table_counts(history_tables()).values())
    names = sorted(Customer.objects.values_list("nino", "search_name"))

    floor = copy_floor(tables, history_tables(), connection.settings_dict["NAME"], tmp_path)

    assert floor["copy_rows"] == sum(before.values()) == 3 * (1 + 1 + 1 + 2)
    # The change-history triggers fired for the COPYed rows, as they do for the sync's writes.
    assert floor["copy_history_rows"] >= 3 * (1 + 1 + 2)
    assert floor["copy_seconds"] > 0
    assert floor["copy_temp_seconds"] > 0
    # Rolled back: the same rows, no extra history, no dump files left behind.
    assert table_counts(tables) == before
    assert sum(table_counts(history_tables()).values()) == history_before
    assert sorted(Customer.objects.values_list("nino", "search_name")) == names
    assert not list(tmp_path.iterdir())
