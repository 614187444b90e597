"""Fixed-window rate limits counted in Redis (the cache), for HTML pages without a DRF throttle."""

import time

from django.core.cache import cache


def rate_limit_exceeded(*, key: str, limits: dict[int, int]) -> bool:
    """Count one more use of `key` in each window (seconds -> most uses allowed); True when any
    window is over its limit. Each window's count expires with it."""
    exceeded = False
    now = int(time.time())
    for window, most in limits.items():
        bucket = f"rate:{key}:{window}:{now // window}"
        cache.add(bucket, 0, timeout=window + 1)
        try:
            used = cache.incr(bucket)
        except ValueError:  # expired between add and incr: this use starts a new window
            cache.add(bucket, 1, timeout=window + 1)
            used = 1
        exceeded = exceeded or used > most
    return exceeded
