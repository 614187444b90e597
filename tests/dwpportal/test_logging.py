"""Logs are one JSON line per request, and never contain a NINO."""

import json
import logging

import pytest

from dwpportal.logging import JsonFormatter, RedactNinoFilter


def format_record(message: str, *args: object, **extra: object) -> str:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    RedactNinoFilter().filter(record)
    return JsonFormatter().format(record)


@pytest.mark.parametrize("nino", ["ZX123456A", "zx 12 34 56 a", "QQ 12 34 56 C", "AB123456"])
def test_ninos_are_redacted_from_messages_args_and_context(nino):
    line = format_record("looked up %s", nino, ctx_query=f"name {nino}")
    assert nino not in line
    assert "[NINO]" in json.loads(line)["message"]
    assert json.loads(line)["query"] == "name [NINO]"


def test_request_log_is_one_json_line_with_route_not_raw_path(coach_client, caplog):
    with caplog.at_level(logging.INFO, logger="dwpportal.request"):
        coach_client.get("/no-such-page/ZX123456A/")
    record = next(r for r in caplog.records if r.name == "dwpportal.request")
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["status"] == 404
    assert entry["route"] == "(unresolved)"
    assert "ZX123456A" not in line


PRODUCTION_REQUESTS = """
from django.test import Client, override_settings
# The static manifest exists only after collectstatic in a deployment.
with override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}):
    client = Client(HTTP_HOST="portal.dwp.example")
    client.get("/accounts/sign-in/", {"next": "/customers/?q=ZX123456A"}, secure=True)
    client.get("/customers/ZX 12 34 56 A/", secure=True)
    client.get("/customers/", {"q": "ZX123456A"}, secure=True)  # signed out: redirected
"""


def test_production_writes_one_json_line_per_request_and_no_nino():
    # GETs only: production mode runs against the local (not the test) database.
    from tests.dwpportal.test_settings import run_production

    result = run_production(["shell", "-v", "0", "-c", PRODUCTION_REQUESTS])
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [entry for entry in entries if entry["logger"] == "dwpportal.request"]
    assert len(requests) == 3
    assert {entry["status"] for entry in requests} == {200, 302, 404}
    for nino in ("ZX123456A", "ZX 12 34 56 A", "ZX%2012", "ZX12"):
        assert nino not in output
