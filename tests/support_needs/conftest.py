"""Helpers for support-needs tests: need types from the seeded taxonomy, and needs."""

from typing import Any

import pytest

from audit.context import AuditContext, Channel
from support_needs.models import NeedType
from support_needs.services.needs import support_need_record


def audit_as(user) -> AuditContext:
    """The audit context of `user` working on a page (what a view builds from its request)."""
    return AuditContext(user=user, channel=Channel.PAGE, request_id="test")


def need_type(code: str) -> NeedType:
    return NeedType.objects.get(code=code)


def record(customer, by, code: str, **fields):
    defaults = {"how_learned": "customer", "consent": "given", "details": "Told us at interview."}
    extras: dict[str, dict[str, Any]] = {
        "appointee": {
            "representative_name": "Leeds City Council",
            "representative_corporate": True,
            "representative_contact": "0113 222 4444",
        },
        "large-print": {"format_detail": "18 point"},
        "language-interpreter": {"interpreter_language": "Polish"},
        "bsl-interpreter": {"interpreter_language": "BSL"},
        "home-visit": {"visit_reason": "Agoraphobia: cannot leave home."},
    }
    extra = extras.get(code, {})
    return support_need_record(
        customer=customer,
        audit=audit_as(by),
        need_type=need_type(code),
        **{**defaults, **extra, **fields},
    )


@pytest.fixture
def record_need():
    return record


from tests.benefits.conftest import legacy, legacy_server  # noqa: E402, F401 - fixtures
