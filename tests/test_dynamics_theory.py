"""Learning-curve theory (rmtscale.numeric.sgd / gd / rf_gd): SGD recursion, GD two-point DE,
RF-GD DE.

Checks: mpmath (30-digit recursion; 30-digit contour integrals of the derivation's integrands
with an independent κ continuation, tests/oracles/dynamics.py), direct numpy Monte Carlo of
SGD / GD / RF-GD, limits (P, N → ∞; t → ∞ against the static ridge theory), the isotropic case
against quadrature over the Marchenko–Pastur law, the tables of the theory notes §3.8, and
each solver's registry ``check`` (the derivation in mpmath at a random legal point).
"""

import mpmath as mp
import numpy as np
import pytest
from oracles.dynamics import gd_mp, sgd_kernel_mass, sgd_mp, sgd_volterra
from scipy.integrate import quad
from scipy.optimize import brentq

import rmtscale.numeric.contours as contours
from rmtscale.errors import ParameterError
from rmtscale.numeric.gd import gd_learning_curve
from rmtscale.numeric.kappa.complex import kappa_at, support_edges
from rmtscale.numeric.rf_gd import rf_gd_learning_curve
from rmtscale.numeric.ridge import ridge_theory
from rmtscale.numeric.sgd import sgd_learning_curve, sgd_max_lr
from rmtscale.spectra import from_arrays, isotropic, power_law


def normalized_power_law(alpha, beta, D):
    sp = power_law(alpha, beta, D)
    return from_arrays(sp.eigenvalues, sp.target_power / sp.target_power.sum())


SMALL = from_arrays(np.array([1.0, 0.5, 0.2, 0.05]), np.array([0.3, 0.5, 0.1, 0.1]))

# ============================================================================ 1. online SGD


def test_sgd_matches_mpmath_recursion():
    lr, B, noise = 0.4, 2, 0.1
    ts = np.array([0, 1, 2, 5, 10, 50, 200])
    r = sgd_learning_curve(SMALL, lr=lr, batch=B, noise=noise, times=ts)
    ref, inf = sgd_mp(SMALL.eigenvalues, SMALL.target_power, lr, B, noise, 200)
    np.testing.assert_allclose(r.loss, [float(ref[t]) for t in ts], rtol=1e-13)
    assert r.loss_inf == pytest.approx(float(inf), rel=1e-13)
    assert set(r.method) == {"exact"}


def test_sgd_equals_volterra_form():
    lr, B, noise = 0.3, 3, 0.2
    T = 80
    r = sgd_learning_curve(SMALL, lr=lr, batch=B, noise=noise, times=np.arange(T + 1))
    eg = sgd_volterra(SMALL.eigenvalues, SMALL.target_power, lr, B, noise, T)
    np.testing.assert_allclose(r.loss, eg, rtol=1e-12)


def test_sgd_matches_monte_carlo():
    lr, B, noise, R = 0.35, 2, 0.1, 20000
    ts = np.array([0, 1, 3, 10, 30, 60])
    th = sgd_learning_curve(SMALL, lr=lr, batch=B, noise=noise, times=ts)
    rng = np.random.default_rng(7)
    lam, wbar = SMALL.eigenvalues, np.sqrt(SMALL.teacher_sq)
    w = np.zeros((R, lam.size))
    rec = {}
    for t in range(ts.max() + 1):
        if t in ts:
            rec[t] = ((w - wbar) ** 2 * lam).sum(1)
        X = rng.standard_normal((R, B, lam.size)) * np.sqrt(lam)
        y = X @ wbar + np.sqrt(noise) * rng.standard_normal((R, B))
        res = np.einsum("rbd,rd->rb", X, w) - y
        w = w - lr / B * np.einsum("rbd,rb->rd", X, res)
    for i, t in enumerate(ts):
        m, se = rec[t].mean(), rec[t].std() / np.sqrt(R)
        assert abs(m - th.loss[i]) <= 4 * se + 1e-12, (t, m, se, th.loss[i])


