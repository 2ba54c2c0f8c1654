"""Random features on grids: anisotropic weights (note §9.3), continuation, deep fan-in layers.

(a) anisotropic weights F = Z Σ_F^{1/2}/√D on (P, N, λ) grids vs the scalar brentq reference,
    mpmath (30 digits; both in tests/oracles) and the isotropic solver; the
    ``rf.kappa_anisotropic`` derivation;
(b) warm-started continuation: the same answers as cold starts, fewer Newton iterations;
(c) deep random features with layer variance 1/N_{l-1} (``layer_norm="fan_in"``, note §9.1).
"""

import numpy as np
import pytest
import sympy as sp
from oracles.random_features import anisotropic_mp, rf_structured_brentq

import rmtscale
from rmtscale.numeric.kappa import continuation_lines as _lines
from rmtscale.numeric.random_features import deep_rf_theory, rf_structured_theory, rf_theory
from rmtscale.spectra import isotropic, power_law
from rmtscale.symbolic import random_features as RF
from rmtscale.symbolic import ridge as R

# quantities with no cancellation: compared relative to themselves
PLAIN = ("kappa1", "kappa2", "df1", "df2", "gamma1", "gamma2", "rho", "bias2", "var_x",
         "var_f", "var_xe", "test_error", "train_error")  # fmt: skip
# differences of O(E_g) terms: compared relative to E_g
DIFFS = ("var_xf", "var_xfe")


def _agree(got: dict, ref: dict, rtol: float, keys=PLAIN) -> None:
    for k in keys:
        np.testing.assert_allclose(got[k], ref[k], rtol=rtol, atol=0, err_msg=k)
    scale = np.max(np.abs(ref["test_error"]))
    for k in DIFFS:
        np.testing.assert_allclose(got[k], ref[k], rtol=0, atol=rtol * scale, err_msg=k)


# ------------------------------------------------------------------ (a) anisotropic weights


def test_case_14b_on_a_grid_matches_note_and_brentq():
    s = isotropic(400, 1.0)
    eF = np.arange(1, 301) ** -0.7
    # the note's point sits inside a (P, ridge) grid solved with continuation
    r = rf_structured_theory(
        s.eigenvalues, s.target_power, np.array([100.0, 200.0, 300.0])[:, None], eF,
        np.array([0.005, 0.02, 0.08])[None, :], noise=0.2,
    )  # fmt: skip
    assert r["test_error"].shape == (3, 3) and r["converged"].all()
    at = {k: v[1, 1] for k, v in r.items()}
    note = dict(kappa1=0.045428933, kappa2=2.5730114, test_error=0.92748841,
                train_error=0.21852796)  # fmt: skip
    for k, v in note.items():
        assert float(at[k]) == pytest.approx(v, rel=2e-8), k
    ref = rf_structured_brentq(s.eigenvalues, s.target_power, 200, eF, 0.02, noise=0.2)
    _agree(at, ref, 1e-9, PLAIN + ("kappa_F",))


@pytest.mark.parametrize("seed", range(3))
def test_random_grids_match_the_brentq_reference(seed):
    rng = np.random.default_rng(700 + seed)
    D = int(rng.integers(40, 150))
    eta = np.exp(rng.uniform(-5, 1, D))
    power = np.exp(rng.uniform(-4, 0, D))
    eF = np.exp(rng.uniform(-4, 0, 120))  # width N uses the first N entries
    Ps = np.sort(rng.integers(10, 2 * D, 3)).astype(float)
    Ns = np.sort(rng.choice(np.arange(5, 121), 3, replace=False)).astype(float)
    lams = np.sort(10 ** rng.uniform(-5, 0, 3))
    G = np.meshgrid(Ps, Ns, lams, indexing="ij")
    r = rf_theory(eta, power, *G, noise=0.1, feature_spectrum=eF)
    assert r["converged"].all()
    for idx in np.ndindex(G[0].shape):
        P, N, lam = (float(g[idx]) for g in G)
        ref = rf_structured_brentq(eta, power, P, eF[: int(N)], lam, noise=0.1)
        _agree({k: v[idx] for k, v in r.items()}, ref, 1e-9, PLAIN + ("kappa_F",))


