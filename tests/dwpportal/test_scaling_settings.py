"""Production settings for scale: the replica, PgBouncer and the Celery queues."""

import json

from tests.dwpportal.test_settings import run_production

SHOW = (
    "import json; from django.conf import settings; d = settings.DATABASES; "
    "print(json.dumps({'replica': 'replica' in d, 'routers': settings.DATABASE_ROUTERS, "
    "'queues': [q.name for q in settings.CELERY_TASK_QUEUES]}))"
)


def test_production_takes_the_replica_only_from_the_real_environment():
    # var/local.env names the private replica; production must not use it.
    result = run_production(["shell", "-c", SHOW], REPLICA_DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["replica"] is False
    assert seen["routers"] == ["core.replica.ReplicaRouter"]  # every read on the primary
    assert seen["queues"] == ["default", "uc", "pip", "esa", "state_pension"]


def test_production_with_a_replica_in_its_environment_uses_it():
    result = run_production(
        ["shell", "-c", SHOW], REPLICA_DATABASE_URL="postgres://app@replica.dwp.example/dwpportal"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["replica"] is True


def test_production_refuses_pgbouncer_without_its_address_in_the_environment():
    result = run_production(["check"], PGBOUNCER="1", PGBOUNCER_DATABASE_URL="")
    assert result.returncode != 0
    assert "PGBOUNCER_DATABASE_URL" in result.stderr
