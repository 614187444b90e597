"""No state change on GET, HEAD or OPTIONS (ASVS 3.5.3), for every portal URL and every role.

Writes are PostgreSQL's per-transaction insert/update/delete counters of every domain table
(change-history event tables included), read in one query before and after each URL.
"""

import pytest
from django.urls import reverse

from tests.security.test_hostile_input import changed, domain_writes
from tests.security.test_url_access import (  # noqa: F401 - two fixtures are imported
    ROLES,
    URL_KWARGS,
    client_for,
    healthz_waits_briefly,
    portal_url_names,
    samples,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_safe_methods_change_no_domain_data(
    client,
    samples,  # noqa: F811
    healthz_waits_briefly,  # noqa: F811
    role,
):
    client = client_for(client, role)
    urls = [
        (name, reverse(name, kwargs=URL_KWARGS[name](samples) if name in URL_KWARGS else {}))
        for name in portal_url_names()
    ]
    wrote = []
    for name, url in urls:
        before = domain_writes()
        for method in ("get", "head", "options"):
            getattr(client, method)(url)
        written = changed(before, domain_writes())
        if written:
            wrote.append(f"{name}: rows written per table {written}")
    assert not wrote, "\n".join(wrote)
