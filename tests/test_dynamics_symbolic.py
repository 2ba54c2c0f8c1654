"""Symbolic learning-curve derivations (rmtscale.symbolic.sgd / gd / rf_gd / dynamics): they
build, state their conventions in the LaTeX, and their results hold when numbers are
substituted."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from rmtscale.symbolic import dynamics as DY
from rmtscale.symbolic import gd as GD
from rmtscale.symbolic import learning as M
from rmtscale.symbolic import moments as MO
from rmtscale.symbolic import rf_gd as RG
from rmtscale.symbolic import ridge as R
from rmtscale.symbolic import sgd as SG

# ------------------------------------------------------------------ fixtures / helpers


@pytest.fixture(scope="module")
def sgd():
    return SG.derive_sgd_recursion()


@pytest.fixture(scope="module")
def gd():
    return GD.derive_gd_finite_data()


@pytest.fixture(scope="module")
def rf():
    return RG.derive_rf_population_gd()


@pytest.fixture(scope="module")
def expo():
    return DY.derive_dynamical_exponents()


COMMON_CONVENTIONS = [
    r"$w_0=0$",
    r"\frac12(f(x)-y)^2",
    r"$t$ counts updates (steps), not $\eta t$",
    "without label noise",
    "training losses include the noise",
    r"\mathrm{Var}\,\epsilon=\sigma^2",
]


def modes(expr, lam_v, w_v=None, extra=None):
    """Evaluate an expression with sums over k = 1..D at a numeric spectrum."""
    n = len(lam_v)
    sub = {M.lam[i + 1]: lam_v[i] for i in range(n)}
    if w_v is not None:
        sub.update({M.wbar[i + 1]: w_v[i] for i in range(n)})
    sub.update(extra or {})
    e = expr.subs(M.D, n).doit()
    return float(e.subs(sub))


def check_rendering(d):
    tex = d.latex()
    body = tex.split("\n")[1:-1]
    assert len(body) == len(d.steps)
    for st in d.steps:
        assert "$" not in st.text and st.text.isascii(), st.text
    doc = d.latex(document=True)
    assert doc.count(r"\begin{align}") == 1 and doc.rstrip().endswith(r"\end{document}")
    assert r"\text{False}" not in tex and r"\text{True}" not in tex  # no collapsed Eq
    assert d.title in str(d)
    json.dumps(d.to_dict())
    return doc


# ------------------------------------------------------------------ 1. online SGD


def test_sgd_builds_and_states_conventions(sgd):
    doc = check_rendering(sgd)
    for c in [*COMMON_CONVENTIONS, "averaged", r"\frac{\eta}{B}\sum_{i=1}^{B}x_i(x_i\cdot w-y_i)"]:
        assert c in doc, c
    assert len(sgd.steps) >= 20
    lhs, rhs = sgd.result.lhs, sgd.result.rhs
    assert lhs == M.c_mode(M.k, M.t + 1)
    assert rhs.has(M.rho[M.k]) and rhs.has(M.sigma2) and rhs.has(M.B)
    assert sp.simplify(sgd.extras["rho"] - ((1 - M.eta * M.lam[M.k]) ** 2
                                            + M.eta**2 * M.lam[M.k] ** 2 / M.B)) == 0  # fmt: skip
    assert "Isserlis" in " ".join(s.text for s in sgd.steps)


def test_fourth_moment_checks_are_discriminating():
    assert MO.check_isserlis_mgf(2)
    assert MO.check_fourth_moment(3)
    assert MO.check_minibatch_moment(2, 2) and MO.check_minibatch_moment(3, 2)
    # a wrong fourth moment (factor 1 instead of 2) is caught by the same Wick expansion
    n = 2
    S, C = MO._sym_matrix("s", n), MO._sym_matrix("c", n)
    lhs = sp.Matrix(n, n, lambda a, d: sum(C[b, c] * MO._wick([a, b, c, d], S)
                                           for b in range(n) for c in range(n)))  # fmt: skip
    assert (lhs - (S * C * S + (S * C).trace() * S)).expand() != sp.zeros(n, n)
    assert SG.check_volterra(2, 3)


def _recursion_step(sgd, c, lam_v, vals):
    """One step of the derivation's result equation, evaluated numerically."""
    n = len(lam_v)
    rhs = sgd.result.rhs.xreplace({M.rho[M.k]: sgd.extras["rho"]}).subs(M.D, n).doit()
    out = []
    for kk in range(1, n + 1):
        e = rhs.subs(M.k, kk)
        sub = {M.c_mode(j, M.t): c[j - 1] for j in range(1, n + 1)}
        sub.update({M.lam[i + 1]: lam_v[i] for i in range(n)})
        sub.update(vals)
        out.append(float(e.subs(sub)))
    return np.array(out)


