"""Schemathesis against a live server: every operation in the OpenAPI schema, with generated
(and boundary) input, as a colleague with broad rights. No 5xx, and every answer matches the
schema: status code, content type, headers and body.

Bounded (a few examples an operation) so it finishes in a couple of minutes on a busy machine.
Every other generated case has its path's ids swapped for real objects (a customer, their
need, an ACS case), so the 2xx answers are exercised as well as the 404s of random ids.
"""

import json
from dataclasses import dataclass, field

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import roles
from accounts.api_tokens import api_token_issue
from acs.models import Escalation, VisitRequest
from benefits.models import QuarantinedRecord, SyncRun
from core.api import PerTokenRateThrottle
from tests.api.conftest import ordinary_need
from tests.factories import (
    AcsCaseFactory,
    ColleagueFactory,
    CustomerFactory,
    OpenCaseFactory,
    PaymentFactory,
    UniversalCreditAwardFactory,
)
from tests.factories.accounts import TEST_CHANGE_SOURCE

pytestmark = pytest.mark.django_db(transaction=True)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class World:
    headers: dict[str, str]
    customer_id: str
    case_ids: list[str]
    need_id: str
    # The visit and the escalation on the first case (their ids are numbers).
    tracked_ids: dict[str, int] = field(default_factory=dict)
    swaps: dict[str, list[int]] = field(default_factory=dict)
    cases: int = 0

    def real_ids(self, path: str) -> dict[str, str]:
        """Real objects for the path's parameters (an ACS case, or a customer and their need)."""
        ids: dict[str, str] = {}
        if "{public_id}" in path:
            ids["public_id"] = (
                self.case_ids[0] if path.startswith("/api/v1/acs/") else self.customer_id
            )
        if "{need_id}" in path:
            ids["need_id"] = self.need_id
        for name, pk in self.tracked_ids.items():
            if "{" + name + "}" in path:
                ids[name] = str(pk)
        return ids


@pytest.fixture
def world(transactional_db, monkeypatch):
    # Schemathesis sends many requests a minute; the throttle has its own test.
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"per_token": "100000/minute"})
    from django.contrib.auth.models import Permission

    colleague = ColleagueFactory(username="schemathesis", role=roles.TEAM_LEADER)
    colleague.user_permissions.add(Permission.objects.get(codename="view_quarantinedrecord"))
    customer = CustomerFactory()
    UniversalCreditAwardFactory(customer=customer)
    PaymentFactory(customer=customer)
    need = ordinary_need(customer, colleague)
    cases = [AcsCaseFactory(customer=customer), OpenCaseFactory(owner=colleague)]
    visit = VisitRequest.objects.create(case=cases[0], reason="No phone", requested_by=colleague)
    escalation = Escalation.objects.create(
        case=cases[0], route="scp", reason="Serious harm", escalated_by=colleague
    )
    run = SyncRun.objects.create(source="uc", status=SyncRun.Status.SUCCEEDED)
    QuarantinedRecord.objects.create(
        source="uc", sync_run=run, position="page 1", raw_payload="{}", reason="Bad JSON"
    )
    token = api_token_issue(user=colleague, name="schemathesis", source=TEST_CHANGE_SOURCE)
    world = World(
        headers={"Authorization": f"Bearer {token}"},
        customer_id=str(customer.public_id),
        case_ids=[str(c.public_id) for c in cases],
        need_id=str(need.public_id),
        tracked_ids={"visit_id": visit.pk, "escalation_id": escalation.pk},
    )
    yield world
    # Honest coverage: a read of a real object was answered 2xx at least once.
    for operation, statuses in world.swaps.items():
        if operation.startswith("GET "):
            assert any(200 <= code < 300 for code in statuses), (operation, statuses)


def _spec() -> dict:
    """The schema /api/schema/ serves, generated in-process (no server needed to collect)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_spec())


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, live_server, world):
    call = {"base_url": live_server.url, "headers": world.headers, "checks": CHECKS}
    world.cases += 1
    real = world.real_ids(case.path)
    if real and world.cases % 2:
        case.path_parameters = {**(case.path_parameters or {}), **real}
        response = case.call_and_validate(**call)
        if case.method.upper() == case.operation.method.upper():  # not an unexpected-method probe
            world.swaps.setdefault(f"{case.method.upper()} {case.path}", []).append(
                response.status_code
            )
    else:
        case.call_and_validate(**call)
