"""Test settings: the same real PostgreSQL and Redis, isolated from local data."""

import os

from dwpportal.settings.base import *  # noqa: F403
from dwpportal.settings.base import DATABASE_OWNER, DATABASES, REDIS_URL

ENVIRONMENT = "test"
DEBUG = False
DEMO_MODE = False

# Parallel test sessions on one machine (e.g. two checkouts) each get their own database.
# Under pytest-xdist, pytest-django appends the worker's name ("_gw0", "_gw1", ...) to it.
_suffix = os.environ.get("TEST_DB_SUFFIX", "")
DATABASES["default"]["TEST"] = {"NAME": f"test_dwpportal{_suffix}"}
# pytest-django creates and migrates the test database, which needs the owner role (CREATEDB);
# the migration then grants the app role as in production (tests/security/test_database_roles.py
# connects as that role).
if DATABASE_OWNER:
    DATABASES["default"]["USER"] = DATABASE_OWNER["USER"]
    DATABASES["default"]["PASSWORD"] = DATABASE_OWNER.get("PASSWORD", "")

# A separate Redis database, so tests never see `make run`'s queues or cache: TEST_REDIS_DB
# (default 1). Under pytest-xdist each worker gets its own, counting up from it (gw0 -> N,
# gw1 -> N + 1, ...), or taken in order from a list ("TEST_REDIS_DB=5,12": gw0 -> 5, gw1 -> 12).
# Processes the tests start (a Celery worker, a lock holder) inherit PYTEST_XDIST_WORKER, so
# they land on the same database.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_worker_index = int(_xdist_worker.removeprefix("gw") or 0)
_redis_dbs = [int(n) for n in (os.environ.get("TEST_REDIS_DB", "") or "1").split(",")]
if len(_redis_dbs) > 1:
    if _worker_index >= len(_redis_dbs):
        raise ValueError(
            f"TEST_REDIS_DB lists {len(_redis_dbs)} databases: too few for {_xdist_worker}"
        )
    TEST_REDIS_DB = _redis_dbs[_worker_index]
else:
    TEST_REDIS_DB = _redis_dbs[0] + _worker_index
_TEST_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{TEST_REDIS_DB}"
REDIS_URL = _TEST_REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _TEST_REDIS_URL,
        "KEY_PREFIX": f"dwpportal-test{_suffix}{_xdist_worker}",
    }
}
CELERY_BROKER_URL = _TEST_REDIS_URL
CELERY_RESULT_BACKEND = _TEST_REDIS_URL
# Results keep the task's arguments, worker and queue: tests show which worker ran which page.
CELERY_RESULT_EXTENDED = True

# Reads stay on the primary unless a test turns this on (tests/core/test_replica.py): a test's
# uncommitted rows are not on the replica.
REPLICA_READS = False

# Fast hashing in tests only; production uses Django's default PBKDF2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise finds a static file when it is asked for, instead of listing and stat-ing every file
# under STATICFILES_DIRS (about 7,600, most of them GOV.UK's and MOJ's) when its middleware is
# made. Each Django test client makes the middleware afresh, so the listing cost about half a
# second per test that makes a request. The files and their headers are the same; the web process
# (`make run`, production) lists them once at start-up, and tests/dwpportal/test_make_run.py
# fetches a stylesheet from it that way.
WHITENOISE_AUTOREFRESH = True
