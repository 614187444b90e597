"""`--dist loadgroup` keeps each xdist_group on one worker: the Celery worker tests share one
worker process, and one worker starts and stops the read replica. pytest-xdist does it by
tagging each grouped test's id with `@<group>`; when a pytest release stops that working, the
groups are split silently (two replicas made at once, one Celery worker per xdist worker)."""

import os

import pytest


@pytest.mark.xdist_group("probe")
def test_a_grouped_tests_id_carries_its_group_under_xdist(request):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("groups exist only under pytest-xdist; scripts/run-tests.sh runs it")
    assert request.node.nodeid.endswith("@probe"), request.node.nodeid