def test_sgd_fixed_point_and_stability():
    lr, B, noise = 0.5, 4, 0.3
    r = sgd_learning_curve(SMALL, lr=lr, batch=B, noise=noise, times=[20000])
    assert r.loss[0] == pytest.approx(r.loss_inf, rel=1e-10)
    lmax = sgd_max_lr(SMALL.eigenvalues, B)
    assert r.diagnostics["lr_max"] == pytest.approx(lmax)
    sgd_learning_curve(SMALL, lr=0.999 * lmax, batch=B, times=[1])
    with pytest.raises(ParameterError, match="'lr'.*must be <") as ei:
        sgd_learning_curve(SMALL, lr=1.001 * lmax, batch=B, times=[1])
    assert ei.value.name == "lr"
    # the bound is the kernel sum reaching 1
    S = sgd_kernel_mass(SMALL.eigenvalues, lmax, B)
    assert S == pytest.approx(1.0, abs=1e-9)


# ============================================================================ κ and edges


def test_support_edges_isotropic_are_marchenko_pastur():
    for D, P in [(400, 200), (400, 800), (100, 100)]:
        e = support_edges(np.ones(D), P)
        q = D / P
        assert e["s_max"] == pytest.approx((1 + np.sqrt(q)) ** 2, rel=1e-12)
        assert e["s_low"] == pytest.approx((1 - np.sqrt(q)) ** 2, abs=1e-12)
    # random-feature kernel K = (N/D) Sigma^1/2 W_N Sigma^1/2
    e = support_edges(np.ones(300), 100, scale=100 / 300)
    assert e["s_max"] == pytest.approx(100 / 300 * (1 + np.sqrt(3)) ** 2, rel=1e-12)


def test_kappa_physical_branch_and_mpmath():
    lam = power_law(1.5, 0.5, 30).eigenvalues
    P = 12
    zs = np.array([0.3 + 0.2j, -0.5 + 0.01j, -0.05 + 0.001j, -2.0 - 0.3j, 1e6 * np.exp(2.0j)])
    ks = kappa_at(lam, P, zs)
    assert np.all(np.sign(ks.imag) == np.sign(zs.imag))  # Herglotz
    assert abs(ks[-1] / zs[-1] - 1) < 1e-5  # kappa -> z at infinity
    with mp.workdps(30):
        L = [mp.mpf(x) for x in lam]
        for z, k in zip(zs, ks):
            f = lambda x, z=z: x - x / P * mp.fsum(v / (v + x) for v in L) - mp.mpc(z)
            kk = mp.findroot(f, mp.mpc(k))
            assert abs(complex(kk) - k) <= 1e-12 * abs(k)


# ============================================================================ 2. full-batch GD


@pytest.mark.parametrize("P", [5, 20])
def test_gd_contour_formula_against_mpmath(P):
    sp = normalized_power_law(1.5, 0.5, 8)
    lr, t, noise = 0.4, 30, 0.3
    r = gd_learning_curve(sp, P=P, lr=lr, noise=noise, times=[t])
    assert r.method[0] == "talbot"
    test, train = gd_mp(sp.eigenvalues, sp.target_power, P, lr, t, noise)
    assert r.loss[0] == pytest.approx(test, rel=1e-8)
    assert r.train_loss[0] == pytest.approx(train, rel=1e-8)


