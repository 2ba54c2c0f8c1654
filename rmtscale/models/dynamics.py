r"""The dynamical model of scaling laws (``dynamics.*``): time, width and data exponents and the
compute-optimal split C = N t, in the canonical power-law parameterization
:math:`\lambda_k=k^{-\alpha}`, :math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}`
(docs/conventions.md). The learning curves themselves are the ``sgd``, ``gd`` and ``rf_gd``
models.
"""

from __future__ import annotations

from ..registry import derivation


@derivation(
    "dynamics.exponents",
    "Dynamical model: time/width/data exponents and the compute-optimal split C = N t",
)
def derive_exponents():
    from ..symbolic.dynamics import derive_dynamical_exponents

    return derive_dynamical_exponents()
