"""Deterministic randomness: per-purpose random streams, hash-based coin flips and fast draws."""

import hashlib
import random
from collections.abc import Sequence


def stream(*parts: object) -> random.Random:
    """A random stream fixed by its parts, e.g. stream(seed, index, "uc")."""
    return random.Random(":".join(map(str, parts)))


def unit(*parts: object) -> float:
    """A number in [0, 1) fixed by its parts: a coin flip that needs no state to reproduce."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


# random.choice and randint cost about a microsecond each; these are several times cheaper,
# which matters because a feed page builds thousands of customers.
def pick[T](rng: random.Random, options: Sequence[T]) -> T:
    return options[int(rng.random() * len(options))]


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both ends included."""
    return low + int(rng.random() * (high - low + 1))