def test_identity_weights_equal_the_isotropic_solver_on_a_grid():
    s = power_law(1.5, 0.8, 300)
    G = np.meshgrid([60.0, 150.0, 500.0], [40.0, 200.0, 700.0], [0.0, 1e-4, 0.01, 1.0],
                    indexing="ij")  # fmt: skip
    a = rf_theory(s.eigenvalues, s.target_power, *G, noise=0.1, feature_spectrum=np.ones(700))
    b = rf_theory(s.eigenvalues, s.target_power, *G, noise=0.1)
    fin = np.isfinite(b["test_error"])  # P = N ridgeless: E_g = inf in both
    assert np.array_equal(fin, np.isfinite(a["test_error"])) and fin.sum() >= 30
    for k in PLAIN:
        np.testing.assert_allclose(a[k][fin], b[k][fin], rtol=1e-9, atol=0, err_msg=k)
    for k in DIFFS:
        np.testing.assert_allclose(
            a[k][fin], b[k][fin], rtol=0, atol=1e-9 * b["test_error"][fin].max(), err_msg=k
        )
    # and Σ_F = I solves kappa_F = (N - Df1)/Df1
    kF = (G[1] - a["df1"]) / a["df1"]
    pos = (G[2] > 0) & fin
    np.testing.assert_allclose(a["kappa_F"][pos], kF[pos], rtol=1e-9)


@pytest.mark.parametrize(("D", "N", "P"), [(40, 30, 25), (30, 20, 60), (40, 60, 80)])
def test_nested_equations_match_mpmath(D, N, P):
    # P-limited edge, width-limited edge, no edge (D < min(P, N))
    rng = np.random.default_rng(D + N + P)
    eta = np.exp(rng.uniform(-4, 1, D))
    power = np.exp(rng.uniform(-4, 0, D))
    eF = np.exp(rng.uniform(-3, 0, N))
    lam = float(10 ** rng.uniform(-4, -1))
    k2, k1, kF = anisotropic_mp(eta, eF, P, lam)
    r = rf_theory(eta, power, P, N, lam, feature_spectrum=eF)
    assert float(r["kappa2"]) == pytest.approx(float(k2), rel=1e-9)
    assert float(r["kappa1"]) == pytest.approx(float(k1), rel=1e-9)
    assert float(r["kappa_F"]) == pytest.approx(float(kF), rel=1e-9)


def test_anisotropic_continuation_same_answers_fewer_iterations():
    s = power_law(1.5, 1.6, 500)
    eF = np.arange(1, 801) ** -1.2
    G = np.meshgrid([100.0, 300.0], [200.0, 800.0], np.geomspace(1e-6, 1, 20), indexing="ij")
    warm = rf_theory(s.eigenvalues, s.target_power, *G, feature_spectrum=eF)
    cold = rf_theory(s.eigenvalues, s.target_power, *G, feature_spectrum=eF, continuation=False)
    assert warm["converged"].all() and cold["converged"].all()
    _agree(warm, cold, 1e-12, PLAIN + ("kappa_F",))
    assert warm["iterations"].sum() < 0.85 * cold["iterations"].sum()
    assert warm["feature_iterations"].sum() < cold["feature_iterations"].sum()


def test_anisotropic_ridgeless_limit_is_continuous():
    s = power_law(1.5, 1.6, 400)
    eF = np.arange(1, 1001) ** -0.8
    for P, N in ((300.0, 100.0), (100.0, 300.0), (150.0, 1000.0)):
        a = rf_theory(s.eigenvalues, s.target_power, P, N, 0.0, 0.1, feature_spectrum=eF)
        b = rf_theory(s.eigenvalues, s.target_power, P, N, 1e-13, 0.1, feature_spectrum=eF)
        assert float(a["test_error"]) == pytest.approx(float(b["test_error"]), rel=1e-5)
        assert float(a["train_error"]) == pytest.approx(float(b["train_error"]), abs=1e-9)
    # width-limited (N < P < D): kappa_F = 0, rho = 0, the isotropic closed form (note 8.4)
    a = rf_theory(s.eigenvalues, s.target_power, 300.0, 100.0, 0.0, 0.1, feature_spectrum=eF)
    assert float(a["kappa_F"]) == 0.0 and float(a["rho"]) == 0.0
    iso = rf_theory(s.eigenvalues, s.target_power, 300.0, 100.0, 0.0, 0.1)
    assert float(a["test_error"]) == pytest.approx(float(iso["test_error"]), rel=1e-12)