def test_recursion_equals_volterra_numerically(sgd):
    rng = np.random.default_rng(3)
    lam_v = rng.uniform(0.1, 1.0, 4)
    w_v = rng.normal(size=4)
    eta_v, B_v, s2 = 0.37, 3.0, 0.21
    vals = {M.eta: eta_v, M.B: B_v, M.sigma2: s2}
    c = w_v**2
    L_rec = [float(lam_v @ c) + s2]
    for _ in range(5):
        c = _recursion_step(sgd, c, lam_v, vals)
        L_rec.append(float(lam_v @ c) + s2)
    F = [modes(sgd.extras["forcing"].subs(M.t, tt), lam_v, w_v, vals) for tt in range(6)]
    K = [modes(sgd.extras["kernel"].subs(M.ell, r), lam_v, None, vals) for r in range(6)]
    L_vol = []
    for tt in range(6):
        L_vol.append(F[tt] + sum(K[tt - 1 - s] * L_vol[s] for s in range(tt)))
    assert np.max(np.abs(np.array(L_rec) - np.array(L_vol))) < 1e-12


def test_fixed_point_satisfies_recursion(sgd):
    lam_v = np.array([1.0, 0.5, 0.2, 0.05])
    eta_v, B_v, s2 = 0.4, 2.0, 0.3
    vals = {M.eta: eta_v, M.B: B_v, M.sigma2: s2}
    Kbar = modes(sgd.extras["kernel_mass"], lam_v, None, vals)
    assert 0 < Kbar < 1
    Eg_inf = modes(sgd.extras["fixed_point"], lam_v, None, vals)
    assert Eg_inf == pytest.approx(s2 * Kbar / (1 - Kbar), rel=1e-14)
    rho = (1 - eta_v * lam_v) ** 2 + eta_v**2 * lam_v**2 / B_v
    c_inf = eta_v**2 / B_v * lam_v * (Eg_inf + s2) / (1 - rho)
    assert float(lam_v @ c_inf) == pytest.approx(Eg_inf, rel=1e-13)
    assert np.allclose(_recursion_step(sgd, c_inf, lam_v, vals), c_inf, rtol=1e-13, atol=0)
    # and the recursion converges there from w_0 = 0
    c = np.ones(4)
    for _ in range(3000):
        c = rho * c + eta_v**2 / B_v * lam_v * (lam_v @ c + s2)
    assert float(lam_v @ c) == pytest.approx(Eg_inf, rel=1e-10)
    # stability: both conditions hold here, and fail when eta is too large
    sub = {**{M.lam[i + 1]: lam_v[i] for i in range(4)}, **vals}
    stab = sgd.extras["stability"].subs(M.D, 4).doit().subs(sub)
    assert bool(stab.subs(M.lam[M.k], lam_v[0]))
    big = {**sub, M.eta: 2.5}
    assert not bool(sgd.extras["stability"].subs(M.D, 4).doit().subs(big).subs(M.lam[M.k], 1.0))


def test_sgd_recursion_against_monte_carlo(sgd):
    """The exact recursion against averaged simulated SGD (5 steps, Gaussian data)."""
    rng = np.random.default_rng(11)
    lam_v = np.array([1.0, 0.4, 0.1])
    w_v = np.array([0.8, -1.1, 1.5])
    eta_v, B_v, s2, runs, steps = 0.5, 2, 0.2, 200_000, 5
    W = np.zeros((runs, 3))
    Eg_mc = []
    for _ in range(steps):
        X = rng.normal(size=(runs, B_v, 3)) * np.sqrt(lam_v)
        y = X @ w_v + np.sqrt(s2) * rng.normal(size=(runs, B_v))
        r = np.einsum("rbd,rd->rb", X, W) - y
        W = W - eta_v / B_v * np.einsum("rbd,rb->rd", X, r)
        Eg_mc.append(((W - w_v) ** 2) @ lam_v)
    vals = {M.eta: eta_v, M.B: B_v, M.sigma2: s2}
    c = w_v**2
    for tt in range(steps):
        c = _recursion_step(sgd, c, lam_v, vals)
        e = Eg_mc[tt]
        z = (e.mean() - lam_v @ c) / (e.std() / np.sqrt(runs))
        assert abs(z) < 4.5, (tt, z)


