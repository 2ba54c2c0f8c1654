"""Learning-curve theory (rmtscale.numeric.dynamics): SGD recursion, GD two-point DE, RF-GD DE.

Checks: mpmath (30-digit recursion; 20-digit contour integrals with an independent κ
continuation), direct numpy Monte Carlo of SGD / GD / RF-GD, limits (P, N → ∞; t → ∞ against
the static ridge theory), the isotropic case against quadrature over the Marchenko–Pastur law,
and the tables of shared/theory/dynamics_and_exponents.md §3.8.
"""

import mpmath as mp
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

import rmtscale.numeric.dynamics as dyn
from rmtscale.errors import ParameterError
from rmtscale.numeric.dynamics import (
    gd_learning_curve,
    kappa_at,
    rf_gd_learning_curve,
    sgd_learning_curve,
    sgd_max_lr,
    support_edges,
)
from rmtscale.numeric.ridge import ridge_theory
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
    with mp.workdps(30):
        lam = [mp.mpf(x) for x in SMALL.eigenvalues]
        c = [mp.mpf(x) for x in SMALL.teacher_sq]
        e, n = mp.mpf(lr), mp.mpf(noise)
        rho = [(1 - e * x) ** 2 + e**2 / B * x**2 for x in lam]
        ref = []
        for _ in range(201):
            eg = mp.fsum(x * ck for x, ck in zip(lam, c))
            ref.append(eg)
            c = [rk * ck + e**2 / B * x * (eg + n) for rk, ck, x in zip(rho, c, lam)]
        S = e**2 / B * mp.fsum(x**2 / (1 - rk) for x, rk in zip(lam, rho))
        inf = n * S / (1 - S)
    np.testing.assert_allclose(r.loss, [float(ref[t]) for t in ts], rtol=1e-13)
    assert r.loss_inf == pytest.approx(float(inf), rel=1e-13)
    assert set(r.method) == {"exact"}


def test_sgd_equals_volterra_form():
    lr, B, noise = 0.3, 3, 0.2
    T = 80
    r = sgd_learning_curve(SMALL, lr=lr, batch=B, noise=noise, times=np.arange(T + 1))
    lam, c0 = SMALL.eigenvalues, SMALL.teacher_sq
    rho = (1 - lr * lam) ** 2 + lr**2 / B * lam**2
    F = noise + np.array([np.sum(lam * c0 * rho**t) for t in range(T + 1)])
    K = np.array([lr**2 / B * np.sum(lam**2 * rho**t) for t in range(T + 1)])
    L = np.empty(T + 1)  # L = E_g + noise
    for t in range(T + 1):
        L[t] = F[t] + sum(K[t - 1 - s] * L[s] for s in range(t))
    np.testing.assert_allclose(r.loss, L - noise, rtol=1e-12)


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
    lam = SMALL.eigenvalues
    x = lmax * lam
    S = lmax**2 / B * np.sum(lam**2 / (x * (2 - x * (1 + 1 / B))))
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


def _mp_gd(lam, tp, P, lr, t, noise, n=64, dps=20):
    """Test and train loss at step t from the same contour formulas, evaluated in mpmath on a
    circle around the support with an independent κ continuation (Newton node to node)."""
    with mp.workdps(dps):
        L = [mp.mpf(x) for x in lam]
        TP = [mp.mpf(x) for x in tp]
        smax = support_edges(lam, P)["s_max"]
        c, R = mp.mpf(smax) / 2, mp.mpf(0.9 * smax)
        F = lambda k, w: k * (1 - mp.fsum(x / (x + k) for x in L) / P) - w
        dF = lambda k: 1 - mp.fsum((x / (x + k)) ** 2 for x in L) / P
        psi = [mp.pi + 2 * mp.pi * j / n for j in range(n // 2 + 1)]
        ss = [c + R * mp.expj(p) for p in psi]
        ss[0], ss[-1] = mp.re(ss[0]), mp.re(ss[-1])
        wts = [R * mp.expj(p) / n for p in psi]  # (1/2πi) ds
        mult = [1] + [2] * (n // 2 - 1) + [1]
        w0 = -ss[0]
        kap = mp.findroot(lambda x: F(x, w0), (mp.mpf(10) ** -30, w0 + mp.fsum(L) / P), "anderson")
        kaps, wp = [kap], w0
        for s in ss[1:]:
            for sub in range(1, 5):
                ws = wp + (-s - wp) * sub / 4
                for _ in range(60):
                    d = F(kap, ws) / dF(kap)
                    kap -= d
                    if abs(d) < mp.mpf(10) ** (3 - dps) * abs(kap):
                        break
            wp = -s
            kaps.append(kap)
        assert all(mp.im(k) >= -1e-15 for k in kaps)  # Im w >= 0 on this half: physical
        f = [(1 - lr * s) ** t for s in ss]
        one = lambda v: mp.fsum(m * mp.re(a * b) for m, a, b in zip(mult, wts, v))
        train = -one(
            [
                fj**2 * (mp.fsum(a / (x + k) for a, x in zip(TP, L)) + noise / k)
                for fj, k in zip(f, kaps)
            ]
        )
        var = noise * one([(1 - fj) ** 2 * k / s**2 for fj, k, s in zip(f, kaps, ss)])
        H = len(ss)
        full = [(j, False) for j in range(H)] + [(j, True) for j in range(1, H - 1)]
        A = [[1 / (x + k) for x in L] for k in kaps]
        cj = lambda v, flag: mp.conj(v) if flag else v
        u = [cj(wts[j] * f[j] * kaps[j] / ss[j], fl) for j, fl in full]
        Af = [[cj(a, fl) for a in A[j]] for j, fl in full]
        bias = 0
        for j in range(H):
            acc = 0
            for uk, Ak in zip(u, Af):
                Sw = mp.fsum(a * b * e for a, b, e in zip(TP, A[j], Ak))
                S2 = mp.fsum(x * x * b * e for x, b, e in zip(L, A[j], Ak))
                acc += uk * Sw / (1 - S2 / P)
            bias += mult[j] * mp.re(wts[j] * f[j] * kaps[j] / ss[j] * acc)
        return float(bias + var), float(train)


@pytest.mark.parametrize("P", [5, 20])
def test_gd_contour_formula_against_mpmath(P):
    sp = normalized_power_law(1.5, 0.5, 8)
    lr, t, noise = 0.4, 30, 0.3
    r = gd_learning_curve(sp, P=P, lr=lr, noise=noise, times=[t])
    assert r.method[0] == "talbot"
    test, train = _mp_gd(sp.eigenvalues, sp.target_power, P, lr, t, noise)
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
    monkeypatch.setattr(dyn, "RLR_MAX", 1e-9)  # force the ellipse
    e = gd_learning_curve(sp, **kw)
    assert set(e.method) == {"ellipse"}
    monkeypatch.setattr(dyn, "RLR_MAX", 0.5)
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
