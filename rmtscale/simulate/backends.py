"""Simulation backends behind one interface.

``cpu`` runs numpy/LAPACK samplers and numba statistics. ``cuda`` is the place for numba-cuda
kernels; it reports itself available only when a GPU is visible, and a claim runs on it only
if the claim lists ``"cuda"`` among its backends. ``auto`` picks ``cuda`` when both hold,
else ``cpu``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..errors import BackendError, ParameterError


class Backend:
    """Base class: a named execution target for claim simulations."""

    name = "base"

    @classmethod
    def available(cls) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Backend {self.name}>"


class CpuBackend(Backend):
    name = "cpu"

    @classmethod
    def available(cls) -> bool:
        return True


def _import_numba_cuda():
    """Import numba.cuda, with the known numpy>=2.5 shim (``np.row_stack`` removed)."""
    import numpy as np

    if not hasattr(np, "row_stack"):
        np.row_stack = np.vstack  # type: ignore[attr-defined]
    from numba import cuda

    return cuda


class CudaBackend(Backend):
    name = "cuda"

    @classmethod
    def available(cls) -> bool:
        if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
            return True
        try:
            cuda = _import_numba_cuda()
            return bool(cuda.is_available())
        except Exception:  # noqa: BLE001 - any import/driver failure means "not available"
            return False


BACKENDS = {"cpu": CpuBackend, "cuda": CudaBackend}


def get_backend(name: str = "auto", supported: Sequence[str] = ("cpu",)) -> Backend:
    """Resolve ``auto|cpu|cuda`` against what is available and what the claim supports."""
    if name not in ("auto", *BACKENDS):
        raise ParameterError("backend", "must be one of auto, cpu, cuda", name)
    if name == "auto":
        for cand in ("cuda", "cpu"):
            if cand in supported and BACKENDS[cand].available():
                return BACKENDS[cand]()
        raise BackendError(f"no available backend among {list(supported)}")
    if name not in supported:
        raise BackendError(
            f"this claim has no '{name}' implementation (it supports: {', '.join(supported)})"
        )
    if not BACKENDS[name].available():
        raise BackendError(f"backend '{name}' is not available on this machine")
    return BACKENDS[name]()
