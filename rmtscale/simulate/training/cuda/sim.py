"""``numba.cuda`` as the training kernels see it under numba's CUDA simulator.

The simulator (``NUMBA_ENABLE_CUDASIM=1``) runs the 32 threads of a block as Python threads.
Two of its behaviours matter here:

* It makes ``cuda.syncthreads`` & co. available to a kernel by swapping the ``cuda`` global of
  the *kernel's* module for the launch; helpers in other modules would see the real module.
  :class:`SimCuda` forwards every attribute to the simulator's context of the running launch
  instead, so kernels and helpers in any module see the same thing.
* Its ``cuda.shared.array`` is not thread-safe: it looks the array up by call site in a dict
  and, when absent, creates and stores it (check-then-set, no lock). When a thread is switched
  out between the look-up and the store (likely on a loaded machine, and the test harness
  switches threads every 0.1 ms), two threads of the block create two different arrays and the
  block no longer shares its memory: a lane's partial sums go to an array the other lanes never
  read, and they sum uninitialised memory instead (issue 17: ``rf_online`` CUDA-sim losses 98 %
  off the CPU's, once, under load). :class:`SharedArrays` does the same look-up under a lock.
  A real GPU has no such step (shared memory is declared, not created), so this is a fix of
  the simulation only; the kernels are unchanged.
"""

from __future__ import annotations

import sys
import threading

import numpy as np


class SharedArrays:
    """``cuda.shared.array`` for simulated kernels: one array per call site (file, line), the
    same for every thread of the block, created once under a lock. Blocks and launches run one
    at a time in the simulator, so they may reuse the arrays (contents are undefined at entry,
    as on a GPU)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrays: dict[tuple[str, int], np.ndarray] = {}

    def array(self, shape, dtype):
        frame = sys._getframe(1)
        key = (frame.f_code.co_filename, frame.f_lineno)
        with self._lock:
            arr = self._arrays.get(key)
            if arr is None:
                arr = self._arrays[key] = np.empty(shape, dtype=np.dtype(dtype))
        return arr


class SimCuda:
    """Stand-in for ``numba.cuda`` inside simulated kernels and device helpers: ``shared`` is
    :class:`SharedArrays`; everything else (``blockIdx``, ``threadIdx``, ``syncthreads``, …) is
    the simulator's object for the running launch."""

    def __init__(self) -> None:
        from numba.cuda.simulator.kernel import _get_kernel_context

        self._context = _get_kernel_context
        self.shared = SharedArrays()

    def __getattr__(self, name: str):
        context = self._context()
        if context is None:
            raise RuntimeError(f"cuda.{name} used outside a simulated kernel launch")
        return getattr(context, name)