def _iso_reference(D, P, signal, noise, lr, t, flow):
    """Σ = I: bias, variance and train loss as integrals over the Marchenko–Pastur law."""
    y = D / P
    a, b = (1 - np.sqrt(y)) ** 2, (1 + np.sqrt(y)) ** 2
    atom = max(0.0, 1 - 1 / y)
    f = (lambda x: np.exp(-t * x)) if flow else (lambda x: (1 - lr * x) ** t)
    h = lambda x: (1 - f(x)) / x

    def integral(g):
        rho = lambda x: np.sqrt(max((b - x) * (x - a), 0.0)) / (2 * np.pi * y * x)
        return quad(lambda x: g(x) * rho(x), a, b, limit=400, epsabs=1e-14, epsrel=1e-12)[0]

    test = signal * (integral(lambda x: f(x) ** 2) + atom) + noise * y * integral(
        lambda x: h(x) ** 2 * x
    )
    train = signal * integral(lambda x: x * f(x) ** 2) + noise * (
        y * (integral(lambda x: f(x) ** 2) + atom) + (P - D) / P
    )
    return test, train


@pytest.mark.parametrize("D,P", [(400, 200), (400, 800), (100, 100)])
def test_gd_isotropic_equals_marchenko_pastur_quadrature(D, P):
    sp = isotropic(D, signal=1.3)
    for flow, lr, ts in [(True, None, [0.5, 3.0, 20.0]), (False, 0.15, [3, 30, 300])]:
        r = gd_learning_curve(sp, P=P, lr=lr, noise=0.4, times=ts, flow=flow)
        ref = np.array([_iso_reference(D, P, 1.3, 0.4, lr, t, flow) for t in ts])
        np.testing.assert_allclose(r.loss, ref[:, 0], rtol=1e-8)
        np.testing.assert_allclose(r.train_loss, ref[:, 1], rtol=1e-8, atol=1e-11)


def test_gd_note_table_finite_data():
    """Note §3.8 'Finite data, train and test' (N = ∞, P = 100, M = 1500, gradient flow)."""
    sp = normalized_power_law(1.5, 0.5, 1500)
    ts = [1, 10, 100, 1000, 1e4]
    r = gd_learning_curve(sp, P=100, times=ts, flow=True)
    np.testing.assert_allclose(r.loss, [0.4395, 0.1460, 0.06155, 0.04350, 0.04276], rtol=1e-3)
    np.testing.assert_allclose(r.train_loss[:4], [0.4186, 0.1128, 0.01945, 3.53e-4], rtol=1e-3)
    assert abs(r.train_loss[4]) < 1e-10
    # the note's t is our τ (loss e^{-2λt} online): its online row is P = ∞
    on = gd_learning_curve(sp, P=10**9, times=ts, flow=True)
    np.testing.assert_allclose(on.loss, [0.4329, 0.1322, 0.03988, 0.01071, 0.001737], rtol=1e-3)
    # static t = ∞ value (note: equal to the KRR value 0.04276)
    assert r.loss_inf == pytest.approx(0.04276, rel=1e-3)


def test_gd_infinite_data_limit():
    sp = normalized_power_law(1.5, 0.5, 500)
    lam, tp = sp.eigenvalues, sp.target_power
    lr = 0.7
    ts = np.array([0, 1, 3, 10, 30, 100, 1000, 10000])
    exact = np.array([np.sum(tp * (1 - lr * lam) ** (2 * t)) for t in ts])
    for P, tol in [(10**7, 2e-3), (10**9, 2e-5)]:  # finite-P corrections are O(1/P)
        r = gd_learning_curve(sp, P=P, lr=lr, times=ts)
        np.testing.assert_allclose(r.loss, exact, rtol=tol)
        np.testing.assert_allclose(r.train_loss, exact, rtol=tol)
        f = gd_learning_curve(sp, P=P, times=lr * ts, flow=True)
        flow_exact = [np.sum(tp * np.exp(-2 * lam * lr * t)) for t in ts]
        np.testing.assert_allclose(f.loss, flow_exact, rtol=tol)


