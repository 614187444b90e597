"""API test helpers: a bearer token per colleague, and a customer with something of everything."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts import roles
from accounts.api_tokens import api_token_issue
from support_needs.models import NeedType
from support_needs.services.needs import support_need_record
from tests.factories import (
    BenefitEventFactory,
    ColleagueFactory,
    CustomerFactory,
    PaymentFactory,
    PipAwardFactory,
    SourceIdentityFactory,
    UniversalCreditAwardFactory,
)
from tests.factories.accounts import TEST_CHANGE_SOURCE
from tests.support_needs.conftest import audit_as

ROLE_FOR = {
    "work_coach": roles.WORK_COACH,
    "acssl": roles.ACSSL,
    "team_leader": roles.TEAM_LEADER,
    "admin": roles.ADMIN,
}
PROBLEM = "application/problem+json"
REASON = "Customer rang about a missed payment"


class TokenClient:
    """A test client that sends a colleague's bearer token (and no session) on every request."""

    def __init__(self, user) -> None:
        self.user = user
        self.client = Client()
        token = api_token_issue(user=user, name="test", source=TEST_CHANGE_SOURCE)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, data=None, **headers):
        return self.client.get(path, data, headers={**self.headers, **headers})

    def post(self, path: str, data=None, **headers):
        return self.client.post(
            path, data or {}, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def token_client(db):
    """token_client("work_coach") -> a TokenClient for a new colleague with that role."""
    made: dict[str, TokenClient] = {}

    def make(role: str, username: str = "") -> TokenClient:
        if role not in made:
            user = ColleagueFactory(username=username or f"api-{role}", role=ROLE_FOR[role])
            made[role] = TokenClient(user)
        return made[role]

    return make


def restricted_marker(customer, by):
    return support_need_record(
        customer=customer,
        audit=audit_as(by),
        need_type=NeedType.objects.get(code="risk-of-harm"),
        how_learned="customer",
        consent="given",
        details="Partner controls the money.",
    )


def ordinary_need(customer, by, code: str = "homelessness"):
    return support_need_record(
        customer=customer,
        audit=audit_as(by),
        need_type=NeedType.objects.get(code=code),
        how_learned="customer",
        consent="given",
        details="Sofa surfing.",
    )


@pytest.fixture
def full_customer(db):
    """UC and PIP, payments (one scheduled), a benefit event, a name difference in PIP's copy,
    an ordinary need and a restricted marker."""
    customer = CustomerFactory(first_name="Ada", last_name="Lovelace")
    UniversalCreditAwardFactory(customer=customer)
    PipAwardFactory(customer=customer)
    customer.benefits_held = ["uc", "pip"]
    customer.save()
    SourceIdentityFactory(customer=customer, source="uc")
    SourceIdentityFactory(customer=customer, source="pip", first_name="Adah")
    today = timezone.localdate()
    PaymentFactory(customer=customer, benefit="uc", payment_date=today - dt.timedelta(days=20))
    PaymentFactory(
        customer=customer,
        benefit="uc",
        status="scheduled",
        payment_date=today + dt.timedelta(days=10),
    )
    BenefitEventFactory(customer=customer, benefit="pip")
    leader = ColleagueFactory(username="fixture-leader", role=roles.TEAM_LEADER)
    ordinary_need(customer, leader)
    restricted_marker(customer, leader)
    return customer