def test_callable_feature_spectrum_and_bad_input():
    s = isotropic(200, 1.0)
    G = np.meshgrid([80.0, 150.0], [50.0, 120.0], [0.01], indexing="ij")
    # normalized Σ_F (Tr Σ_F = N): not a prefix family, so it is given as a callable
    norm = lambda n: (lambda e: e * n / e.sum())(np.arange(1, n + 1) ** -0.9)  # noqa: E731
    r = rf_theory(s.eigenvalues, s.target_power, *G, feature_spectrum=norm)
    for idx in np.ndindex(G[0].shape):
        P, N, lam = (float(g[idx]) for g in G)
        ref = rf_structured_brentq(s.eigenvalues, s.target_power, P, norm(int(N)), lam)
        assert float(r["test_error"][idx]) == pytest.approx(ref["test_error"], rel=1e-9)
    with pytest.raises(ValueError, match="integer"):
        rf_theory(s.eigenvalues, s.target_power, 80.0, 50.5, 0.01, feature_spectrum=np.ones(60))
    with pytest.raises(ValueError, match="max\\(N\\)"):
        rf_theory(s.eigenvalues, s.target_power, 80.0, 70.0, 0.01, feature_spectrum=np.ones(60))


def test_solve_with_alpha_F_on_grids():
    kw = dict(spectrum="power_law", alpha=1.5, beta=1.6, D=300, noise=0.05, alpha_F=0.7)
    g = rmtscale.solve("rf.test_error", P=[100, 200], N=[50, 150, 400], ridge=[1e-3, 0.1], **kw)
    assert g["test_error"].shape == (2, 3, 2)
    one = rmtscale.solve("rf.test_error", P=200, N=150, ridge=0.1, **kw)
    for k, v in one.items():
        assert g[k][1, 1, 1] == pytest.approx(v, rel=1e-12), k
    with pytest.raises(rmtscale.ParameterError, match="'N'"):
        rmtscale.solve("rf.test_error", N=[50.5, 100], **kw)


def test_kappa_anisotropic_derivation():
    d = rmtscale.derive("rf.kappa_anisotropic")
    assert len(d.steps) >= 8 and "align" in d.latex()
    assert any("Sigma_F" in c or r"\Sigma_F" in c for c in d.conventions)
    expect = RF.kappa2 * (1 - RF.Df1 / R.P) * RF.Df1 / R.D * RF.kappa_F
    assert sp.simplify(d.result.lhs - expect) == 0 and d.result.rhs == R.lam
    # 1/S_FF(df) = df kappa_F(df D/N)
    s_ff = d.extras["s_ff"]
    assert sp.simplify(1 / s_ff - R.df * RF.kappa_F_of(R.df * R.D / RF.N)) == 0
    # the solver's numbers satisfy the derived equations and rho
    s = power_law(1.5, 1.6, 200)
    eF = np.arange(1, 151) ** -0.7
    r = rf_theory(s.eigenvalues, s.target_power, 120.0, 150.0, 0.01, feature_spectrum=eF)
    vals = {RF.kappa2: float(r["kappa2"]), RF.Df1: float(r["df1"]), RF.Df2: float(r["df2"]),
            RF.kappa_F: float(r["kappa_F"]), RF.Df2F: float(r["df2_F"]),
            R.P: 120, R.D: 200}  # fmt: skip
    assert float(d.result.lhs.subs(vals)) == pytest.approx(0.01, rel=1e-10)
    assert float((1 / d.extras["rho_inverse"]).subs(vals)) == pytest.approx(
        float(r["rho"]), rel=1e-10
    )
    dfF1 = np.sum(eF / (eF + float(r["kappa_F"])))
    assert dfF1 == pytest.approx(float(r["df1"]), rel=1e-12)


# ------------------------------------------------------------------ (b) continuation


def test_lines_follow_the_most_varied_parameter():
    Ps, Ns, lams = (a.ravel() for a in np.meshgrid([100.0, 200.0], [50.0], [1.0, 0.1, 0.01],
                                                   indexing="ij"))  # fmt: skip
    order, ptr, x = _lines(Ps, Ns[:, None], lams, True)
    assert list(ptr) == [0, 3, 6]
    for a, b in zip(ptr[:-1], ptr[1:]):
        line = order[a:b]
        assert len(set(Ps[line])) == 1 and list(lams[line]) == sorted(lams[line])
    # one ridge, many N: lines along N
    Ps, Ns, lams = (a.ravel() for a in np.meshgrid([100.0], [400.0, 50.0, 200.0], [0.1],
                                                   indexing="ij"))  # fmt: skip
    order, ptr, x = _lines(Ps, Ns[:, None], lams, True)
    assert list(ptr) == [0, 3] and list(Ns[order]) == [50.0, 200.0, 400.0]
    order, ptr, _ = _lines(Ps, Ns[:, None], lams, False)
    assert list(ptr) == [0, 1, 2, 3]


