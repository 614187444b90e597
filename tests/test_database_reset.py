"""After a transactional test the database is as Django's flush leaves it (tests/database_reset.py):
every table emptied but the reference data post_migrate seeds, which is there as flush makes it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection

from accounts import roles
from support_needs.models import NeedType
from tests import database_reset
from tests.factories import ColleagueFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def reference_data() -> tuple[list[str], list[str], int]:
    return (
        sorted(Group.objects.values_list("name", flat=True)),
        sorted(NeedType.objects.values_list("code", flat=True)),
        Permission.objects.count(),
    )


def test_rows_a_test_wrote_go_and_the_reference_data_stays():
    database_reset.flush(connection.alias)
    seeded = reference_data()
    assert roles.WORK_COACH in seeded[0]
    assert seeded[1]
    ColleagueFactory(username="written", role=roles.ACSSL)
    CustomerFactory()

    assert database_reset.empty(connection.alias) == "quick"

    assert not ColleagueFactory._meta.model.objects.exists()
    assert not CustomerFactory._meta.model.objects.exists()
    assert reference_data() == seeded


def test_changed_reference_data_is_put_back_by_a_full_flush():
    database_reset.flush(connection.alias)
    seeded = reference_data()
    NeedType.objects.filter(code=seeded[1][0]).delete()
    Group.objects.filter(name=roles.ADMIN).update(name="Renamed")
    ColleagueFactory(username="written", role=roles.ACSSL)

    assert database_reset.empty(connection.alias) == "flush"

    assert not ColleagueFactory._meta.model.objects.exists()
    assert reference_data() == seeded


def test_a_second_empty_after_a_full_one_is_quick():
    database_reset.flush(connection.alias)
    CustomerFactory()
    assert database_reset.empty(connection.alias) == "quick"
    assert database_reset.empty(connection.alias) == "quick"
    assert not CustomerFactory._meta.model.objects.exists()
