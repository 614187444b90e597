"""Benchmark settings (`make bench` only): local settings on a separate database and Redis db.

The database is `dwpportal_bench_<BENCH_CUSTOMERS>` on the same PostgreSQL server, so dev and
test data are never touched; ROOT_URLCONF adds the bench-only framework-floor view and a
Customer admin to the normal URLs (benchmarks/urls.py), so neither exists in the product or in
the test suite's URL enumeration.
"""

from dwpportal.settings.base import *  # noqa: F403
from dwpportal.settings.base import DATABASES, MIDDLEWARE, REDIS_URL
from dwpportal.settings.env import env, env_int

ENVIRONMENT = "bench"
DEBUG = False

BENCH_CUSTOMERS = env_int("BENCH_CUSTOMERS", 1_000_000)
DATABASES["default"]["NAME"] = env("BENCH_DB_NAME", f"dwpportal_bench_{BENCH_CUSTOMERS}")
if "replica" in DATABASES:  # the replica holds every database of the cluster: read the same one
    DATABASES["replica"]["NAME"] = DATABASES["default"]["NAME"]

# Its own Redis database: the bench's Celery worker never takes `make run`'s or the tests' tasks.
REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/" + (env("BENCH_REDIS_DB", "7") or "7")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Per database: `make bench` builds more than one database of the same size (its worker
        # comparison loads copies of an empty one), and their ids must not meet in the cache.
        "KEY_PREFIX": f"dwpportal-bench-{DATABASES['default']['NAME']}",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL

ROOT_URLCONF = "benchmarks.urls"
# Outermost, so it counts every SQL query a request makes (X-Bench-Queries response header).
MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *MIDDLEWARE]

# One bench colleague runs hundreds of searches a minute back to back (benchmarks/web.py): far
# past the anti-automation limit a person meets. The limit is still counted on every search
# (its Redis round trip is in the figures); only its ceiling is raised.
SEARCH_RATE_LIMITS = {60: 1_000_000, 3600: 1_000_000}
