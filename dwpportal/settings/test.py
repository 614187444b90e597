"""Test settings: the same real PostgreSQL and Redis, isolated from local data."""

import os

from dwpportal.settings.base import *  # noqa: F403
from dwpportal.settings.base import DATABASES, REDIS_URL

ENVIRONMENT = "test"
DEBUG = False
DEMO_MODE = False

# Parallel test sessions on one machine (e.g. two checkouts) each get their own database.
_suffix = os.environ.get("TEST_DB_SUFFIX", "")
DATABASES["default"]["TEST"] = {"NAME": f"test_dwpportal{_suffix}"}

# A separate Redis database, so tests never see `make run`'s queues or cache.
_TEST_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/" + os.environ.get("TEST_REDIS_DB", "1")
REDIS_URL = _TEST_REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _TEST_REDIS_URL,
        "KEY_PREFIX": f"dwpportal-test{_suffix}",
    }
}
CELERY_BROKER_URL = _TEST_REDIS_URL
CELERY_RESULT_BACKEND = _TEST_REDIS_URL

# Fast hashing in tests only; production uses Django's default PBKDF2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