@pytest.mark.parametrize("P", [100, 1000])
def test_gd_static_limit_is_ridgeless(P):
    sp = normalized_power_law(1.5, 0.8, 400)
    noise = 0.2
    ref = ridge_theory(sp.eigenvalues, sp.target_power, [P], [0.0], noise=noise)
    r = gd_learning_curve(sp, P=P, lr=0.5, noise=noise, times=[10**9])
    assert r.method[0] == "static"
    assert r.loss_inf == pytest.approx(ref.test_error[0, 0], rel=1e-10)
    assert r.train_loss_inf == pytest.approx(ref.train_error[0, 0], rel=1e-10, abs=1e-14)
    assert r.loss[0] == r.loss_inf
    # continuity at the switch: Talbot where the bulk has decayed by e^-35 equals the static value
    a = r.diagnostics["s_low"]
    t35 = int(np.ceil(35 / -np.log1p(-0.5 * a)))
    r2 = gd_learning_curve(sp, P=P, lr=0.5, noise=noise, times=[t35])
    assert r2.method[0] == "talbot"
    assert r2.loss[0] == pytest.approx(r.loss_inf, rel=1e-8)
    assert r2.train_loss[0] == pytest.approx(r.train_loss_inf, rel=1e-8, abs=1e-10)


def test_gd_ellipse_and_talbot_agree(monkeypatch):
    sp = normalized_power_law(1.5, 0.5, 300)
    ts = [25, 40, 80]
    kw = dict(P=60, lr=0.6, noise=0.3, times=ts)
    monkeypatch.setattr(contours, "RLR_MAX", 1e-9)  # force the ellipse
    e = gd_learning_curve(sp, **kw)
    assert set(e.method) == {"ellipse"}
    monkeypatch.setattr(contours, "RLR_MAX", 0.5)
    t = gd_learning_curve(sp, **kw)
    assert set(t.method) == {"talbot"}
    np.testing.assert_allclose(e.loss, t.loss, rtol=1e-8)
    np.testing.assert_allclose(e.train_loss, t.train_loss, rtol=1e-8)


def test_gd_matches_monte_carlo():
    """Exact GD on sampled data (D = 200, P = 100), label noise averaged analytically.

    Works in the P×P Gram matrix XXᵀ/P = U diag(μ) Uᵀ: the nonzero eigenvectors of Σ̂ are
    V = XᵀU/√(Pμ) and f(Σ̂)v0 = v0 + V (f(μ) − 1) Vᵀv0."""
    D, P, noise, R = 200, 100, 0.2, 200
    sp = normalized_power_law(1.5, 0.5, D)
    lam, v0 = sp.eigenvalues, -np.sqrt(sp.teacher_sq)
    ts = np.array([1, 3, 10, 30, 100, 300])
    runs = [(0.3, False), (0.7, False), (None, True)]
    sims = {k: ([], []) for k in range(len(runs))}
    rng = np.random.default_rng(11)
    tt = ts[:, None].astype(float)
    for _ in range(R):
        X = rng.standard_normal((P, D)) * np.sqrt(lam)
        mu, U = np.linalg.eigh(X @ X.T / P)
        V = X.T @ U / np.sqrt(P * mu)  # D × P, orthonormal columns
        b = V.T @ v0
        SV = V.T @ (lam[:, None] * V)
        Sv0 = V.T @ (lam * v0)
        base = v0 @ (lam * v0)
        for k, (lr, flow) in enumerate(runs):
            f = np.exp(-tt * mu) if flow else (1 - lr * mu) ** tt
            g = (f - 1) * b
            eg = base + 2 * g @ Sv0 + np.einsum("ti,ij,tj->t", g, SV, g)
            eg += noise / P * ((1 - f) ** 2 / mu) @ np.diag(SV)
            tr = (f * f * b * b) @ mu + noise / P * np.sum(f * f, 1)
            sims[k][0].append(eg)
            sims[k][1].append(tr)
    for k, (lr, flow) in enumerate(runs):
        th = gd_learning_curve(sp, P=P, lr=lr, noise=noise, times=ts, flow=flow)
        for sim, theory in zip(sims[k], (th.loss, th.train_loss)):
            sim = np.array(sim)
            m, se = sim.mean(0), sim.std(0) / np.sqrt(R)
            # statistical error plus an O(1/P) finite-size allowance
            assert np.all(np.abs(m - theory) <= 4 * se + 0.015 * theory), (lr, flow, m, theory, se)