@pytest.mark.parametrize("deep", [False, True])
def test_continuation_same_answers_fewer_newton_iterations(deep):
    s = power_law(1.5, 0.8, 400)
    P = np.array([50.0, 150.0, 400.0, 900.0])[:, None]
    lam = np.geomspace(1e-7, 1.0, 40)[None, :]
    if deep:
        warm = deep_rf_theory(s.eigenvalues, s.target_power, P, [300.0, 120.0], lam, 0.1)
        cold = deep_rf_theory(s.eigenvalues, s.target_power, P, [300.0, 120.0], lam, 0.1,
                              continuation=False)  # fmt: skip
    else:
        G = np.meshgrid(P.ravel(), [30.0, 200.0, 1000.0], lam.ravel(), indexing="ij")
        warm = rf_theory(s.eigenvalues, s.target_power, *G, noise=0.1)
        cold = rf_theory(s.eigenvalues, s.target_power, *G, noise=0.1, continuation=False)
    assert warm["converged"].all() and cold["converged"].all()
    _agree(warm, cold, 1e-12)
    n_warm, n_cold = int(warm["iterations"].sum()), int(cold["iterations"].sum())
    assert n_warm < 0.8 * n_cold, (n_warm, n_cold)


# ------------------------------------------------------------------ (c) deep, fan-in layers


def test_fan_in_layers_theory_note_case_12():
    s = isotropic(300, 1.0)
    r = deep_rf_theory(s.eigenvalues, s.target_power, 100, [150, 200], 0.05, noise=0.1,
                       layer_norm="fan_in")  # fmt: skip
    assert float(r["kappa2"]) == pytest.approx(2.4459265, rel=1e-7)
    assert float(r["kappa1"]) == pytest.approx(0.38637833, rel=1e-7)
    assert float(r["test_error"]) == pytest.approx(1.8487272, rel=1e-7)
    # = the 1/D model at ridge lambda N1/D, with kappa_1 scaled by D/N1; shallow: no change
    d = deep_rf_theory(s.eigenvalues, s.target_power, 100, [150, 200], 0.05 * 150 / 300, 0.1)
    assert float(r["test_error"]) == pytest.approx(float(d["test_error"]), rel=1e-13)
    assert float(r["kappa1"]) == pytest.approx(float(d["kappa1"]) * 300 / 150, rel=1e-13)
    one = deep_rf_theory(s.eigenvalues, s.target_power, 100, [150], 0.05, layer_norm="fan_in")
    assert float(one["kappa1"]) == float(deep_rf_theory(s.eigenvalues, s.target_power, 100,
                                                        [150], 0.05)["kappa1"])  # fmt: skip
    with pytest.raises(ValueError, match="layer_norm"):
        deep_rf_theory(s.eigenvalues, s.target_power, 100, [150], 0.05, layer_norm="N")


def test_fan_in_simulation_matches_theory_directly():
    from rmtscale.simulate import rng_for
    from rmtscale.simulate.random_features import rf_replicate

    s = isotropic(120, 1.0)
    P, widths, lam = 60, [50, 90], 0.05
    runs = [rf_replicate(s.eigenvalues, s.target_power, P, widths, lam, 0.1, rng_for(5, i),
                         layer_norm="fan_in") for i in range(80)]  # fmt: skip
    k1 = np.array([r["kappa1_hat"] for r in runs])
    fan = deep_rf_theory(s.eigenvalues, s.target_power, P, widths, lam, 0.1, layer_norm="fan_in")
    one_over_D = deep_rf_theory(s.eigenvalues, s.target_power, P, widths, lam, 0.1)
    # kappa_1 is self-averaging (a few percent at this size); the 1/D formula is 20% off
    assert k1.mean() == pytest.approx(float(fan["kappa1"]), rel=0.03)
    assert abs(k1.mean() / float(one_over_D["kappa1"]) - 1) > 0.15


FAN_IN = dict(spectrum="isotropic", D=120, widths=[60, 90], P=50, ridge=0.05, noise=0.1,
              layer_norm="fan_in")  # fmt: skip


def test_fan_in_claim_passes():
    assert rmtscale.validate("deep_rf.test_error", seeds=40, **FAN_IN).passed


def test_fan_in_claim_catches_an_error_the_size_of_the_normalization():
    # the 1/D formula is 17% below the fan-in one here; an error of that size is caught
    fan = rmtscale.solve("deep_rf.test_error", **FAN_IN)["test_error"]
    one_over_D = rmtscale.solve("deep_rf.test_error", **{**FAN_IN, "layer_norm": "D"})
    assert one_over_D["test_error"] / fan - 1 < -0.15
    assert not rmtscale.validate("deep_rf.test_error", seeds=20, perturb=0.15, **FAN_IN).passed
    with pytest.raises(rmtscale.ParameterError, match="'layer_norm'"):
        rmtscale.solve("deep_rf.test_error", layer_norm="1/N")
