"""scaling.optimal_lr: the η*(γ) derivation, the toy solver, the GD bisection on the scalar
chain (theory note §4.5), the width-N network sweep and its claim."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

import rmtscale
from rmtscale.cli import main
from rmtscale.errors import ParameterError
from rmtscale.numeric.optimal_lr import fitted_slope
from rmtscale.simulate import deep_linear as dl
from rmtscale.symbolic import optimal_lr as so

NAME = "scaling.optimal_lr"


def formula(g, L):
    return (
        2 * np.asarray(g, dtype=float) ** 2 / (L * (1 + np.asarray(g, dtype=float)) ** (2 - 2 / L))
    )


# §4.5 of the theory note: (L, γ, η_max simulated, formula)
TABLE = [
    (2, 1e-3, 9.9866e-7, 9.9900e-7),
    (2, 1.0, 0.49987, 0.5),
    (2, 1e3, 998.76, 999.00),
    (3, 1e-2, 6.5766e-5, 6.5788e-5),
    (3, 1.0, 0.26450, 0.26457),
    (3, 1e2, 14.170, 14.174),
    (3, 1e3, 66.562, 66.578),
    (4, 1e-1, 4.3326e-3, 4.3339e-3),
    (4, 1e3, 15.784, 15.788),
]


# ============================================================================ symbolic
def test_derivation_result_slope_and_limits():
    d = rmtscale.derive(NAME)
    g, L = so.gamma, so.L
    em = d.extras["eta_max"]
    assert sp.simplify(d.result.rhs - 2 * g**2 / (L * (1 + g) ** (2 - 2 / L))) == 0
    assert sp.simplify(g * sp.diff(sp.log(em), g) - d.extras["slope"]) == 0
    assert sp.limit(em / g**2, g, 0) == 2 / L
    assert sp.limit(em / g ** (2 / L), g, sp.oo) == 2 / L
    assert sp.limit(d.extras["slope"], g, 0) == 2
    assert sp.limit(d.extras["slope"], g, sp.oo) == 2 / L
    # sharpness at the zero-loss point = 2 / eta_max; lazy/rich asymptotes
    assert sp.simplify(d.extras["sharpness"] * em - 2) == 0
    assert sp.simplify(d.extras["lr_lazy_asymptote"] - 2 * g**2 / L) == 0
    latex = d.latex()
    assert latex.startswith(r"\begin{align}") and r"\lim" in latex
    assert "symmetric start" in " ".join(d.conventions)
    texts = " ".join(s.text for s in d.steps)
    assert "lazy" in texts and "rich" in texts and "balanced" in texts


def test_derivation_at_fixed_depth():
    d = rmtscale.derive(NAME, depth=2)
    assert sp.simplify(d.result.rhs - so.gamma**2 / (so.gamma + 1)) == 0
    doc = d.latex(document=True)
    assert doc.count(r"\begin{document}") == 1 and "L = 2" in doc


def test_hessian_at_zero_loss_is_rank_one_depth4():
    """Independent of the derivation's own depth-3 check: depth 4, symmetric solution."""
    a = sp.symbols("a1:5", positive=True)
    g = sp.Rational(3, 7)
    f = (a[0] * a[1] * a[2] * a[3] - 1) / g
    H = sp.hessian((f - 1) ** 2 / 2, a)
    astar = (1 + g) ** sp.Rational(1, 4)
    Hs = H.subs({x: astar for x in a})
    lam = max(sp.N(e) for e in Hs.eigenvals())
    assert float(lam) == pytest.approx(float(so.sharpness_expr(4, g)), rel=1e-12)


