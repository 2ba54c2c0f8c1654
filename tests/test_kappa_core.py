"""The one real-κ core (rmtscale.numeric.kappa.real): its hand-written pieces of h(log κ₂) and
dh/ds against the symbolic fixed points at random points, and its diagnostics."""

import numpy as np
import pytest
import sympy as sp

from rmtscale.numeric.kappa import solve_kappa
from rmtscale.numeric.kappa.real import aniso_layer, data_factor, iso_layer
from rmtscale.numeric.spectral_sums import exact_sums
from rmtscale.spectra import power_law
from rmtscale.symbolic import random_features as RF
from rmtscale.symbolic import ridge as R
from rmtscale.symbolic.theory import eta_k

u, u2, uF2, kF = sp.symbols("u u2 uF2 kF", positive=True)  # Df1, Df2, Df2^F, kappa_F


def test_mode_sum_identity_behind_the_slopes():
    # kappa dDf1/dkappa = -(Df1 - Df2), mode by mode
    df1, df2 = (next(p.summand for p in RF.PRIMITIVES if p.name == n) for n in ("df1", "df2"))
    assert sp.simplify(RF.kappa2 * sp.diff(df1, RF.kappa2) + (df1 - df2)) == 0
    assert df1.has(eta_k)


def _log_h(theory):
    """h = log(lambda side) - log(lambda) in s = log kappa_2, with Df1 -> u, Df2 -> u2."""
    lhs = theory.equations[0] + RF.lam
    h = sp.expand_log(sp.log(lhs), force=True) - sp.log(RF.lam)
    return h.xreplace({RF.Df1: u, RF.Df2: u2, RF.kappa_F: kF, RF.Df2F: uF2})


def _slope(h, aniso=False):
    """dh/ds: d/ds = kappa d/dkappa (explicit) + dDf1/ds d/dDf1, dDf1/ds = -(Df1 - Df2);
    anisotropic: kappa_F follows Df1 with dlog kappa_F/dDf1 = -1/(Df1 - Df2^F)."""
    du = -(u - u2)
    d = RF.kappa2 * sp.diff(h, RF.kappa2) + du * sp.diff(h, u)
    if aniso:
        d += du * (-kF / (u - uF2)) * sp.diff(h, kF)
    return sp.simplify(d)


@pytest.mark.parametrize("seed", range(20))
def test_kernel_pieces_match_the_symbolic_h_and_slope(seed):
    rng = np.random.default_rng(seed)
    D, P, N, lam = (
        50.0,
        float(rng.uniform(5, 80)),
        float(rng.uniform(5, 80)),
        10 ** rng.uniform(-6, 0),
    )
    df1 = float(rng.uniform(0.05, 0.95) * min(P, N))
    df2 = float(rng.uniform(0.05, 0.95) * df1)
    k2 = float(10 ** rng.uniform(-4, 1))
    s = np.log(k2)
    vals = {RF.kappa2: k2, u: df1, u2: df2, RF.P: P, RF.N: N, RF.D: D, RF.lam: lam}
    # ridge (no layer) and one isotropic layer
    la, ta = data_factor(df1, df1 - df2, P)
    lf, tl = iso_layer(df1, df1 - df2, N, D)
    ridge_h = sp.expand_log(sp.log(R.THEORY.equations[0] + R.lam - R.kappa + R.kappa), force=True)
    ridge_h = (ridge_h - sp.log(R.lam)).xreplace({R.Df1: u, R.kappa: RF.kappa2})
    for h, H, dH in (
        (ridge_h, s + la - np.log(lam), 1 + ta),
        (_log_h(RF.THEORY), s + la + lf - np.log(lam), 1 + ta + tl),
    ):
        assert float(h.subs(vals)) == pytest.approx(H, rel=1e-12, abs=1e-12)
        assert float(_slope(h).subs(vals)) == pytest.approx(dH, rel=1e-12)
    # anisotropic weights: kappa_F at Df^F_1 = Df1, with Df^F_2 < Df1
    kf, d2F = float(10 ** rng.uniform(-3, 1)), float(rng.uniform(0.05, 0.95) * df1)
    lf, tl = aniso_layer(df1, df1 - df2, np.log(kf), d2F, df1 - d2F, D)
    h = _log_h(RF.anisotropic_theory())
    avals = {**vals, kF: kf, uF2: d2F}
    assert float(h.subs(avals)) == pytest.approx(s + la + lf - np.log(lam), rel=1e-12, abs=1e-12)
    assert float(_slope(h, aniso=True).subs(avals)) == pytest.approx(1 + ta + tl, rel=1e-12)
    # and the symbolic rho of anisotropic weights is 1/(1 + t)
    t_sym = RF.T_LAYER_ANISO.xreplace({RF.Df1: u, RF.Df2: u2, RF.Df2F: uF2})
    assert float(t_sym.subs(avals)) == pytest.approx(tl, rel=1e-12)


def test_solutions_satisfy_the_symbolic_equations_with_exact_sums():
    s = power_law(1.5, 0.8, 300)
    Ps = np.array([50.0, 150.0, 280.0, 320.0, 900.0])
    lams = np.geomspace(1e-7, 1.0, 9)
    Pg, Lg = (a.ravel() for a in np.meshgrid(Ps, lams, indexing="ij"))
    trace = s.eigenvalues.sum()
    for Ns in (np.zeros((Pg.size, 0)), np.full((Pg.size, 1), 120.0)):
        k_hi = Lg * (300 / 120.0) ** Ns.shape[1] + trace / Pg + trace * np.sum(1 / Ns, axis=1)
        sol = solve_kappa(s.eigenvalues, s.target_power, Pg, Ns, Lg, k_hi)
        # |h| at the last iterate: rounding of log(1 - Df1/P) next to the edge at tiny ridge
        assert sol.converged.all() and np.all(sol.residual < 1e-9)
        assert sol.iterations.max() < 40
        df1 = exact_sums(s.eigenvalues, s.target_power, sol.kappa)[0]
        T = R.THEORY if Ns.shape[1] == 0 else RF.THEORY
        kap = R.kappa if Ns.shape[1] == 0 else RF.kappa2
        lam_side = sp.lambdify((kap, "u", R.P, RF.N, R.D),
                               T.plain(T.equations[0] + R.lam).subs(sp.Symbol("df1", real=True),
                                                                  sp.Symbol("u")))  # fmt: skip
        got = lam_side(sol.kappa, df1, Pg, 120.0, 300.0)
        ok = Lg >= 1e-4  # below, lambda = kappa (1 - Df1/P) cancels next to the edge
        np.testing.assert_allclose(got[ok], Lg[ok], rtol=1e-10)
        # kappa_edge: Df1(kappa_edge) = min(P, N) where D exceeds it
        level = np.minimum(Pg, 120.0 if Ns.shape[1] else np.inf)
        has = level < 300
        e = exact_sums(s.eigenvalues, s.target_power, sol.kappa_edge[has])[0]
        np.testing.assert_allclose(e, level[has], rtol=1e-12)
        assert np.all(sol.kappa_edge[~has] == 0)
