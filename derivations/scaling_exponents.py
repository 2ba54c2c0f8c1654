r"""Scaling exponents of ridge, random features, the dynamical model and feature learning.

A literate, runnable reproduction of the exponent tables of the theory note on dynamics and
exponents (§2.6: lazy vs rich feature-learning exponents; §8.6: the PPXP phases) through
the public API (``rmtscale.derive``, ``rmtscale.solve``), and a numeric check
of every kind of exponent against the compiled theories:

1. **Mode-sum lemma.** For a filter h of :math:`y=\kappa k^\alpha`,
   :math:`\sum_kk^{-(\alpha\beta+1)}h(\kappa k^\alpha)\sim\kappa^{\min(\beta,n)}`, n the order
   of h at small y: n = 2 (ridge, squared filter) → data exponent α·min(β, 2); n = 1
   (projection, linear filter) → width exponent α·min(β, 1); n = ∞ (gradient flow) → time
   exponent β (no saturation).
2. **Compute-optimal split** C = N t: the max-min of the bottleneck terms; lazy, gradient flow
   and rich (χ(β) = β·max(1, 2/(1+β))). The §2.6 table is reproduced *exactly*.
3. **PPXP.** The lazy hard/easy/super-easy regimes are PPXP's phases Ia/II/III; the §8.6
   table is reproduced.
4. **Numbers.** Slopes of the numeric theories over ≥ 3 decades (ridge_theory, rf_theory at
   P = ∞, rf_gd gradient flow, the exact reduced rich dynamics) against the symbolic
   exponents; a four-panel figure ``scaling_exponents.png`` (in the working directory).
5. **The deterministic verdict** of a slope claim (``rmtscale validate scaling.time_exponent``):
   |mean slope over the fit windows − exponent| ≤ 0.02 and the drift across the windows
   ≤ 0.04; an exponent shifted by 0.05 fails.

Conventions: :math:`\lambda_k=k^{-\alpha}`, :math:`\lambda_k\bar w_k^2=k^{-\alpha\beta-1}`; an
exponent e means loss ∝ X^(−e); a share s means X* ∝ C^s. PPXP: α = 2α_P,
β = (2α_P + 2β_P − 1)/(2α_P).

Run::

    python derivations/scaling_exponents.py [figure.png]
"""

from __future__ import annotations

import sys
import time
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

import rmtscale  # noqa: E402
from rmtscale.numeric import scaling_curves as S  # noqa: E402
from rmtscale.symbolic import exponents as ex  # noqa: E402
from rmtscale.validate.claims import get_claim  # noqa: E402
from rmtscale.validate.deterministic import (  # noqa: E402
    run_deterministic,
    window_offsets,
    window_slopes,
)

OUT = sys.argv[1] if len(sys.argv) > 1 else "scaling_exponents.png"
T0 = time.time()


def section(title: str) -> None:
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")


# ============================================================================ 1. lemma
section("1. The mode-sum lemma and the three saturations  [derive('scaling.ridge'), ...]")
d_ridge = rmtscale.derive("scaling.ridge")
print(d_ridge.steps[0].text)
print(d_ridge.steps[1].text)
e = ex.exponents()
a, b = ex.alpha, ex.beta
for key, want in (
    ("ridge_data_exponent", a * sp.Min(b, 2)),
    ("rf_width_exponent", a * sp.Min(b, 1)),
    ("time_exponent_lazy", b),
):
    for bv in (sp.Rational(1, 2), sp.Rational(3, 2), 3):
        assert sp.simplify(e[key].subs(b, bv) - want.subs(b, bv)) == 0, key
    print(f"  {key:<22} = {e[key]}")
print("check: data alpha min(beta,2), width alpha min(beta,1), time beta (no saturation)")
for name in ("scaling.ridge", "scaling.random_features", "scaling.dynamics"):
    d = rmtscale.derive(name)
    print(f"\n% LaTeX of {name!r} ({len(d.steps)} steps)")
    print(d.latex())