# ============================================================================ solver
def test_solver_matches_formula_and_note_numbers():
    for L, g, _, ref in TABLE:
        v = rmtscale.solve(NAME, gamma=g, depth=L)
        assert v["lr"] == pytest.approx(formula(g, L), rel=1e-13)
        assert v["lr"] == pytest.approx(ref, rel=1e-4)  # the table's formula column
    assert rmtscale.solve(NAME, gamma=0.01, depth=3)["slope"] == pytest.approx(1.9868, abs=1e-4)
    assert rmtscale.solve(NAME, gamma=1e4, depth=3)["slope"] == pytest.approx(0.6668, abs=1e-4)
    for L, s in ((2, 1.010), (3, 0.680), (4, 0.515)):
        assert rmtscale.solve(NAME, gamma=100, depth=L)["slope"] == pytest.approx(s, abs=1e-3)
    # the note's fitted slopes are least squares on one point per decade
    for L, s_small, s_large in ((2, 1.980, 1.020), (3, 1.973, 0.694), (4, 1.969, 0.531)):
        assert fitted_slope([1e-3, 1e-2, 1e-1], L) == pytest.approx(s_small, abs=1e-3)
        assert fitted_slope([10, 100, 1000], L) == pytest.approx(s_large, abs=1e-3)


def test_solver_arrays_and_asymptotes():
    g = np.logspace(-6, 6, 13)
    v = rmtscale.solve(NAME, gamma=g, depth=4)
    assert isinstance(v["lr"], np.ndarray) and v["lr"].shape == g.shape
    assert np.allclose(v["lr"], formula(g, 4), rtol=1e-13)
    assert np.allclose(v["slope"], 2 - 1.5 * g / (1 + g), rtol=1e-13)
    assert v["lr"][0] / v["lr_lazy_asymptote"][0] == pytest.approx(1, abs=1e-5)
    assert v["lr"][-1] / v["lr_rich_asymptote"][-1] == pytest.approx(1, abs=1e-5)
    assert np.allclose(v["sharpness"] * v["lr"], 2.0)
    assert v["slope_lazy"] == 2.0 and v["slope_rich"] == 0.5
    # numerical derivative of ln lr against the slope output
    h = 1e-5
    up = rmtscale.solve(NAME, gamma=g * np.exp(h), depth=4)["lr"]
    dn = rmtscale.solve(NAME, gamma=g * np.exp(-h), depth=4)["lr"]
    assert np.allclose((np.log(up) - np.log(dn)) / (2 * h), v["slope"], atol=1e-6)
    # depth 1: eta_max = 2 gamma^2 exactly, slope 2 everywhere
    v1 = rmtscale.solve(NAME, gamma=[0.1, 10.0], depth=1)
    assert np.allclose(v1["lr"], [0.02, 200.0]) and np.allclose(v1["slope"], 2.0)


def test_solver_equals_its_derivation_at_random_points():
    """The registered check evaluates the derivation's extras with mpmath (30 digits)."""
    from rmtscale.registry import SOLVERS, lookup

    entry = lookup(SOLVERS, "solver", NAME)
    assert entry.derivation == NAME and entry.check is not None
    d = rmtscale.derive(NAME)
    assert d.extras["slope_lazy"] == 2 and sp.simplify(d.extras["slope_rich"] - 2 / so.L) == 0
    for seed in range(3):
        params, expected = entry.check(np.random.default_rng(seed))
        got = rmtscale.solve(NAME, **params)
        assert set(expected) == set(got)
        for key, want in expected.items():
            assert got[key] == pytest.approx(want, rel=entry.check_rtol), key


