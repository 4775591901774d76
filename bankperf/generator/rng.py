"""Independent, reproducible random streams.

Every (day, purpose) pair gets its own generator derived from the seed, so the
draws of day k depend only on the seed and the state at the end of day k-1:
generating 5 days or 10 days gives the same first 5 days, and changing how one
feed is simulated does not shift the random numbers of another.
"""

from __future__ import annotations

import zlib

import numpy as np


def _tag(purpose: str) -> int:
    return zlib.crc32(purpose.encode("ascii"))


class Streams:
    """Factory of seeded numpy generators keyed by purpose (and day)."""

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = seed

    def initial(self, purpose: str) -> np.random.Generator:
        """Stream for building the opening population."""
        return np.random.default_rng([self.seed, 0, _tag(purpose)])

    def daily(self, day_index: int, purpose: str) -> np.random.Generator:
        """Stream for one purpose on one simulated day."""
        return np.random.default_rng([self.seed, 1, day_index, _tag(purpose)])
