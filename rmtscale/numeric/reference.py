r"""High-precision references for the learning curves: the derivations' own sympy expressions
evaluated with mpmath (``sympy.lambdify(modules="mpmath")``), independent of the compiled
solvers. Used by the solvers' ``check`` functions (registry contract) and by the tests.

* SGD: the result of ``sgd.learning_curve`` (the recursion
  :math:`c_k(t+1)=\rho_kc_k(t)+\frac{\eta^2}{B}\lambda_k(E_g(t)+\sigma^2)`) iterated in mpmath,
  and its ``fixed_point``.
* GD / RF-GD: the integrands of ``gd.learning_curve`` (the **two-point** test integrands,
  signal and noise, and the train integrand) and ``rf_gd.learning_curve``, integrated by the
  trapezoid rule on a circle around the support of the deterministic equivalent (centre
  s_max/2, radius 0.9 s_max: it encloses [0, s_max]), with κ_s continued node to node by an
  mpmath Newton iteration on :math:`\kappa(1-\mathrm{Df}_1(\kappa)/P_e)=w` (physical branch:
  Im κ ≥ 0 on the half Im w ≥ 0), and the static t = ∞ values (``ridgeless``,
  ``projection_error``) at κ_P or κ_N from mpmath roots. Meant for small spectra (D ≲ 10) and
  small t (the circle passes where |1 − ηs| > 1, so the integrand grows like 2^t).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp
import numpy as np

DPS = 30
NODES = 96


@functools.cache
def _derivation(name: str) -> Any:
    """The derivation registered as ``name`` (built once per process)."""
    if name == "sgd.learning_curve":
        from ..symbolic.sgd import derive_sgd_recursion as build
    elif name == "gd.learning_curve":
        from ..symbolic.gd import derive_gd_finite_data as build
    else:
        from ..symbolic.rf_gd import derive_rf_population_gd as build
    d = build()
    assert d.name == name
    return d


def _modes(expr, n: int):
    """``expr`` with its mode sums expanded over D = n modes, λ_k -> l_k and w̄_k² -> q_k
    (symbols: pass the values as arguments, so the mpmath function carries no big rationals).
    Returns (expr, [l_1..l_n], [q_1..q_n])."""
    import sympy as sp

    from ..symbolic import learning as L

    ls = list(sp.symbols(f"l1:{n + 1}"))
    qs = list(sp.symbols(f"q1:{n + 1}"))
    e = expr.subs(L.D, n).doit()
    e = e.xreplace({L.wbar[i + 1] ** 2: qs[i] for i in range(n)})
    return e.xreplace({L.lam[i + 1]: ls[i] for i in range(n)}), ls, qs


def _mode_values(lam, tp) -> list:
    """[λ_1..λ_n, w̄_1²..w̄_n²] as mpf (w̄² = λw̄²/λ)."""
    lm = [mp.mpf(x) for x in lam]
    return lm + [mp.mpf(p) / x for x, p in zip(lm, tp, strict=True)]


def _lambdify(args, expr) -> Callable[..., Any]:
    import sympy as sp

    return sp.lambdify(args, expr, modules="mpmath", cse=True)


# ============================================================================ SGD
def sgd_reference(
    lam: Sequence[float], tp: Sequence[float], lr: float, batch: int, noise: float, times
) -> dict[str, Any]:
    """E_g at integer ``times`` and E_g(∞) of online SGD, from the derivation's recursion."""
    import sympy as sp

    from ..symbolic import learning as L
    from ..symbolic.sgd import lam_mode

    d = _derivation("sgd.learning_curve")
    cs, Ls = sp.symbols("c_val L_val")
    rhs = d.result.rhs.xreplace({L.rho[L.k]: d.extras["rho"]})
    rhs = rhs.xreplace({L.c_mode(L.k, L.t): cs})
    rhs = rhs.xreplace({a: Ls for a in rhs.atoms(sp.Sum)})  # Σ λ_j c_j(t) -> E_g(t)
    rhs = rhs.xreplace({L.lam[L.k]: lam_mode})
    step = _lambdify((lam_mode, cs, Ls, L.eta, L.B, L.sigma2), rhs)
    fp, ls, qs = _modes(d.extras["fixed_point"], len(lam))
    fixed = _lambdify((*ls, *qs, L.eta, L.B, L.sigma2), fp)
    ts = np.asarray(times, dtype=np.int64)
    with mp.workdps(DPS):
        e, b, n = mp.mpf(lr), mp.mpf(batch), mp.mpf(noise)
        lm = [mp.mpf(x) for x in lam]
        c = [mp.mpf(p) / mp.mpf(x) for x, p in zip(lam, tp, strict=True)]
        eg = []
        for _ in range(int(ts.max()) + 1):
            E = mp.fsum(x * ck for x, ck in zip(lm, c, strict=True))
            eg.append(E)
            c = [step(x, ck, E, e, b, n) for x, ck in zip(lm, c, strict=True)]
        inf = fixed(*_mode_values(lam, tp), e, b, n)
        return {"loss": np.array([float(eg[t]) for t in ts]), "loss_inf": float(inf)}


