r"""The ``scaling`` model: scaling exponents, regimes and the optimal learning rate.

One model (registry prefix ``scaling``), one module per concept:

* :mod:`.exponents` — derivations ``scaling.ridge``, ``scaling.random_features``,
  ``scaling.dynamics``, ``scaling.compute_optimal``, ``scaling.feature_learning``,
  ``scaling.ppxp``, ``scaling.regime`` (formulas in :mod:`rmtscale.symbolic.exponents`) and the
  solvers ``scaling.regime``, ``scaling.ppxp``;
* :mod:`.claims` — the nine deterministic slope claims ``scaling.*_exponent`` (fitted slopes of
  the compiled numeric theories of :mod:`rmtscale.numeric.scaling_curves` against the symbolic
  exponents, judged by :mod:`rmtscale.validate.deterministic`);
* :mod:`.optimal_lr` — derivation, solver and (statistical) claim ``scaling.optimal_lr``.

Importing this package registers everything and stays cheap: sympy, numba and the simulators
are imported inside the functions that need them.
"""

from __future__ import annotations

from . import claims, exponents, optimal_lr  # noqa: F401