def test_sgd_limits(sgd):
    lk = sp.Symbol("lk", positive=True)
    rho = sgd.extras["rho"].subs(M.lam[M.k], lk)
    assert sp.simplify(sp.limit(rho, M.B, sp.oo) - (1 - M.eta * lk) ** 2) == 0
    assert sp.limit(rho ** (M.tau / M.eta), M.eta, 0) == sp.exp(-2 * lk * M.tau)
    gf = sgd.extras["gradient_flow"]
    assert gf.has(sp.exp(-2 * M.lam[M.k] * M.tau))
    # kernel mass: eta Tr Sigma / (2B) to leading order
    km = sgd.extras["kernel_mass"].function.subs(M.lam[M.k], lk)
    assert sp.simplify(sp.series(km, M.eta, 0, 2).removeO() - M.eta * lk / (2 * M.B)) == 0


# ------------------------------------------------------------------ 2. GD on finite data


def test_gd_builds_and_states_conventions(gd):
    doc = check_rendering(gd)
    for c in [*COMMON_CONVENTIONS, r"w_{t+1}=w_t-\frac{\eta}{P}X^\top(Xw_t-y)", r"\oint_\Gamma",
              "two-point equivalent stated", r"\kappa_s:=\kappa(z=-s)"]:  # fmt: skip
        assert c in doc, c
    assert len(gd.steps) >= 25
    assert isinstance(gd.result.rhs, M.Oint) and isinstance(gd.result.rhs.args[0], M.Oint)
    assert r"\oint_{\Gamma}" in sp.latex(gd.result)
    assert isinstance(gd.extras["train"].rhs, M.Oint)  # one contour for the train loss


def test_gd_unrolled_and_explicit_checks():
    assert GD.check_gd_unrolled(5)
    assert GD.check_gd_explicit(3, 2, 2)
    assert GD.check_gd_explicit(2, 3, 1)  # D > P as well


def test_gd_one_point_kappa_equation(gd):
    eqs = [s.eq for s in gd.steps if isinstance(s.eq, sp.Equality)]
    assert sp.Eq(R.kappa, M.z + R.kappa * M.Df1f(R.kappa) / M.P) in eqs
    assert M._check_isotropic_mp(M.D / M.P, sp.Symbol("zz", positive=True))


def test_gd_limits(gd):
    # t -> infinity: the ridge test error at lambda -> 0
    gP = sp.Symbol("gamma_P", positive=True)
    Eg_inf = gd.extras["ridgeless"]
    ridge = R.test_error_expr().subs({R.Df2: gP * R.P}).xreplace({R.tf1p: M.tf1pf(M.kappa_P)})
    assert sp.simplify(Eg_inf - ridge.subs(R.kappa, M.kappa_P)) == 0
    # P -> infinity: population GD; numeric integrand check at kappa_s = -s
    assert gd.extras["population_gd"] == M.msum(
        M.lam[M.k] * M.wbar[M.k] ** 2 * (1 - M.eta * M.lam[M.k]) ** (2 * M.t)
    )
    steps = {s.text.split(":")[0] for s in gd.steps}
    assert any(t.startswith("t -> inf") for t in steps)
    assert any("gradient flow" in s.text for s in gd.steps)


def test_gd_bias_integrand_residue_one_mode(gd):
    """At P = inf (kappa_s = -s, gamma = 0) and one mode, the double residue at s = s' = lambda
    of the test integrand gives lambda w^2 (1 - eta lambda)^(2t)."""
    ks, ks2 = M.kappa_fn(M.s), M.kappa_fn(M.s2)
    e = gd.extras["test_bias_integrand"].subs(M.D, 1).doit()
    l1, w1 = sp.Symbol("l1", positive=True), sp.Symbol("w1")
    e = e.subs({M.lam[1]: l1, M.wbar[1]: w1})
    e = e.subs({ks: -M.s, ks2: -M.s2})
    e = sp.limit(e, M.P, sp.oo)
    res = sp.residue(sp.residue(e, M.s2, l1), M.s, l1)
    assert sp.simplify(res - l1 * w1**2 * (1 - M.eta * l1) ** (2 * M.t)) == 0