def test_gd_vectorized_over_times_and_t0():
    sp = normalized_power_law(1.5, 0.5, 200)
    ts = [300, 0, 7, 300, 50]
    r = gd_learning_curve(sp, P=80, lr=0.5, noise=0.1, times=ts)
    assert r.loss[1] == pytest.approx(1.0) and r.train_loss[1] == pytest.approx(1.1)
    assert r.loss[0] == r.loss[3]
    for i, t in enumerate(ts):
        one = gd_learning_curve(sp, P=80, lr=0.5, noise=0.1, times=t)
        assert one.loss[0] == pytest.approx(r.loss[i], rel=1e-14)
    assert list(r.method) == ["talbot", "exact", "ellipse", "talbot", "talbot"]
    np.testing.assert_array_equal(r.tau, 0.5 * np.array(ts))


# ============================================================================ 3. RF population GD


def test_rf_note_table_online_flow():
    """Note §3.8 'Online gradient flow, DE' (M = 3000). Its K = Σ^½AᵀAΣ^½/N with A ~ N(0,1)
    is (D/N)·ours, so its time t is our τ·N/D."""
    D = 3000
    sp = normalized_power_law(1.5, 0.5, D)
    t_note = np.array([0.3, 1, 3, 10, 30, 100, 300, 1000])
    note = {
        32: [0.7303, 0.4577, 0.2862, 0.1927, 0.1530, 0.1382, 0.1364, 0.1364],
        128: [0.7262, 0.4398, 0.2548, 0.1481, 0.09513, 0.06485, 0.05211, 0.04746],
    }
    for N, vals in note.items():
        r = rf_gd_learning_curve(sp, N=N, times=t_note * D / N, flow=True)
        np.testing.assert_allclose(r.loss, vals, rtol=1e-3)
    assert rf_gd_learning_curve(sp, N=32, times=[0], flow=True).loss_inf == pytest.approx(
        0.1364, rel=1e-3
    )
    assert rf_gd_learning_curve(sp, N=128, times=[0], flow=True).loss_inf == pytest.approx(
        0.04692, rel=1e-3
    )


def test_rf_infinite_width_is_linear_gd():
    D = 300
    sp = normalized_power_law(1.5, 0.5, D)
    lam, tp = sp.eigenvalues, sp.target_power
    lr0 = 0.6
    ts = np.array([1, 10, 100, 1000, 10000])
    exact = [np.sum(tp * (1 - lr0 * lam) ** (2 * t)) for t in ts]
    for N, tol in [(10**7, 2e-3), (10**9, 2e-5)]:  # K -> (N/D)Σ: lr_eff = lr N/D
        r = rf_gd_learning_curve(sp, N=N, lr=lr0 * D / N, times=ts)
        np.testing.assert_allclose(r.loss, exact, rtol=tol)


def test_rf_static_limit_is_projection_error():
    sp = normalized_power_law(1.5, 0.5, 400)
    lam, tp = sp.eigenvalues, sp.target_power
    N = 50
    kN = brentq(lambda k: np.sum(lam / (lam + k)) - N, 1e-12, 10.0, xtol=1e-16, rtol=1e-15)
    proj = np.sum(tp * kN / (lam + kN))
    r = rf_gd_learning_curve(sp, N=N, lr=1.0, times=[10**12])
    assert r.loss_inf == pytest.approx(proj, rel=1e-10)
    assert r.method[0] == "static" and r.loss[0] == r.loss_inf
    a = r.diagnostics["s_low"]
    t17 = int(np.ceil(35 / (-2 * np.log1p(-a))))  # bulk decayed by e^-35 at lr = 1
    r2 = rf_gd_learning_curve(sp, N=N, lr=1.0, times=[t17])
    assert r2.method[0] == "talbot" and r2.loss[0] == pytest.approx(proj, rel=1e-8)
    assert rf_gd_learning_curve(sp, N=800, lr=0.1, times=[1]).loss_inf == 0.0


