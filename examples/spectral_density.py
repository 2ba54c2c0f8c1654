"""Sampled eigenvalues vs the free-probability density, for two random-matrix laws.

Left: the white Wishart W = ZᵀZ/P (Z ∈ ℝ^{P×D} standard Gaussian, q = D/P), whose limit is
the Marchenko–Pastur law. Right: the product W₁^{1/2} W₂ W₁^{1/2} of two independent white
Wisharts (q₁ = D/P₁, q₂ = D/P₂), whose density comes from S = S₁·S₂ (a cubic g-equation).
The histograms are eigenvalues of finite matrices; the curves are ``rmtscale.solve``.

    python examples/spectral_density.py [out.png]     # default: ./spectral_density.png
"""

import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import rmtscale
from rmtscale.simulate import rng_for
from rmtscale.simulate.eigen import wishart_eigenvalues, wishart_product_eigenvalues

matplotlib.use("Agg")  # write a file; no display needed

out = sys.argv[1] if len(sys.argv) > 1 else "spectral_density.png"
D, reps, seed = 400, 5, 0  # pool the eigenvalues of 5 independent D x D matrices
q, q1, q2 = 0.5, 0.5, 0.25

# Sample: replicate r of law k draws from its own reproducible stream rng_for(seed, k, r).
eig_mp = np.concatenate(
    [wishart_eigenvalues(np.ones(D), P=round(D / q), rng=rng_for(seed, 0, r)) for r in range(reps)]
)
eig_wp = np.concatenate(
    [
        wishart_product_eigenvalues(D, P1=round(D / q1), P2=round(D / q2), rng=rng_for(seed, 1, r))
        for r in range(reps)
    ]
)

# Theory: density on a default grid over the support, plus support, atom at 0 and mass.
th_mp = rmtscale.solve("mp.density", q=q)
th_wp = rmtscale.solve("wishart_product.density", q1=q1, q2=q2)

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
panels = [
    (axes[0], eig_mp, th_mp, f"Marchenko–Pastur, q = {q}"),
    (axes[1], eig_wp, th_wp, f"product of two Wisharts, q1 = {q1}, q2 = {q2}"),
]
for ax, eigs, th, title in panels:
    ax.hist(eigs, bins=60, density=True, color="0.75", label=f"eigenvalues, {reps} x D = {D}")
    ax.plot(th["x"], th["density"], "C3", lw=2, label="rmtscale.solve density")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("eigenvalue")
    ax.legend(fontsize=8)
    (lo, hi) = th["support"][0]
    print(
        f"{title}: support [{lo:.4f}, {hi:.4f}], mass {th['mass']:.10f}, "
        f"sampled range [{eigs.min():.4f}, {eigs.max():.4f}]"
    )
axes[0].set_ylabel("density")
fig.tight_layout()
fig.savefig(out, dpi=110)
print(f"wrote {out}")