def test_cli_solve_json():
    res = CliRunner().invoke(main, ["solve", NAME, "gamma=0.01,1,100", "depth=3", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["name"] == NAME and len(out["values"]["lr"]) == 3
    assert out["values"]["slope"][0] == pytest.approx(1.98680, abs=1e-5)


# ============================================================================ scalar chain
@pytest.mark.parametrize("L,g", [(1, 0.3), (2, 1e-3), (3, 1.0), (3, 1e2), (4, 1e3)])
def test_chain_bisection_matches_formula(L, g):
    e = float(dl.chain_eta_max(g, L))
    ref = float(formula(g, L))
    assert e < ref  # stability at the solution is necessary
    assert e == pytest.approx(ref, rel=1e-3)
    # a longer budget resolves the edge better (finite-T bias ~ ln(1/tol)/(2T))
    assert float(dl.chain_eta_max(g, L, steps=200000)) == pytest.approx(ref, rel=1e-4)


def test_chain_reproduces_note_table():
    """The note's criterion (|f - y| < 1e-10 within 2e4 steps): within 5e-4 of its table."""
    for L, g, sim, ref in TABLE:
        e = float(dl.chain_eta_max(g, L, steps=20000, tol=1e-10))
        assert e == pytest.approx(sim, rel=5e-4)
        assert e == pytest.approx(ref, rel=1e-3)


def test_chain_predicate_and_random_start():
    g, L = 10.0, 3
    em = float(formula(g, L))
    assert dl.chain_converges(g, 0.99 * em, L) == 1
    assert dl.chain_converges(g, 1.01 * em, L) != 1
    # random starts (pitfall 9): exponents survive, prefactors change by O(1)
    rng = np.random.default_rng(1)
    a0 = 1 + 0.2 * rng.standard_normal((3, 4))
    gs = np.array([1e-3, 1e-2]), np.array([1e3, 1e4])
    for grid, want in ((gs[0], 2.0), (gs[1], 0.5)):
        e = dl.chain_eta_max(grid, a0=a0, steps=20000, rtol=1e-6)
        assert e.shape == (3, 2)
        assert np.all(np.abs(dl.fit_slopes(grid, e) - want) < 0.05)


# ============================================================================ network
def test_network_update_is_muP_gradient_step():
    """One GD step equals θ − η·r·∇L with r = N (input, readout), 1 (hidden); ∇L by
    central finite differences on a tiny depth-3 network."""
    init = dl.init_networks(1, depth=3, width=3, D=2, seed=7)
    W1, Wh, v, M0 = init.W1[0].copy(), init.Wh[0].copy(), init.v[0].copy(), init.M0[0]
    wbar = np.array([1.0, 0.0])
    g, eta, N = 0.7, 1e-3, 3
    # move away from the init so the gradient is generic
    W1 += 0.1
    v -= 0.2

    def loss(W1_, Wh_, v_):
        M = v_ @ Wh_[0] @ W1_
        e = (M - M0) / (g * N) - wbar
        return 0.5 * e @ e

    def num_grad(arr, fn):
        out = np.zeros_like(arr)
        h = 1e-6
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + h
            lp = fn()
            arr[idx] = old - h
            lm = fn()
            arr[idx] = old
            out[idx] = (lp - lm) / (2 * h)
        return out

    gW1 = num_grad(W1, lambda: loss(W1, Wh, v))
    gWh = num_grad(Wh, lambda: loss(W1, Wh, v))
    gv = num_grad(v, lambda: loss(W1, Wh, v))
    Bv, C, M, e = np.empty((2, N)), np.empty((2, N)), np.empty(2), np.empty(2)
    W1n, Whn, vn = W1.copy(), Wh.copy(), v.copy()
    ell = dl.network._net_loss_e(W1n, Whn, vn, M0, wbar, g, Bv, M, e)
    assert ell == pytest.approx(loss(W1, Wh, v), rel=1e-12)
    dl.network._net_step(W1n, Whn, vn, e, Bv, C, eta, g)
    assert np.allclose(W1n, W1 - eta * N * gW1, atol=1e-9)
    assert np.allclose(Whn, Wh - eta * gWh, atol=1e-9)
    assert np.allclose(vn, v - eta * N * gv, atol=1e-9)


def test_network_init_streams_and_reproducibility():
    a = dl.init_networks(4, depth=3, width=8, D=2, seed=11)
    b = dl.init_networks(2, depth=3, width=8, D=2, seed=11, run_offset=2)
    for x, y in ((a.W1, b.W1), (a.Wh, b.Wh), (a.v, b.v), (a.M0, b.M0)):
        assert np.array_equal(x[2:], y)
    # initial NTK: about (1 + (L - 1)/D) / gamma^2 at large width (input layer 1, readout
    # and each hidden layer 1/D)
    big = dl.init_networks(2, depth=3, width=512, D=2, seed=3)
    assert np.all(np.abs(big.kappa0 - 2.0) < 0.3)
    r1 = dl.network_eta_max([0.01, 100.0], depth=2, width=8, runs=2, seed=5)
    r2 = dl.network_eta_max([0.01, 100.0], depth=2, width=8, runs=2, seed=5)
    assert np.array_equal(r1.eta, r2.eta)
    assert np.all(r1.eta_hi <= r1.eta * (1 + 1e-2) * (1 + 1e-12))


def test_network_eta_max_is_the_convergence_edge():
    init = dl.init_networks(1, depth=3, width=16, D=2, seed=2)
    for g in (0.01, 300.0):
        r = dl.network_eta_max([g], depth=3, width=16, init=init, rtol=1e-3)
        em = float(r.eta[0, 0])
        for fac, ok in ((0.5, True), (0.9, True), (1.0, True), (1.1, False), (2.0, False)):
            loss = dl.train_network(g, fac * em, steps=2000, init=init)[0]
            converged = np.sqrt(2 * loss.min()) < 1e-6 and np.nanmax(loss) <= 0.5 * (1 + 1e-9)
            assert converged == ok, (g, fac)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_network_sweep_recovers_both_slopes(L):
    small, large = np.array([1e-2, 3.162e-2, 1e-1]), np.array([1e2, 316.2, 1e3])
    tiny = np.array([1e-3, 3.162e-3, 1e-2])
    res = dl.network_eta_max(np.concatenate([tiny, small, large]), depth=L, width=16, runs=4)
    s_tiny = dl.fit_slopes(tiny, res.eta[:, :3]).mean()
    s_small = dl.fit_slopes(small, res.eta[:, 3:6]).mean()
    s_large = dl.fit_slopes(large, res.eta[:, 6:]).mean()
    assert abs(s_tiny - 2) < 0.05
    assert abs(s_small - 2) < 0.15
    assert abs(s_large - 2 / L) < 0.15
    assert abs(s_large - 2 / L) < 0.02  # in fact much closer


# ============================================================================ claim
def test_claim_passes_and_fails_when_perturbed():
    kw = dict(width=16, seeds=4, backend="cpu", progress=False)
    rep = rmtscale.validate(NAME, **kw)
    assert rep.passed, rep.to_dict()
    d = rep.to_dict()
    by = {c["observable"]: c for c in d["cases"]}
    assert by["slope_small"]["theory"] == 2.0
    assert by["slope_large"]["theory"] == pytest.approx(2 / 3)
    assert abs(by["slope_large"]["mean"] - 2 / 3) < 0.02
    for eps in (0.15, -0.15):
        assert not rmtscale.validate(NAME, perturb=eps, **kw).passed
    assert rmtscale.validate(NAME, depth=2, **kw).passed


def test_claim_listed_and_cli_json():
    assert NAME in rmtscale.claims()
    res = CliRunner().invoke(
        main,
        ["validate", NAME, "width=8", "depth=2", "--seeds", "3", "--backend", "cpu", "--json"],
    )
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["passed"] is True and len(rep["cases"]) == 2


# ============================================================================ bad input
def test_bad_input_names_the_parameter():
    for kw, name in (
        ({"gamma": 0.0}, "gamma"),
        ({"gamma": -1.0}, "gamma"),
        ({"gamma": [0.1, -2.0]}, "gamma"),
        ({"depth": 0}, "depth"),
        ({"depth": 2.5}, "depth"),
        ({"depth": "x"}, "depth"),
    ):
        with pytest.raises(ParameterError, match=f"'{name}'"):
            rmtscale.solve(NAME, **kw)
    with pytest.raises(ParameterError, match="'depth'"):
        rmtscale.derive(NAME, depth=0)
    with pytest.raises(ParameterError, match="'depth'"):
        rmtscale.validate(NAME, depth=1, seeds=2)
    with pytest.raises(ParameterError, match="'gammas_small'"):
        rmtscale.validate(NAME, gammas_small=[0.01, 0.01], seeds=2)
    with pytest.raises(ParameterError, match="'gammas_large'"):
        rmtscale.validate(NAME, gammas_large=[100.0, -1.0], seeds=2)
    with pytest.raises(ParameterError, match="'gamma'"):
        dl.chain_eta_max(0.0, 2)
    with pytest.raises(ParameterError, match="'depth'"):
        dl.chain_eta_max(1.0, 0)
    with pytest.raises(ParameterError, match="'width'"):
        dl.network_eta_max([1.0], depth=2, width=0)
    with pytest.raises(ParameterError, match="'depth'"):
        dl.network_eta_max([1.0], depth=1, width=4)
    res = CliRunner().invoke(main, ["solve", NAME, "gamma=0"])
    assert res.exit_code != 0 and "gamma" in res.output