def test_rf_matches_monte_carlo():
    """Exact population GD of sampled random features, D = 200, N = 50, 300 draws of F."""
    D, N, R = 200, 50, 300
    sp = normalized_power_law(1.5, 0.5, D)
    lam, u0 = sp.eigenvalues, -np.sqrt(sp.target_power)
    ts = np.array([1, 3, 10, 30, 100, 1000])
    lr = 0.6 / support_edges(lam, N, scale=N / D)["s_max"]
    th = rf_gd_learning_curve(sp, N=N, lr=lr, times=ts)
    thf = rf_gd_learning_curve(sp, N=N, times=lr * ts, flow=True)
    rng = np.random.default_rng(5)
    E, Ef = np.empty((R, ts.size)), np.empty((R, ts.size))
    for r in range(R):
        F = rng.standard_normal((D, N)) / np.sqrt(D)
        Bm = np.sqrt(lam)[:, None] * F  # K = Bm Bmᵀ; its nonzero spectrum is that of BmᵀBm
        mu, V = np.linalg.eigh(Bm.T @ Bm)
        c = (V.T @ (Bm.T @ u0)) ** 2 / mu  # squared overlaps of u0 with K's eigenvectors
        E[r] = u0 @ u0 + ((1 - lr * mu) ** (2 * ts[:, None]) - 1) @ c
        Ef[r] = u0 @ u0 + (np.exp(-2 * lr * ts[:, None] * mu) - 1) @ c
    for sim, theory in ((E, th.loss), (Ef, thf.loss)):
        m, se = sim.mean(0), sim.std(0) / np.sqrt(R)
        # statistical error plus an O(1/N) finite-size allowance
        assert np.all(np.abs(m - theory) <= 4 * se + 0.02 * theory), (m, theory, se)


# ============================================================================ validation


def test_parameter_errors():
    sp = normalized_power_law(1.5, 0.5, 100)
    with pytest.raises(ParameterError, match="'lr'"):
        gd_learning_curve(sp, P=50, lr=0.0, times=[1])
    with pytest.raises(ParameterError, match="'lr'"):
        gd_learning_curve(sp, P=50, times=[1])  # discrete time needs lr
    smax = support_edges(sp.eigenvalues, 50)["s_max"]
    with pytest.raises(ParameterError, match=f"s_max = {smax:.6g}") as ei:
        gd_learning_curve(sp, P=50, lr=1.01 / smax, times=[1])
    assert ei.value.name == "lr"
    gd_learning_curve(sp, P=50, lr=0.99 / smax, times=[1])
    with pytest.raises(ParameterError, match="'P'"):
        gd_learning_curve(sp, P=0, lr=0.1, times=[1])
    with pytest.raises(ParameterError, match="'P'"):
        gd_learning_curve(sp, P=2.5, lr=0.1, times=[1])
    with pytest.raises(ParameterError, match="'noise'"):
        gd_learning_curve(sp, P=50, lr=0.1, noise=-1.0, times=[1])
    with pytest.raises(ParameterError, match="'times'"):
        gd_learning_curve(sp, P=50, lr=0.1, times=[1.5])
    with pytest.raises(ParameterError, match="'times'"):
        gd_learning_curve(sp, P=50, lr=0.1, times=[-1])
    with pytest.raises(ParameterError, match="'times'"):
        gd_learning_curve(sp, P=50, times=[-0.5], flow=True)
    gd_learning_curve(sp, P=50, times=[0.25], flow=True)  # flow: real times
    with pytest.raises(ParameterError, match="'N'"):
        rf_gd_learning_curve(sp, N=0, lr=0.1, times=[1])
    with pytest.raises(ParameterError, match="'lr'"):
        rf_gd_learning_curve(sp, N=10, lr=1e3, times=[1])
    with pytest.raises(ParameterError, match="'batch'"):
        sgd_learning_curve(sp, lr=0.1, batch=0, times=[1])
    with pytest.raises(ParameterError, match="'lr'"):
        sgd_learning_curve(sp, lr=-0.1, times=[1])
    with pytest.raises(ParameterError, match="'times'"):
        sgd_learning_curve(sp, lr=0.1, times=[2.5])
    with pytest.raises(ParameterError, match="'spectrum'"):
        sgd_learning_curve(np.ones(3), lr=0.1, times=[1])


