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
