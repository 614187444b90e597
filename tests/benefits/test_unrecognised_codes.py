"""Codes the portal has no wording for are counted on the sync ops page."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from benefits.sync.selectors import unrecognised_codes
from tests.factories import UniversalCreditAwardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_count():
    cache.delete("benefits:unrecognised-codes")
    yield
    cache.delete("benefits:unrecognised-codes")


def test_codes_without_wording_are_counted_by_the_awards_holding_them():
    known = [{"type": "LCWRA", "amount_pence": 42327}]
    UniversalCreditAwardFactory(
        elements=known, deductions=[{"type": "FUEL_DIRECT", "amount_pence": 900}]
    )
    UniversalCreditAwardFactory(
        elements=[*known, {"type": "SEVERE_DISABILITY", "amount_pence": 100}],
        deductions=[
            {"type": "FUEL_DIRECT", "amount_pence": 900},
            {"type": "FUEL_DIRECT", "amount_pence": 100},
            {"type": "OVERPAYMENT", "amount_pence": 4023},
        ],
        sanctions=[{"level": "higher"}, {"level": "severe"}],
    )
    found = {(row.what, row.code): row.awards for row in unrecognised_codes()}
    assert found == {
        ("Universal Credit deduction", "FUEL_DIRECT"): 2,
        ("Universal Credit element", "SEVERE_DISABILITY"): 1,
        ("Universal Credit sanction level", "severe"): 1,
    }


def test_the_ops_page_lists_them(admin_client):
    UniversalCreditAwardFactory(deductions=[{"type": "FUEL_DIRECT", "amount_pence": 900}])
    page = admin_client.get(reverse("benefits:ops")).content.decode()
    assert 'data-testid="unrecognised-codes"' in page
    assert "<code>FUEL_DIRECT</code>" in page


def test_the_ops_page_says_when_every_code_has_wording(admin_client):
    UniversalCreditAwardFactory(elements=[{"type": "LCWRA", "amount_pence": 42327}])
    page = admin_client.get(reverse("benefits:ops")).content.decode()
    assert 'data-testid="no-unrecognised-codes"' in page