# ============================================================================ contours
def _kappa_real(lam, Pe, w):
    """The real root κ > κ_edge of κ(1 − Df₁/Pe) = w > 0 (mpmath)."""
    F = lambda k: k * (1 - mp.fsum(x / (x + k) for x in lam) / Pe) - w  # noqa: E731
    return mp.findroot(F, (mp.mpf(10) ** (-DPS), w + mp.fsum(lam) / Pe), solver="anderson")


def _circle(lam, Pe, c, s_max, nodes):
    """Lower half of the circle (Im s ≤ 0), (1/2πi) ds weights, multiplicities, and κ_s on
    κ(1 − Df₁(κ)/Pe) = −c·s continued along it from its left real point."""
    centre, R = mp.mpf(s_max) / 2, mp.mpf(0.9 * s_max)
    psi = [mp.pi + 2 * mp.pi * j / nodes for j in range(nodes // 2 + 1)]
    ss = [centre + R * mp.expj(p) for p in psi]
    ss[0], ss[-1] = mp.re(ss[0]), mp.re(ss[-1])
    wts = [R * mp.expj(p) / nodes for p in psi]
    mult = [1] + [2] * (nodes // 2 - 1) + [1]
    F = lambda k, w: k * (1 - mp.fsum(x / (x + k) for x in lam) / Pe) - w  # noqa: E731
    dF = lambda k: 1 - mp.fsum((x / (x + k)) ** 2 for x in lam) / Pe  # noqa: E731
    wp = -c * ss[0]
    kap = _kappa_real(lam, Pe, wp)
    kaps = [kap]
    for s in ss[1:]:
        for sub in range(1, 5):
            ws = wp + (-c * s - wp) * sub / 4
            for _ in range(80):
                dk = F(kap, ws) / dF(kap)
                kap -= dk
                if abs(dk) < mp.mpf(10) ** (3 - DPS) * abs(kap):
                    break
        wp = -c * s
        kaps.append(kap)
    if any(mp.im(k) < -(mp.mpf(10) ** (5 - DPS)) * abs(k) for k in kaps):
        raise ArithmeticError("reference kappa left the physical branch")
    return ss, wts, mult, kaps


def _one_point(fn, extra, ss, wts, mult, kaps) -> Any:
    return mp.fsum(
        m * mp.re(w * fn(s, k, *extra)) for s, w, m, k in zip(ss, wts, mult, kaps, strict=True)
    )


def _two_point(fn, extra, ss, wts, mult, kaps) -> Any:
    inner = [j for j in range(1, len(ss) - 1)]
    full = [(ss[j], wts[j], kaps[j]) for j in range(len(ss))]
    full += [(mp.conj(ss[j]), mp.conj(wts[j]), mp.conj(kaps[j])) for j in inner]
    total = 0
    for s, w, m, k in zip(ss, wts, mult, kaps, strict=True):
        acc = mp.fsum(w2 * fn(s, s2, k, k2, *extra) for s2, w2, k2 in full)
        total += m * mp.re(w * acc)
    return total


def gd_reference(
    lam: Sequence[float],
    tp: Sequence[float],
    P: int,
    lr: float,
    noise: float,
    times,
    s_max: float,
    nodes: int = NODES,
) -> dict[str, Any]:
    """Test and train loss of full-batch GD at integer ``times`` (the derivation's two-point
    test integrands and one-point train integrand) and the t → ∞ values."""
    import sympy as sp

    from ..symbolic import learning as L

    d = _derivation("gd.learning_curve")
    K1, K2 = sp.symbols("K1 K2")
    nodes_sub = {L.kappa_fn(L.s): K1, L.kappa_fn(L.s2): K2}
    test = d.extras["test_bias_integrand"] + d.extras["test_noise_integrand"]
    out_l, out_tr = [], []
    with mp.workdps(DPS):
        lm = [mp.mpf(x) for x in lam]
        mv = [*_mode_values(lam, tp), mp.mpf(lr), mp.mpf(P), mp.mpf(noise)]
        circ = _circle(lm, mp.mpf(P), 1, s_max, nodes)
        for t in np.asarray(times, dtype=np.int64):
            if t == 0:
                out_l.append(float(mp.fsum(mp.mpf(p) for p in tp)))
                out_tr.append(float(mp.fsum(mp.mpf(p) for p in tp) + mp.mpf(noise)))
                continue
            v = {L.t: sp.Integer(int(t))}
            te, ls, qs = _modes(test.xreplace(v).xreplace(nodes_sub), len(lam))
            args = (*ls, *qs, L.eta, L.P, L.sigma2)
            f2 = _lambdify((L.s, L.s2, K1, K2, *args), te)
            out_l.append(float(_two_point(f2, mv, *circ)))
            tr, _, _ = _modes(d.extras["train_integrand"].xreplace(v).xreplace(nodes_sub), len(lam))
            f1 = _lambdify((L.s, K1, *args), tr)
            out_tr.append(float(_one_point(f1, mv, *circ)))
        loss_inf, train_inf = _gd_static(d, lm, lam, tp, P, noise)
    return {
        "loss": np.array(out_l),
        "train_loss": np.array(out_tr),
        "loss_inf": loss_inf,
        "train_loss_inf": train_inf,
    }


def _root_df1(lm, target):
    """κ > 0 with Df₁(κ) = target < D (mpmath, bracketed)."""
    f = lambda k: mp.fsum(x / (x + k) for x in lm) - target  # noqa: E731
    return mp.findroot(f, (mp.mpf(10) ** (-DPS), mp.fsum(lm)), solver="anderson")


def _gd_static(d, lm, lam, tp, P, noise) -> tuple[float, float]:
    """The derivation's ridgeless E_g(∞) at κ_P (Df₁(κ_P) = P, 0 for P ≥ D) and its E_tr(∞)."""
    import sympy as sp

    from ..symbolic import learning as L

    D = len(lam)
    kP = _root_df1(lm, P) if P < D else mp.mpf(0)
    tf1p = mp.fsum(mp.mpf(p) / (x + kP) ** 2 for x, p in zip(lm, tp, strict=True))
    gam = mp.fsum((x / (x + kP)) ** 2 for x in lm) / P
    gP, tf = sp.Symbol("gamma_P", positive=True), sp.Symbol("tf1p")
    ridgeless = d.extras["ridgeless"].xreplace({L.tf1pf(L.kappa_P): tf})
    test = _lambdify((L.kappa_P, tf, gP, L.sigma2), ridgeless)(kP, tf1p, gam, mp.mpf(noise))
    tr = d.extras["train_ridgeless"].subs({L.sigma2: sp.Rational(noise), L.D: D, L.P: P})
    return float(test), float(tr)


def rf_gd_reference(
    lam: Sequence[float],
    tp: Sequence[float],
    N: int,
    lr: float,
    times,
    s_max: float,
    nodes: int = NODES,
) -> dict[str, Any]:
    """E_g at integer ``times`` of population GD on N linear random features (the derivation's
    one-point integrand) and the projection error E_g(∞)."""
    import sympy as sp

    from ..symbolic import learning as L

    d = _derivation("rf_gd.learning_curve")
    K1 = sp.Symbol("K1")
    D = len(lam)
    out = []
    with mp.workdps(DPS):
        lm = [mp.mpf(x) for x in lam]
        mv = [*_mode_values(lam, tp), mp.mpf(lr), mp.mpf(N)]
        circ = _circle(lm, mp.mpf(N), mp.mpf(D) / N, s_max, nodes)
        for t in np.asarray(times, dtype=np.int64):
            v = {L.t: sp.Integer(int(t)), L.kappa_fn(L.s): K1}
            e, ls, qs = _modes(d.extras["integrand"].xreplace(v), D)
            f1 = _lambdify((L.s, K1, *ls, *qs, L.eta, L.N), e)
            out.append(float(_one_point(f1, mv, *circ)))
        if N < D:
            kN = _root_df1(lm, N)
            e, ls, qs = _modes(d.extras["projection_error"], D)
            inf = float(_lambdify((L.kappa_N, *ls, *qs), e)(kN, *_mode_values(lam, tp)))
        else:
            inf = 0.0
    return {"loss": np.array(out), "loss_inf": inf}


__all__ = ["gd_reference", "rf_gd_reference", "sgd_reference"]
