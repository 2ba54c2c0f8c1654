"""The (alpha, beta) phase diagram of compute-optimal scaling: hard, easy, super-easy.

Canonical power laws: eigenvalues k^-alpha (capacity), target power k^-(alpha beta + 1)
(source). Three regimes (conventions: ``docs/conventions.md``):

* hard (beta < 1, target outside the RKHS): t^-beta vs N^-(alpha beta); feature learning
  changes the time exponent to chi = 2 beta/(1 + beta) and speeds up compute-optimal scaling;
* easy (1 <= beta < 2 - 1/alpha): t^-beta vs the finite-width term N^-1 t^-(1 - 1/alpha);
* super-easy (beta >= 2 - 1/alpha): SGD noise B^-1 t^-(2 - 1/alpha) vs the same; N* ~ C^(1/2).

In the lazy limit these are the phases Ia / II / III of Paquette et al. (4+3 phases; PPXP's
alpha_P = alpha/2, beta_P = (alpha beta + 1 - alpha)/2). Left: the regions with their
boundaries and contours of the lazy compute exponent (L* ~ C^-e). Middle: the lazy width share
(N* ~ C^s). Right: the gain of the rich over the lazy compute exponent (zero outside "hard").
Everything is evaluated from the symbolic Piecewise exponents (``rmtscale.symbolic.exponents``),
and one point is read back through ``rmtscale.solve("scaling.regime", ...)``.

Run::

    python examples/phase_diagram.py [out.png]      # default phase_diagram.png (cwd)
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

import rmtscale  # noqa: E402
from rmtscale.symbolic import exponents as ex  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "phase_diagram.png"

alphas = np.linspace(1.02, 4.0, 300)
betas = np.linspace(0.02, 3.5, 300)
A, B = np.meshgrid(alphas, betas)
expo = ex.exponents()


def grid(key: str) -> np.ndarray:
    f = sp.lambdify((ex.alpha, ex.beta), expo[key], "numpy")
    return np.broadcast_to(np.asarray(f(A, B), dtype=float), A.shape)


code = ex.regime_code(A, B)
lazy = grid("compute_exponent_lazy")
share = grid("width_share_lazy")
gain = grid("compute_exponent_rich") - lazy

fig, axes = plt.subplots(1, 3, figsize=(16, 5.0))
cmap = ListedColormap(["#f4c7c3", "#c9e3f5", "#d4edc9"])
edge = 2 - 1 / alphas
for ax in axes:
    ax.plot(alphas, np.ones_like(alphas), "k-", lw=1.6)
    ax.plot(alphas, edge, "k--", lw=1.6)
    ax.set(xlabel="alpha (capacity)", ylabel="beta (source)", xlim=(1, 4), ylim=(0, 3.5))

ax = axes[0]
ax.pcolormesh(A, B, code, cmap=cmap, shading="auto", vmin=0, vmax=2)
cs = ax.contour(
    A, B, lazy, levels=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], colors="0.35", linewidths=0.8
)
ax.clabel(cs, fontsize=7, fmt="%.1f")
ax.text(2.6, 0.45, "hard  (PPXP Ia)\nt^-beta vs N^-alpha beta", ha="center", fontsize=9)
ax.text(3.3, 1.45, "easy (II)", ha="center", fontsize=9)
ax.text(2.6, 2.7, "super-easy  (PPXP III)\nN* ~ C^1/2", ha="center", fontsize=9)
ax.annotate("beta = 1 (RKHS edge)", xy=(1.2, 1.0), xytext=(1.1, 0.2), fontsize=8,
            arrowprops={"arrowstyle": "->", "lw": 0.8})  # fmt: skip
ax.annotate("beta = 2 - 1/alpha", xy=(1.6, 2 - 1 / 1.6), xytext=(1.15, 2.2), fontsize=8,
            arrowprops={"arrowstyle": "->", "lw": 0.8})  # fmt: skip
ax.set_title("regimes; contours: lazy L* ~ C^-e")

ax = axes[1]
m = ax.pcolormesh(A, B, share, cmap="viridis", shading="auto")
fig.colorbar(m, ax=ax, label="lazy width share s (N* ~ C^s)")
ax.set_title("compute-optimal width share (lazy)")

ax = axes[2]
m = ax.pcolormesh(A, B, gain, cmap="magma", shading="auto")
fig.colorbar(m, ax=ax, label="e_rich - e_lazy")
ax.set_title("feature-learning gain in the C-exponent")

# one point through the public solver (the note's example alpha = 1.5, beta = 0.5)
v = rmtscale.solve("scaling.regime", alpha=1.5, beta=0.5)
for ax in axes:
    ax.plot([1.5], [0.5], "w*", ms=11, mec="k")
axes[2].annotate(
    f"{v['regime']}: e lazy {v['compute_exponent_lazy']:.3f}, rich "
    f"{v['compute_exponent_rich']:.3f}",
    xy=(1.5, 0.5), xytext=(1.6, 1.6), color="w", fontsize=8,
    arrowprops={"arrowstyle": "->", "color": "w", "lw": 0.8},
)  # fmt: skip
assert v["regime"] == "hard" and abs(v["compute_exponent_rich"] - 6 / 17) < 1e-12
assert np.all(gain[B >= 1.0] == 0) and np.all(gain[B < 0.99] > 0)
fig.tight_layout()
fig.savefig(OUT, dpi=120)
print(f"wrote {OUT}")
