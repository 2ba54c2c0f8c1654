"""Finite-size simulation: seeded RNG, backends, random-matrix samplers."""

from .backends import Backend, CpuBackend, CudaBackend, get_backend
from .rng import rng_for

__all__ = ["Backend", "CpuBackend", "CudaBackend", "get_backend", "rng_for"]