# ============================================================================ 2. table 2.6
section(
    "2. Compute-optimal exponents, lazy vs rich (note §2.6)  [derive('scaling.compute_optimal')]"
)
TABLE_26 = [  # alpha, beta, regime, chi (lazy, rich), N*, t*, L* (lazy, rich)
    ("3/2", "1/2", "hard", ("1/2", "2/3"), ("2/5", "8/17"), ("3/5", "9/17"), ("3/10", "6/17")),
    ("2", "1/4", "hard", ("1/4", "2/5"), ("1/3", "4/9"), ("2/3", "5/9"), ("1/6", "2/9")),
    ("2", "3/5", "hard", ("3/5", "3/4"), ("1/3", 0.3846), ("2/3", 0.6154), ("2/5", 0.4615)),
    ("6/5", "9/10", "hard", ("9/10", 0.9474), (0.4545, 0.4673), (0.5455, 0.5327),
     (0.4909, 0.5047)),
    ("3/2", "6/5", "easy", ("6/5", "6/5"), ("13/28", "13/28"), ("15/28", "15/28"),
     ("9/14", "9/14")),
    ("2", "3", "super-easy", ("3", "3"), ("1/2", "1/2"), ("1/2", "1/2"), ("3/4", "3/4")),
]  # fmt: skip
KEYS = (
    ("time_exponent_lazy", "time_exponent_rich"),
    ("width_share_lazy", "width_share_rich"),
    ("time_share_lazy", "time_share_rich"),
    ("compute_exponent_lazy", "compute_exponent_rich"),
)


def agrees(value: sp.Expr, want) -> bool:
    if isinstance(want, str):
        return sp.nsimplify(value) == sp.Rational(want)
    return abs(float(value) - want) <= 5e-5


print(f"{'alpha':>5} {'beta':>5} {'regime':>10} | {'chi':>13} | {'N*':>13} | {'t*':>13} | L*")
for av, bv, regime, *cols in TABLE_26:
    sub = {a: sp.Rational(av), b: sp.Rational(bv)}
    c = ex.classify(float(Fraction(av)), float(Fraction(bv)))
    assert c["regime"] == regime, (av, bv, c["regime"])
    cells = []
    for (klazy, krich), (wl, wr) in zip(KEYS, cols):
        vl, vr = sp.nsimplify(e[klazy].subs(sub)), sp.nsimplify(e[krich].subs(sub))
        assert agrees(vl, wl) and agrees(vr, wr), (av, bv, klazy, vl, wl, vr, wr)
        cells.append(f"{str(vl):>6}/{str(vr):<6}")
    print(f"{av:>5} {bv:>5} {regime:>10} | " + " | ".join(cells))
print("check: every entry of the note's §2.6 table (exact where the note gives a fraction)")
co = ex.compute_optimal_pieces("rich")
print(f"rich, hard: N* ~ C^({co['width_share'][ex.HARD]}),  L* ~ C^-({co['compute'][ex.HARD]})")
d_co = rmtscale.derive("scaling.compute_optimal")
print(f"\n% LaTeX of 'scaling.compute_optimal' ({len(d_co.steps)} steps)")
print(d_co.latex())
d_fl = rmtscale.derive("scaling.feature_learning")
print(f"\n% LaTeX of 'scaling.feature_learning' ({len(d_fl.steps)} steps)")
print(d_fl.latex())

# ============================================================================ 3. table 8.6
section("3. PPXP phases (note §8.6)  [solve('scaling.ppxp'), derive('scaling.ppxp')]")
TABLE_86 = [  # alpha_P, beta_P, phase, d* exponent, |P* exponent|, canonical (alpha, beta)
    (0.7, 0.3, "Ia", 0.4167, 0.4167, (1.4, 0.714)),
    (0.7, 0.6, "II", 0.4615, 0.6154, (1.4, 1.143)),
    (0.7, 1.0, "III", 0.5, 0.6429, (1.4, 1.714)),
    (1.0, 0.25, "Ia", 0.3333, 0.5, (2.0, 0.75)),
    (1.0, 0.75, "II", 0.4286, 0.7143, (2.0, 1.25)),
    (1.0, 1.5, "III", 0.5, 0.75, (2.0, 2.0)),
]
print(f"{'alpha_P':>7} {'beta_P':>6} {'phase':>5} {'d*':>7} {'P*':>7}  (alpha, beta)    regime")
for aP, bP, phase, dstar, pstar, (ac, bc) in TABLE_86:
    v = rmtscale.solve("scaling.ppxp", alpha_P=aP, beta_P=bP)
    assert v["ppxp_phase"] == phase and abs(v["alpha"] - ac) < 1e-12 and abs(v["beta"] - bc) < 5e-4
    assert abs(v["d_share"] - dstar) < 5e-5 and abs(v["loss_exponent"] - pstar) < 5e-5
    print(
        f"{aP:7.2f} {bP:6.2f} {phase:>5} {v['d_share']:7.4f} {-v['loss_exponent']:7.4f}  "
        f"({v['alpha']:.3f}, {v['beta']:.3f})  {v['regime']}"
    )
print("check: the §8.6 table; phases Ia/II/III are the lazy hard/easy/super-easy regimes")
d_pp = rmtscale.derive("scaling.ppxp")
print(f"\n% LaTeX of 'scaling.ppxp' ({len(d_pp.steps)} steps)")
print(d_pp.latex())

