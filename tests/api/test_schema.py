"""The OpenAPI schema documents every /api/v1/ endpoint, with its problem answers."""

import re
import uuid

import pytest
from django.core.management import call_command

from tests.api.conftest import PROBLEM
from tests.security.test_url_access import all_url_names

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )


def test_every_api_url_is_in_the_schema(token_client):
    paths = token_client("work_coach").get("/api/schema/", {"format": "json"}).json()["paths"]
    routes = {
        "/api/v1/" + re.sub(r"<(?:uuid|int):(\w+)>", r"{\1}", str(pattern.pattern))
        for name, pattern in all_url_names()
        if name.startswith("api:")
    }
    assert routes == set(paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "429"} <= documented, (method, path)
            problem = operation["responses"]["401"]["content"]
            assert list(problem) == ["application/problem+json"], (method, path)


def test_every_operation_answers_anonymous_callers_401_problem(token_client, client):
    paths = token_client("work_coach").get("/api/schema/", {"format": "json"}).json()["paths"]
    wrong = []
    for path, operations in paths.items():
        url = path.replace("{public_id}", str(uuid.uuid4())).replace("{need_id}", str(uuid.uuid4()))
        url = re.sub(r"\{\w+_id\}", "1", url)  # visits and escalations: numbered
        for method in operations:
            response = getattr(client, method)(url, {}, content_type="application/json")
            if (response.status_code, response["Content-Type"]) != (401, PROBLEM):
                wrong.append(f"{method.upper()} {path}: {response.status_code}")
            elif response["WWW-Authenticate"] != "Bearer":
                wrong.append(f"{method.upper()} {path}: no WWW-Authenticate")
    assert not wrong, wrong
