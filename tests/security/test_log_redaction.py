"""No NINO reaches the logs (ASVS 16.2.5), checked at the configured handler's output: the
request log line, Django's own security and error lines, and tracebacks, in both formats."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from dwpportal.logging import JsonFormatter, RedactNinoFilter
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
NINO = "ZX123456A"
SPACED = "zx 12 34 56 a"


@pytest.fixture(params=["console", "json"])
def log_output(request):
    """What the configured 'default' handler (the one LOGGING sets up) writes, in each format."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactNinoFilter) for f in h.filters)
    )
    stream, formatter = io.StringIO(), handler.formatter
    old_stream = handler.setStream(stream)
    if request.param == "json":
        handler.setFormatter(JsonFormatter())
    try:
        yield stream
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(formatter)


def assert_no_nino(text: str) -> None:
    assert text, "nothing was logged"
    assert NINO not in text.upper().replace(" ", "")


def test_request_log_line_of_a_nino_search_holds_no_nino(coach_client, log_output):
    CustomerFactory(nino=NINO)
    coach_client.post(reverse("customers:search"), {"query": SPACED})
    coach_client.get(f"/customers/{NINO}/")  # a NINO typed into a URL: unresolved, 404
    text = log_output.getvalue()
    assert "request" in text
    assert_no_nino(text)


def test_django_security_warning_with_a_nino_path_is_redacted(work_coach, log_output):
    client = Client(enforce_csrf_checks=True)
    client.force_login(work_coach)
    client.get(reverse("home"))  # a CSRF cookie, so the refusal is for the missing token
    client.post(f"/customers/results/{NINO}/")  # CSRF refusal: Django logs the raw path
    text = log_output.getvalue()
    assert "Forbidden" in text
    assert_no_nino(text)


def test_tracebacks_are_redacted(log_output):
    try:
        raise ValueError(f"no customer {NINO}")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: /x/%s/", SPACED)
    text = log_output.getvalue()
    assert "ValueError" in text
    assert_no_nino(text)