# numeric contour integration: the integrands are analytic outside a disc holding the
# spectrum, so the trapezoid rule on a large circle is exact to rounding. At t = 1 the
# deterministic equivalents must reproduce the exact Gaussian moments up to the terms that are
# O(1/P) relative (dropped by every deterministic equivalent).
LAM3, W3 = np.array([1.0, 0.5, 0.2]), np.array([2.0, -1.0, 3.0])
K1, K2 = sp.symbols("kk1 kk2")


def _numeric(expr, values):
    n = len(LAM3)
    e = expr.subs(M.D, n).doit()
    sub = {M.lam[i + 1]: LAM3[i] for i in range(n)}
    sub.update({M.wbar[i + 1]: W3[i] for i in range(n)})
    sub.update(values)
    e = e.subs(sub).subs({M.kappa_fn(M.s): K1, M.kappa_fn(M.s2): K2})
    return sp.lambdify((M.s, M.s2, K1, K2), e, "numpy")


def _circle(m=256, radius=25.0):
    s = radius * np.exp(2j * np.pi * np.arange(m) / m)
    return s, 1j * s * (2 * np.pi / m) / (2j * np.pi)  # nodes and weights of (1/2 pi i) ds


def _kappa_on_circle(s, width, scale):
    """kappa_s = -scale s + kappa_s Df1(kappa_s)/width on the branch kappa_s ~ -scale s."""
    k = -scale * s + LAM3.sum() / width
    for _ in range(60):
        df1 = np.sum(LAM3 / (LAM3 + k[:, None]), -1)
        df2 = np.sum(LAM3**2 / (LAM3 + k[:, None]) ** 2, -1)
        k = k - (k + scale * s - k * df1 / width) / (1 - df2 / width)
    return k


def test_gd_double_contour_reproduces_exact_moments(gd):
    eta, P, s2 = 1 / 3, 7.0, 0.2
    s, ws = _circle()
    ks = _kappa_on_circle(s, P, 1.0)
    S1, S2 = np.meshgrid(s, s, indexing="ij")
    Q1, Q2 = np.meshgrid(ks, ks, indexing="ij")
    Wt = np.outer(ws, ws)
    lw, tr1, tr2 = LAM3 * W3**2, LAM3.sum(), (LAM3**2).sum()
    for tt, bias_ex, noise_ex in [
        (0, lw.sum(), 0.0),
        (
            1,
            (lw * (1 - eta * LAM3) ** 2).sum() + eta**2 * tr2 * lw.sum() / P,
            s2 * eta**2 * tr2 / P,
        ),
    ]:
        vals = {M.eta: eta, M.P: P, M.t: tt, M.sigma2: s2}
        fb = _numeric(gd.extras["test_bias_integrand"], vals)
        fn = _numeric(gd.extras["test_noise_integrand"], vals)
        assert np.sum(fb(S1, S2, Q1, Q2) * Wt) == pytest.approx(bias_ex, rel=1e-12, abs=1e-13)
        assert np.sum(fn(S1, S2, Q1, Q2) * Wt) == pytest.approx(noise_ex, rel=1e-12, abs=1e-13)
    # train: rho(s) with f = 1 and f = s give E|y|^2 and the DE of wbar' Sigma-hat^2 wbar + ...
    rho = _numeric(gd.extras["train_integrand"], {M.eta: eta, M.P: P, M.t: 0, M.sigma2: s2})
    r = rho(s, 0, ks, 0)
    assert np.sum(r * ws) == pytest.approx(lw.sum() + s2, rel=1e-12)
    m1 = (LAM3 * lw).sum() + tr1 * lw.sum() / P + s2 * tr1 / P
    assert np.sum(s * r * ws) == pytest.approx(m1, rel=1e-12)


# ------------------------------------------------------------------ 3. random features


def test_rf_builds_and_states_conventions(rf):
    doc = check_rendering(rf)
    for c in [*COMMON_CONVENTIONS, r"F_{ij}\sim N(0,1/D)", r"\tilde\eta=\eta N/D"]:
        assert c in doc, c
    assert len(rf.steps) >= 15
    assert isinstance(rf.result.rhs, M.Oint)