# ============================================================================ 4. numbers
section("4. Slopes of the numeric theories over >= 3 decades vs the symbolic exponents")
ALPHA = 2.0
BETAS = (0.5, 1.5, 3.0)
off = window_offsets(4, 0.5)
rows = []
fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))

Ps = np.logspace(1.25, 4.75, 43)  # ridge: data exponent alpha min(beta, 2)
for bv in BETAS:
    E = S.ridge_data_curve(ALPHA, bv, 4 * 10**5, Ps)
    slope = -window_slopes(Ps, E, 10**1.25, 3.0, off).mean()
    rows.append(("ridge E_g vs P", bv, slope, ex.classify(ALPHA, bv)["ridge_data_exponent"]))
    axes[0].loglog(Ps, E, label=f"beta={bv}: fit {slope:.3f}, theory {rows[-1][3]:.3f}")
axes[0].set(xlabel="P", ylabel="E_g (lambda=0)", title="ridge: alpha min(beta, 2)")

Ns = np.logspace(1.25, 4.75, 43)  # random features: width exponent alpha min(beta, 1)
for bv in BETAS:
    E = S.rf_width_curve(3.0, bv, 4 * 10**5, Ns)
    slope = -window_slopes(Ns, E, 10**1.25, 3.0, off).mean()
    rows.append(("RF E_g vs N (a=3)", bv, slope, ex.classify(3.0, bv)["rf_width_exponent"]))
    axes[1].loglog(Ns, E, label=f"beta={bv}: fit {slope:.3f}, theory {rows[-1][3]:.3f}")
axes[1].set(xlabel="N", ylabel="E_g (P = t = oo)", title="RF width: alpha min(beta, 1), a=3")

taus = np.logspace(0, 3.5, 22)  # gradient flow: time exponent beta
for bv in BETAS:
    E = S.lazy_time_curve(ALPHA, bv, 5000, taus)
    slope = -window_slopes(taus, E, 1.0, 3.0, off).mean()
    rows.append(("GF E_g vs tau", bv, slope, bv))
    axes[2].loglog(taus, E, label=f"beta={bv}: fit {slope:.3f}, theory {bv:.3f}")
axes[2].set(xlabel="tau", ylabel="E_g(tau)", title="gradient flow: beta (no saturation)")

for gmm in (0.0, 1.0):  # rich vs lazy: chi(beta)
    t, L, _ = S.rich_curve(ALPHA, 0.6, gmm, 3 * 10**5, tau_max=1e8)
    keep = (t >= 1.0) & (t <= 10**5.5)
    slope = -window_slopes(t[keep], L[keep], 10.0, 3.0, off).mean()
    key = "time_exponent_rich" if gmm > 0 else "time_exponent_lazy"
    rows.append((f"reduced DMFT gamma={gmm:g}", 0.6, slope, ex.classify(ALPHA, 0.6)[key]))
    axes[3].loglog(
        t[keep], L[keep], label=f"gamma={gmm:g}: fit {slope:.3f}, theory {rows[-1][3]:.3f}"
    )
axes[3].set(xlabel="t", ylabel="L(t)", title="rich: chi = 2 beta/(1+beta) (beta = 0.6)")

print(f"{'curve':<24} {'beta':>5} {'fitted':>9} {'predicted':>9} {'diff':>8}")
for name, bv, slope, want in rows:
    print(f"{name:<24} {bv:5.2f} {slope:9.4f} {want:9.4f} {slope - want:+8.4f}")
    assert abs(slope - want) < 0.02, (name, bv, slope, want)
print("check: every fitted slope is within 0.02 of its exponent (mean of 4 windows of 3 decades)")
for ax in axes:
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
fig.suptitle(
    f"numeric theories (lines, alpha = {ALPHA} unless noted) vs symbolic exponents: fitted "
    "slopes over 3 decades"
)
fig.tight_layout()
fig.savefig(OUT, dpi=110)
print(f"\nwrote {OUT}")

# ============================================================================ 5. verdict
section("5. A slope claim's deterministic verdict  [validate('scaling.time_exponent')]")
claim = get_claim("scaling.time_exponent")
rep = run_deterministic(claim, {}, progress=False)
print(rep.table())
assert rep.passed and rep.cases[0].stderr is None
bad = run_deterministic(claim, {}, perturb=0.05, progress=False)
print(bad.table())
assert not bad.passed
print("check: passes at its defaults, fails with the exponent shifted by +0.05")
print(f"all checks passed in {time.time() - T0:.1f} s")
