"""Finite-size simulation: seeded RNG, backends, random-matrix samplers, exact fits, the training
simulator (:mod:`.training`: a plan run by the cpu or cuda backend) and deep linear networks
(:mod:`.deep_linear`)."""

from .backends import Backend, CpuBackend, CudaBackend, get_backend
from .rng import rng_for

__all__ = ["Backend", "CpuBackend", "CudaBackend", "get_backend", "rng_for"]