def test_rf_kappa_equation_and_limits(rf):
    N, D, z, kap = M.N, M.D, M.z, R.kappa
    assert rf.extras["kappa_equation"] == sp.Eq(kap, z * D / N + kap * M.Df1f(kap) / N)
    assert RG.check_rf_step(2, 2) and RG.check_rf_step(3, 2)
    # N -> infinity at fixed eta-tilde: population GD
    eta_t = rf.extras["effective_lr"].lhs
    assert rf.extras["infinite_width"] == M.msum(
        M.lam[M.k] * M.wbar[M.k] ** 2 * (1 - eta_t * M.lam[M.k]) ** (2 * M.t)
    )
    # t -> infinity residue: the projection error
    e = rf.extras["integrand"].subs(M.t, 0)  # (1 - eta s)^0 = 1 at s = 0 in any case
    ks = M.kappa_fn(M.s)
    res = sp.residue(e.subs(ks, M.kappa_N), M.s, 0)
    assert sp.simplify(res - rf.extras["projection_error"]) == 0


def test_rf_contour_reproduces_exact_moments(rf):
    """E_F E_g(1) = sum lw - 2 eta (N/D) sum lambda lw + eta^2 (N^2 sum lambda^2 lw
    + N Tr Sigma sum lambda lw)/D^2 up to the O(1/N)-relative term N sum lambda^2 lw / D^2."""
    eta, N, D = 1 / 3, 5.0, float(len(LAM3))
    s, ws = _circle()
    ks = _kappa_on_circle(s, N, D / N)
    lw = LAM3 * W3**2
    quad2 = N * N * (LAM3**2 * lw).sum() + N * LAM3.sum() * (LAM3 * lw).sum()
    exact = lw.sum() - 2 * eta * N / D * (LAM3 * lw).sum() + eta**2 * quad2 / D**2
    for tt, ex in [(0, lw.sum()), (1, exact)]:
        f = _numeric(rf.extras["integrand"], {M.eta: eta, M.N: N, M.t: tt})
        assert np.sum(f(s, 0, ks, 0) * ws) == pytest.approx(ex, rel=1e-12)


def test_rf_projection_error_against_simulation(rf):
    """E_g(inf) = sum lambda wbar^2 kappa_N/(lambda + kappa_N), Df1(kappa_N) = N, against the
    exact projection of Sigma^(1/2) wbar off the range of Sigma^(1/2) F (D = 300, N = 60)."""
    rng = np.random.default_rng(5)
    D, N = 300, 60
    k = np.arange(1, D + 1)
    lam = k**-1.5
    wb = np.sqrt(k**-1.75 / lam)
    kN = brentq(lambda x: np.sum(lam / (lam + x)) - N, 1e-12, 10.0)
    f = sp.lambdify((M.lam[M.k], M.wbar[M.k], M.kappa_N), rf.extras["projection_error"].function)
    theory = float(np.sum(f(lam, wb, kN)))
    sims = []
    for _ in range(20):
        F = rng.normal(size=(D, N)) / np.sqrt(D)
        A = np.sqrt(lam)[:, None] * F
        u = np.sqrt(lam) * wb
        b = A.T @ u
        sims.append(float(u @ u - b @ np.linalg.solve(A.T @ A, b)))
    assert np.mean(sims) == pytest.approx(theory, rel=0.03)


# ------------------------------------------------------------------ 4. exponents


def _ex(d, a=None, b=None):
    out = {}
    for k, v in d.extras["exponents"].items():
        sub = {}
        if a is not None:
            sub[M.alpha] = sp.nsimplify(a)
        if b is not None:
            sub[M.beta] = sp.nsimplify(b)
        out[k] = float(v.subs(sub)) if a is not None and b is not None else v
    return out


def test_exponents_build_and_conventions(expo):
    doc = check_rendering(expo)
    for c in [r"\lambda_k=k^{-\alpha}", r"\lambda_k\bar w_k^2=k^{-\alpha\beta-1}", "C=N\\,t"]:
        assert c in doc, c
    for v in expo.extras["exponents"].values():
        assert v == M.beta or isinstance(v, sp.Piecewise)


def test_exponents_note_case_hard(expo):
    e = _ex(expo, 1.5, 0.5)
    assert e["time"] == pytest.approx(0.5)
    assert e["width"] == pytest.approx(0.75)
    assert e["data"] == pytest.approx(0.75)
    assert e["compute"] == pytest.approx(0.3)
    assert e["N_star"] == pytest.approx(0.4)
    assert e["t_star"] == pytest.approx(0.6)
    d = DY.derive_dynamical_exponents(alpha=1.5, beta=0.5)
    assert d.params == {"alpha": 1.5, "beta": 0.5}
    vals = {eq.lhs.name: float(eq.rhs) for eq in d.result}
    assert vals["e_{compute}"] == pytest.approx(0.3) and vals["e_{N_star}"] == pytest.approx(0.4)


