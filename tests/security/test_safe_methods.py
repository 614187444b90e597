"""No state change on GET, HEAD or OPTIONS (ASVS 3.5.3), for every portal URL and every role.

Row counts include the change-history event tables (database triggers), so an UPDATE made by
a GET shows up as a new history row, not only an INSERT.
"""

import pytest
from django.urls import reverse

from tests.security.test_hostile_input import domain_row_counts
from tests.security.test_url_access import (  # noqa: F401 - samples is a fixture
    ROLES,
    URL_KWARGS,
    client_for,
    portal_url_names,
    samples,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_safe_methods_change_no_domain_data(client, samples, role):  # noqa: F811
    client = client_for(client, role)
    urls = [
        (name, reverse(name, kwargs=URL_KWARGS[name](samples) if name in URL_KWARGS else {}))
        for name in portal_url_names()
    ]
    changed = []
    for name, url in urls:
        before = domain_row_counts()
        for method in ("get", "head", "options"):
            getattr(client, method)(url)
        after = domain_row_counts()
        if after != before:
            diff = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
            changed.append(f"{name}: {diff}")
    assert not changed, "\n".join(changed)
