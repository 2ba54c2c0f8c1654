"""Observables compiled from a :class:`~rmtscale.symbolic.theory.Theory`, called on arrays.

:meth:`Theory.compile <rmtscale.symbolic.theory.Theory.compile>` generates one numba loop
``f(*arrays, out)`` (:func:`rmtscale.numeric.codegen.compile_loop`); this wrapper broadcasts
keyword arrays, flattens them, runs the loop and returns ``{name: array}``. It needs neither
sympy nor the theory, so a loop loaded from the on-disk cache is used as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class CompiledObservables:
    """``f(**arrays) -> {name: array}`` over the compiled loop ``fn`` (inputs in order)."""

    names: tuple[str, ...]
    inputs: tuple[str, ...]
    fn: Any

    @property
    def source(self) -> str:
        return self.fn.source

    def __call__(self, **arrays: Any) -> dict[str, np.ndarray]:
        missing = [a for a in self.inputs if a not in arrays]
        if missing:
            raise TypeError(f"missing inputs {missing}")
        bs = np.broadcast_arrays(*(np.asarray(arrays[a], dtype=float) for a in self.inputs))
        shape = bs[0].shape
        flat = [np.array(b.ravel(), dtype=float) for b in bs]
        out = np.empty((len(self.names), flat[0].size))
        self.fn(*flat, out)
        return {n: out[i].reshape(shape) for i, n in enumerate(self.names)}