def test_width_exponent_is_alpha_for_easy_tasks(expo):
    e = _ex(expo, 1.5, 1.2)
    assert e["width"] == pytest.approx(1.5)  # alpha, not alpha beta = 1.8
    assert e["data"] == pytest.approx(1.8)  # squared functional: alpha beta while beta < 2
    assert _ex(expo, 1.5, 2.5)["data"] == pytest.approx(3.0)  # 2 alpha
    # easy row of theory note section 2.5 (alpha, beta) = (1.5, 1.2): 13/28, 15/28, 9/14
    assert e["N_star"] == pytest.approx(13 / 28)
    assert e["t_star"] == pytest.approx(15 / 28)
    assert e["compute"] == pytest.approx(9 / 14)
    s = _ex(expo, 2.0, 3.0)  # super-easy
    assert (s["N_star"], s["t_star"], s["compute"]) == pytest.approx((0.5, 0.5, 0.75))
    for a, b in [(2.0, 0.25), (2.0, 0.6), (1.2, 0.9)]:  # hard rows of note section 2.6
        h = _ex(expo, a, b)
        assert h["N_star"] == pytest.approx(1 / (1 + a))
        assert h["compute"] == pytest.approx(a * b / (1 + a))


def test_exponent_prefactors_match_note_numbers(expo):
    a, b = 1.5, 0.5
    sub = {M.alpha: a, M.beta: b}
    kN = float(expo.extras["kappa_N"].subs({**sub, M.N: 512}))
    assert kN == pytest.approx(3.246e-4, rel=2e-3)
    L = kN**b * float(expo.extras["width_prefactor_hard"].subs(sub))
    assert L == pytest.approx(3.774e-2, rel=2e-3)
    tau = 100.0
    Lt = float(expo.extras["time_prefactor"].subs(sub)) * (2 * tau) ** -b
    assert Lt == pytest.approx(8.3554e-2, rel=1e-4)
    k = np.arange(1, 2_000_001, dtype=float)
    assert np.sum(k**-1.75 * np.exp(-2 * k**-1.5 * tau)) == pytest.approx(Lt, rel=1e-3)
    assert float(expo.extras["gamma_P"].subs(sub)) == pytest.approx(1 / 3)


@pytest.mark.parametrize("a,b", [(1.5, 0.5), (2.0, 1.5)])
def test_width_exponent_from_direct_sums(expo, a, b):
    """Slope of the projection error sum k^(-a b - 1) kappa/(k^-a + kappa) in kappa_N ~ N^-a."""
    k = np.arange(1, 2_000_001, dtype=float)
    lam, pw = k**-a, k ** (-a * b - 1)
    Ns = np.array([64.0, 128.0, 256.0])
    errs = []
    for n in Ns:
        kN = brentq(lambda x, n=n: np.sum(lam / (lam + x)) - n, 1e-14, 10.0)
        errs.append(np.sum(pw * kN / (lam + kN)))
    slope = -np.polyfit(np.log(Ns), np.log(errs), 1)[0]
    assert slope == pytest.approx(_ex(expo, a, b)["width"], abs=0.04)


@pytest.mark.parametrize("a,b", [(1.5, 0.5), (1.5, 1.2)])
def test_compute_optimal_brute_force(expo, a, b):
    """Minimize the note's lazy loss (unit constants, B = 1) over N = C^x on a grid."""
    xs = np.linspace(0.0, 1.0, 20001)
    logC = np.linspace(30, 50, 5)
    best, Ls = [], []
    for lc in logC:
        lN, lt = xs * lc, (1 - xs) * lc
        L = (np.exp(-b * lt) + np.exp(-a * min(1, b) * lN)
             + (b > 1) * np.exp(-lN - (1 - 1 / a) * lt) + np.exp(-(2 - 1 / a) * lt))  # fmt: skip
        i = np.argmin(L)
        best.append(xs[i] * lc)
        Ls.append(np.log(L[i]))
    e = _ex(expo, a, b)
    assert np.polyfit(logC, best, 1)[0] == pytest.approx(e["N_star"], abs=0.01)
    assert -np.polyfit(logC, Ls, 1)[0] == pytest.approx(e["compute"], abs=0.01)
