"""Online SGD learning curves for three batch sizes: simulated runs against the exact theory.

Linear regression on a power-law spectrum (λ_k = k^-1.5, target power λ_k w̄_k² = k^-2.2,
i.e. α = 1.5, β = 0.8, D = 100 modes) with label noise σ² = 0.1, trained by online SGD
(a fresh batch each step, gradient averaged over the batch B, learning rate η = 0.3, w₀ = 0).
Time t counts updates. The curves are the population excess loss E_g(t) (no label noise):

* theory: ``rmtscale.solve("sgd.learning_curve", …)``, the exact mode-wise second-moment
  recursion c_k(t+1) = ρ_k c_k(t) + (η²/B) λ_k (E_g(t) + σ²), ρ_k = (1−ηλ_k)² + (η²/B)λ_k²;
* simulation: ``rmtscale.simulate.training.train`` (numba kernels; ``backend="cuda"`` on a GPU),
  mean ± standard error over 200 independent runs.

Larger batches average the gradient noise away: the SGD noise floor E_g(∞) falls roughly
like 1/B at fixed η, and at early times the curves approach gradient flow e^{-2ηλt}.

    python examples/sgd_batch_sizes.py [out.png]     # default: ./sgd_batch_sizes.png
"""

import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import rmtscale
from rmtscale.simulate.training import train

matplotlib.use("Agg")  # write a file; no display needed

out = sys.argv[1] if len(sys.argv) > 1 else "sgd_batch_sizes.png"
alpha, beta, D, lr, noise, steps, runs = 1.5, 0.8, 100, 0.3, 0.1, 1000, 200
spectrum = rmtscale.spectra.power_law(alpha, beta, D)

fig, ax = plt.subplots(figsize=(6.4, 4.4))
print(f"{'B':>3} {'t':>6} {'theory':>10} {'sim mean':>10} {'stderr':>9} {'z':>6}")
worst = 0.0
for batch, color in zip((1, 4, 16), ("C0", "C1", "C2"), strict=True):
    th = rmtscale.solve(
        "sgd.learning_curve",
        spectrum="power_law",
        alpha=alpha,
        beta=beta,
        D=D,
        lr=lr,
        batch=batch,
        noise=noise,
        steps=steps,
        points=60,
    )
    sim = train(
        "linear",
        spectrum,
        lr=lr,
        steps=steps,
        batch=batch,
        noise=noise,
        runs=runs,
        seed=batch,
        times=np.asarray(th["t"], dtype=np.int64),
    )
    t = np.maximum(np.asarray(th["t"]), 0.5)  # draw t = 0 at 0.5 on the log axis
    ax.plot(t, th["loss"], color=color, label=f"theory B={batch}")
    ax.errorbar(t, sim.loss_mean, yerr=sim.loss_stderr, fmt=".", color=color, ms=3, alpha=0.6)
    ax.axhline(th["loss_inf"], color=color, ls=":", lw=0.8)
    z = (sim.loss_mean[1:] - th["loss"][1:]) / sim.loss_stderr[1:]
    worst = max(worst, float(np.max(np.abs(z))))
    for j in np.linspace(1, len(th["t"]) - 1, 4).astype(int):
        print(
            f"{batch:>3} {int(th['t'][j]):>6} {th['loss'][j]:>10.5f} "
            f"{sim.loss_mean[j]:>10.5f} {sim.loss_stderr[j]:>9.2e} {z[j - 1]:>6.2f}"
        )
print(f"largest |z| over {len(th['t']) - 1} times x 3 batch sizes: {worst:.2f}")

ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("t (SGD steps)")
ax.set_ylabel(r"$E_g(t)$ (excess, no label noise)")
ax.set_title(
    rf"online SGD, $\alpha$={alpha}, $\beta$={beta}, D={D}, $\eta$={lr}, $\sigma^2$={noise}"
)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=120)
print(f"wrote {out}")
