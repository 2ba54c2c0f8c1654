"""Seeded, reproducible random streams.

Every replicate of every case draws from its own stream
``SeedSequence([seed, case_index, replicate])``: results do not depend on the order in which
replicates run, on batching, or on how many replicates other cases use.
"""

from __future__ import annotations

import numpy as np


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """A numpy Generator for the stream named by ``seed`` and integer ``keys``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, keys)]))