# ============================================================================ derivation <-> solver


def test_sgd_terms_are_the_derivation_coefficients():
    """The compiled per-mode coefficients (ρ_k, kernel mass) and the hand-written recursion kernel
    against the derivation's expressions at random points."""
    import sympy as sp

    from rmtscale.numeric.sgd import _sgd_kernel, fixed_point, sgd_terms
    from rmtscale.symbolic import sgd as S

    c = S.sgd_coefficients()
    f = {k: sp.lambdify((S.lam_mode, S.eta, S.B), c[k]) for k in ("rho", "kernel_mass")}
    rng = np.random.default_rng(7)
    for _ in range(20):
        B = int(rng.integers(1, 9))
        lam = rng.uniform(0.01, 2.0, 5)
        lr = rng.uniform(0.05, 0.9) * 2 * B / ((B + 1) * lam.max())
        rho, mass, drive = sgd_terms(lam, lr, B)
        np.testing.assert_allclose(rho, f["rho"](lam, lr, B), rtol=1e-13)
        np.testing.assert_allclose(mass, f["kernel_mass"](lam, lr, B), rtol=1e-13)
        assert drive == pytest.approx(float(c["drive"].subs({S.eta: lr, S.B: B})), rel=1e-15)
        kb, n = float(rng.uniform(0, 0.9)), float(rng.uniform(0, 1))
        fp = float(c["fixed_point"].subs({S.sigma2: n, S.KBAR: kb}))
        assert fixed_point(lr, B, n, kb) == pytest.approx(fp, rel=1e-14)
        # one step of the numba kernel is the derivation's recursion (its result equation)
        c0 = rng.uniform(0.1, 1.0, 5)
        e1 = _sgd_kernel(lam, c0, rho, drive, n, np.array([1]))[0]
        eg0 = float(lam @ c0)
        c1 = f["rho"](lam, lr, B) * c0 + float(c["drive"].subs({S.eta: lr, S.B: B})) * lam * (
            eg0 + n
        )
        assert e1 == pytest.approx(float(lam @ c1), rel=1e-13)
    assert np.isinf(sgd_terms(np.array([1.0]), 1.5, 1)[1][0])  # rho >= 1: no contraction


@pytest.mark.parametrize(
    "name", ["sgd.learning_curve", "gd.learning_curve", "rf_gd.learning_curve"]
)
def test_solver_check_matches_solve(name):
    """The registry's ``check``: a random legal point, the derivation evaluated there in mpmath,
    against ``rmtscale.solve`` at ``check_rtol``."""
    import rmtscale
    from rmtscale.registry import SOLVERS, lookup

    entry = lookup(SOLVERS, "solver", name)
    assert entry.derivation == name and entry.check is not None
    params, expected = entry.check(np.random.default_rng(11))
    got = rmtscale.solve(name, **params)
    for key, want in expected.items():
        np.testing.assert_allclose(got[key], want, rtol=entry.check_rtol, atol=0, err_msg=key)


def test_gd_rf_kernels_at_nodes_are_the_symbolic_ones():
    """The solvers' kernels on contour nodes (spectral sums tf1, T, G + compiled expressions)
    against the symbolic kernels with the mode-sum definitions of the primitives expanded."""
    import sympy as sp

    from rmtscale.numeric import gd as G
    from rmtscale.numeric import rf_gd as RG
    from rmtscale.numeric.contours import ellipse
    from rmtscale.numeric.kappa.complex import kappa_path
    from rmtscale.symbolic import learning as L
    from rmtscale.symbolic.gd import gd_kernels
    from rmtscale.symbolic.rf_gd import rf_gd_kernels

    rng = np.random.default_rng(5)
    lam, tp = np.sort(rng.uniform(0.05, 1.0, 4))[::-1], rng.uniform(0.1, 1.0, 4)
    sub = {L.lam[i + 1]: lam[i] for i in range(4)}
    sub.update({L.wbar[i + 1]: np.sqrt(tp[i] / lam[i]) for i in range(4)})
    defs = {k: v.subs(L.D, 4).doit().xreplace(sub) for k, v in L.primitives().items()}
    kern = {k: v.xreplace(defs) for k, v in gd_kernels().items()}
    noise = 0.3
    pr = kappa_path(lam, 3, 1.0)
    ct = ellipse(pr.s_max, n=16)
    kap = pr.kappas(ct.s)
    s_f, k_f = ct.full(ct.s), ct.full(kap)
    bias = sp.lambdify((L.s, L.s2, L.K1, L.K2, L.P), kern["bias"])
    want = bias(ct.s[:, None], s_f[None, :], kap[:, None], k_f[None, :], 3.0)
    np.testing.assert_allclose(G._bias(pr, tp, ct, kap), want, rtol=1e-12)
    one = sp.lambdify((L.s, L.K1, L.sigma2), [kern["noise"], kern["train"]])
    got = G._one_point(pr, tp, ct.s, kap, noise)
    np.testing.assert_allclose(got[0], one(ct.s, kap, noise)[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], one(ct.s, kap, noise)[1], rtol=1e-12)
    assert np.all(got[2] == -1)
    rf = {k: v.xreplace(defs) for k, v in rf_gd_kernels().items()}
    pr = kappa_path(lam, 2, 2.0)
    kap = pr.kappas(ct.s)
    f = sp.lambdify((L.s, L.K1), [rf["loss"], rf["static"]])
    got = RG._at(lam, tp, ct.s, kap)
    np.testing.assert_allclose(got[0], f(ct.s, kap)[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], f(ct.s, kap)[1], rtol=1e-12)


@pytest.mark.parametrize(
    "name,key,width", [("gd.learning_curve", "kappa_equation", 5), ("rf_gd.learning_curve",
                       "contour_kappa_equation", 3)]
)  # fmt: skip
def test_complex_kappa_solves_the_derivations_equation(name, key, width):
    """κ continued along a contour by rmtscale.numeric.kappa.complex satisfies the derivation's
    own κ_s equation (GD: κ_s = −s + κ_s Df1/P; RF: κ_s = −sD/N + κ_s Df1/N) at every node."""
    import sympy as sp

    from rmtscale.numeric.contours import talbot
    from rmtscale.numeric.kappa.complex import kappa_path
    from rmtscale.numeric.reference import _derivation
    from rmtscale.symbolic import learning as L

    lam = power_law(1.5, 0.7, 6).eigenvalues
    eq = _derivation(name).extras[key]
    K = sp.Symbol("K")
    res = (eq.lhs - eq.rhs).subs(L.D, 6).doit().xreplace({L.kappa_fn(L.s): K})
    res = res.xreplace({L.lam[i + 1]: lam[i] for i in range(6)})
    f = sp.lambdify((L.s, K, L.P, L.N), res)
    pr = kappa_path(lam, width, 1.0 if name.startswith("gd") else 6 / width)
    ct = talbot(3.0, 24, 0.3 / pr.s_max)
    kap = pr.kappas(ct.s)
    r = f(ct.s, kap, width, width)
    assert np.max(np.abs(r) / np.abs(kap)) < 1e-12
    assert np.all(kap.imag * (-ct.s.imag) >= -1e-14 * np.abs(kap))  # Herglotz: Im κ ~ Im w
