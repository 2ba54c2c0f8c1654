"""Scaling exponents: symbolic tables, regime classification, solver, slope claims.

Reference numbers: the theory note on dynamics and exponents, §2.6 (feature-learning
exponents, exact) and §8.6 (PPXP phases). The slope claims fit the compiled numeric theory
over >= 3 decades; they are deterministic claims (rmtscale.validate.deterministic): each must
pass and must fail when its exponent is shifted by +-0.05.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

import rmtscale
from rmtscale.cli import main
from rmtscale.errors import ParameterError
from rmtscale.numeric import scaling_curves as C
from rmtscale.symbolic import exponents as ex
from rmtscale.validate.claims import get_claim
from rmtscale.validate.deterministic import (
    DeterministicReport,
    run_deterministic,
    window_offsets,
    window_slopes,
)

# ------------------------------------------------------------------ note §2.6 (exact)
# (alpha, beta, regime, chi lazy, chi rich, N* lazy, N* rich, t* lazy, t* rich, L* lazy, L* rich)
TABLE_26 = [
    (F(3, 2), F(1, 2), "hard", F(1, 2), F(2, 3), F(2, 5), F(8, 17), F(3, 5), F(9, 17),
     F(3, 10), F(6, 17)),
    (F(2), F(1, 4), "hard", F(1, 4), F(2, 5), F(1, 3), F(4, 9), F(2, 3), F(5, 9), F(1, 6),
     F(2, 9)),
    (F(2), F(3, 5), "hard", F(3, 5), F(3, 4), F(1, 3), 0.3846, F(2, 3), 0.6154, F(2, 5), 0.4615),
    (F(6, 5), F(9, 10), "hard", F(9, 10), 0.9474, 0.4545, 0.4673, 0.5455, 0.5327, 0.4909,
     0.5047),
    (F(3, 2), F(6, 5), "easy", F(6, 5), F(6, 5), F(13, 28), F(13, 28), F(15, 28), F(15, 28),
     F(9, 14), F(9, 14)),
    (F(2), F(3), "super-easy", F(3), F(3), F(1, 2), F(1, 2), F(1, 2), F(1, 2), F(3, 4),
     F(3, 4)),
]  # fmt: skip
KEYS_26 = (
    "time_exponent_lazy",
    "time_exponent_rich",
    "width_share_lazy",
    "width_share_rich",
    "time_share_lazy",
    "time_share_rich",
    "compute_exponent_lazy",
    "compute_exponent_rich",
)


def _same(value, want) -> None:
    if isinstance(want, F):
        assert value == sp.Rational(want.numerator, want.denominator), (value, want)
    else:  # the note prints 4 decimals
        assert abs(float(value) - want) <= 5e-5, (value, want)


@pytest.mark.parametrize("row", TABLE_26, ids=[f"a={r[0]},b={r[1]}" for r in TABLE_26])
def test_table_26_exact(row) -> None:
    a, b, regime, *vals = row
    sub = {ex.alpha: sp.Rational(a.numerator, a.denominator),
           ex.beta: sp.Rational(b.numerator, b.denominator)}  # fmt: skip
    expos = ex.exponents()
    for key, want in zip(KEYS_26, vals):
        _same(sp.nsimplify(expos[key].subs(sub)), want)
    c = ex.classify(float(a), float(b))
    assert c["regime"] == regime
    for key, want in zip(KEYS_26, vals):
        assert abs(c[key] - float(want)) <= 5e-5, key


# ------------------------------------------------------------------ note §8.6 (PPXP)
# (alpha_P, beta_P, phase, d* exponent, |P* exponent|, canonical alpha, beta)
TABLE_86 = [
    (0.7, 0.3, "Ia", 0.4167, 0.4167, 1.4, 0.714),
    (0.7, 0.6, "II", 0.4615, 0.6154, 1.4, 1.143),
    (0.7, 1.0, "III", 0.5, 0.6429, 1.4, 1.714),
    (1.0, 0.25, "Ia", 0.3333, 0.5, 2.0, 0.75),
    (1.0, 0.75, "II", 0.4286, 0.7143, 2.0, 1.25),
    (1.0, 1.5, "III", 0.5, 0.75, 2.0, 2.0),
]


@pytest.mark.parametrize("row", TABLE_86, ids=[f"aP={r[0]},bP={r[1]}" for r in TABLE_86])
def test_table_86_ppxp(row) -> None:
    aP, bP, phase, dstar, pstar, a, b = row
    v = rmtscale.solve("scaling.ppxp", alpha_P=aP, beta_P=bP)
    assert v["ppxp_phase"] == phase
    assert abs(v["alpha"] - a) < 1e-12 and abs(v["beta"] - b) < 5e-4
    assert abs(v["d_share"] - dstar) < 5e-5 and abs(v["loss_exponent"] - pstar) < 5e-5
    # PPXP's own table (note §8.5) in PPXP units agrees exactly
    ds, ps = ex.PPXP_TABLE[phase]
    sub = {ex.alpha_P: sp.nsimplify(aP), ex.beta_P: sp.nsimplify(bP)}
    assert abs(float(ds.subs(sub)) - dstar) < 5e-5 and abs(float(ps.subs(sub)) - pstar) < 5e-5
    assert ex.to_ppxp(*ex.from_ppxp(aP, bP)) == pytest.approx((aP, bP))


def test_ppxp_phases_equal_lazy_regimes_symbolically() -> None:
    d = rmtscale.derive("scaling.ppxp")
    conv = ex.canonical_from_ppxp()
    lazy = ex.compute_optimal_pieces("lazy")
    for reg, ph in ex.PPXP_PHASE.items():
        ds, ps = ex.PPXP_TABLE[ph]
        assert sp.simplify(lazy["width_share"][reg].subs(conv) - ds) == 0
        assert sp.simplify(lazy["compute"][reg].subs(conv) - ps) == 0
    assert "begin{align}" in d.latex()


# ------------------------------------------------------------------ symbolic forms
def test_symbolic_exponent_formulas() -> None:
    a, b = ex.alpha, ex.beta
    e = ex.exponents()
    checks = {
        "ridge_data_exponent": a * sp.Min(b, 2),
        "ridge_lambda_exponent": sp.Min(b, 2),
        "width_exponent": a * sp.Min(b, 1),  # the corrected min(a-1, b) of note §3.4
        "data_exponent": a * sp.Min(b, 2),
        "time_exponent_lazy": b,
        "time_exponent_rich": b * sp.Max(1, 2 / (1 + b)),
        "sgd_noise_exponent": 2 - 1 / a,
        "optimal_ridge_exponent": a / (a * sp.Min(b, 2) + 1),
        "optimal_ridge_error_exponent": a * sp.Min(b, 2) / (a * sp.Min(b, 2) + 1),
    }
    for av in (sp.Rational(11, 10), sp.Rational(3, 2), 2, sp.Rational(7, 2)):
        for bv in (sp.Rational(1, 10), sp.Rational(1, 2), 1, sp.Rational(3, 2), 2, 5):
            sub = {a: av, b: bv}
            for key, want in checks.items():
                assert sp.simplify(e[key].subs(sub) - want.subs(sub)) == 0, (key, av, bv)
    assert isinstance(e["compute_exponent_lazy"], sp.Piecewise)


def test_mode_sum_lemma_saturation() -> None:
    """min(beta, n): n = 2 (ridge), 1 (projection), oo (gradient flow)."""
    y, a, b = ex.y, ex.alpha, ex.beta
    for h, n in ((y**2 / (1 + y) ** 2, 2), (y / (1 + y), 1)):
        r = ex.mode_sum(a * b + 1, h, ex.SAMPLES_HARD)
        assert r["n"] == n
        assert r["exponent"].subs(b, sp.Rational(1, 2)) == sp.Rational(1, 2)
        assert r["exponent"].subs(b, 7) == n
    r = ex.mode_sum(a * b + 1, sp.exp(-2 / y), ex.SAMPLES_ALL)
    assert r["n"] is sp.oo and r["exponent"] == b
    # Df1 ~ kappa^(-1/alpha) with prefactor (pi/alpha)/sin(pi/alpha)
    r = ex.mode_sum(sp.Integer(0), 1 / (1 + y), ex.SAMPLES_ALL)
    assert sp.simplify(r["exponent"] + 1 / a) == 0
    c = float(r["prefactor"].subs(a, 1.5))
    assert c == pytest.approx((math.pi / 1.5) / math.sin(math.pi / 1.5), rel=1e-12)


@pytest.mark.parametrize(
    "name",
    [
        "scaling.ridge",
        "scaling.random_features",
        "scaling.dynamics",
        "scaling.compute_optimal",
        "scaling.feature_learning",
        "scaling.ppxp",
        "scaling.regime",
    ],
)
def test_derivations_build_and_render(name: str) -> None:
    d = rmtscale.derive(name)
    assert d.name == name and len(d.steps) >= 4
    tex = d.latex(document=True)
    assert tex.count(r"\begin{align}") == 1 and r"\end{document}" in tex
    assert d.result is not None and d.extras["exponents"]
    # with numbers, every exponent is a number (parameters left out stay symbolic)
    num = rmtscale.derive(name, alpha=1.5, beta=0.5)
    for v in num.extras["exponents"].values():
        assert not (v.free_symbols & {ex.alpha, ex.beta})
    assert num.params == {"alpha": 1.5, "beta": 0.5}


def test_derived_values_with_parameters() -> None:
    co = rmtscale.derive("scaling.compute_optimal", alpha=1.5, beta=0.5).extras["exponents"]
    assert co["width_share_rich"] == sp.Rational(8, 17)
    assert co["compute_rich"] == sp.Rational(6, 17)
    rg = rmtscale.derive("scaling.ridge", alpha=2, beta=3, ell=1).extras["exponents"]
    assert rg["data"] == 4 and rg["lambda"] == 2 and rg["schedule"] == 2
    assert rg["noise"] == sp.Rational(1, 2) and rg["optimal_error"] == sp.Rational(4, 5)
    rf = rmtscale.derive("scaling.random_features", alpha=2, beta=1.5).extras["exponents"]
    assert rf["width"] == 2 and rf["data"] == 3 and rf["crossover"] == sp.Rational(1, 2)
    fl = rmtscale.derive("scaling.feature_learning", alpha=2, beta=0.6).extras["exponents"]
    assert fl["time_rich"] == sp.Rational(3, 4) and fl["norm_growth"] == sp.Rational(2, 5)


def test_rich_moves_compute_toward_width() -> None:
    for a in (1.2, 1.5, 2.0, 3.0):
        for b in (0.1, 0.5, 0.9):
            c = ex.classify(a, b)
            assert c["width_share_rich"] > c["width_share_lazy"]
            assert c["compute_exponent_rich"] > c["compute_exponent_lazy"]
            assert c["time_exponent_rich"] > c["time_exponent_lazy"]


# ------------------------------------------------------------------ classification
@pytest.mark.parametrize(
    "a,b,regime,boundary",
    [
        (1.5, 0.5, "hard", "none"),
        (1.5, 0.999999, "hard", "none"),
        (1.5, 1.0, "easy", "beta=1"),
        (1.5, 1.2, "easy", "none"),
        (1.5, 4 / 3, "super-easy", "beta=2-1/alpha"),
        (1.5, 1.3333333333, "super-easy", "beta=2-1/alpha"),  # typed decimals snap
        (1.5, 1.3334, "super-easy", "none"),
        (2.0, 1.5, "super-easy", "beta=2-1/alpha"),
        (2.0, 1.4999, "easy", "none"),
        (1.01, 1.005, "easy", "none"),
        (4.0, 50.0, "super-easy", "none"),
    ],
)
def test_regime_classification(a, b, regime, boundary) -> None:
    c = ex.classify(a, b)
    assert (c["regime"], c["boundary"]) == (regime, boundary)
    assert c["ppxp_phase"] == ex.PPXP_PHASE[regime]
    assert c["in_rkhs"] == (b > 1)


@pytest.mark.parametrize("a", [1.2, 1.5, 2.0, 3.0])
def test_boundaries_are_continuous(a: float) -> None:
    for edge in (1.0, 2 - 1 / a):
        on, lo, hi = ex.classify(a, edge), ex.classify(a, edge - 1e-7), ex.classify(a, edge + 1e-7)
        assert lo["regime"] != hi["regime"]
        for key, v in on.items():
            if isinstance(v, float):
                assert abs(lo[key] - v) < 1e-5 and abs(hi[key] - v) < 1e-5, key
    assert ex.classify(a, 2 - 1 / a)["width_share_lazy"] == pytest.approx(0.5)


def test_classify_matches_piecewise_and_regime_code() -> None:
    e = ex.exponents()
    rng = np.random.default_rng(0)
    for _ in range(40):
        a, b = 1 + 3 * rng.random() + 1e-3, 4 * rng.random() + 1e-3
        c = ex.classify(a, b)
        code = int(ex.regime_code(a, b))
        assert ex.REGIMES[code] == c["regime"]
        for key in ("compute_exponent_lazy", "width_share_rich", "rf_crossover_exponent"):
            want = float(e[key].subs({ex.alpha: sp.Float(a, 30), ex.beta: sp.Float(b, 30)}))
            assert c[key] == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    "a,b,name",
    [
        (1.0, 0.5, "alpha"),
        (0.5, 0.5, "alpha"),
        (2.0, 0.0, "beta"),
        (2.0, -1.0, "beta"),
        (float("nan"), 0.5, "alpha"),
        (2.0, float("inf"), "beta"),
    ],
)
def test_bad_inputs(a, b, name) -> None:  # fmt: skip
    with pytest.raises(ParameterError) as e:
        ex.classify(a, b)
    assert e.value.name == name
    with pytest.raises(ParameterError) as e:
        rmtscale.solve("scaling.regime", alpha=a, beta=b)
    assert e.value.name == name


# ------------------------------------------------------------------ solver / CLI
def test_cli_solve_regime_json() -> None:
    res = CliRunner().invoke(main, ["solve", "scaling.regime", "alpha=1.5", "beta=0.5", "--json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["name"] == "scaling.regime" and obj["params"] == {"alpha": 1.5, "beta": 0.5}
    v = obj["values"]
    assert v["regime"] == "hard"
    want = {
        "time_exponent_lazy": 0.5,
        "time_exponent_rich": 2 / 3,
        "compute_exponent_lazy": 0.3,
        "compute_exponent_rich": 6 / 17,
        "width_share_lazy": 0.4,
        "width_share_rich": 8 / 17,
        "time_share_lazy": 0.6,
        "time_share_rich": 9 / 17,
        "width_exponent": 0.75,
        "data_exponent": 0.75,
    }
    for k, w in want.items():
        assert v[k] == pytest.approx(w, abs=1e-12), k
    res = CliRunner().invoke(main, ["solve", "scaling.regime", "alpha=1", "beta=0.5"])
    assert res.exit_code == 2 and "alpha" in res.stderr and "> 1" in res.stderr
    res = CliRunner().invoke(main, ["solve", "scaling.regime", "alpha=2", "beta=-1", "--json"])
    assert res.exit_code == 2 and res.stdout == "" and "beta" in res.stderr


# ------------------------------------------------------------------ slope claims
CLAIM_CASES = [
    ("scaling.ridge_data_exponent", {}),
    ("scaling.ridge_data_exponent", {"alpha": 3.0, "beta": 3.0}),  # saturation: 2 alpha = 6
    ("scaling.ridge_optimal_exponent", {}),
    ("scaling.rf_width_exponent", {}),
    ("scaling.rf_width_exponent", {"alpha": 3.0, "beta": 1.5}),  # alpha, not alpha beta or 2a
    ("scaling.time_exponent", {}),
    ("scaling.time_exponent", {"alpha": 2.0, "beta": 3.0, "t0": 1.0}),  # no saturation
    ("scaling.rich_time_exponent", {}),
    ("scaling.compute_exponent", {}),
    ("scaling.ridge_lambda_exponent", {}),
    ("scaling.ridge_lambda_exponent", {"alpha": 2.0, "beta": 3.0}),  # saturation: min(beta,2)
    ("scaling.rf_data_exponent", {}),
    ("scaling.sgd_noise_exponent", {}),
]


def judge(name: str, perturb: float = 0.0, **params) -> DeterministicReport:
    return run_deterministic(get_claim(name), params, perturb=perturb, progress=False)


@pytest.mark.parametrize(
    "name,params", CLAIM_CASES, ids=[f"{n}{sorted(p.items())}" for n, p in CLAIM_CASES]
)
def test_slope_claim_passes_and_fails_when_perturbed(name: str, params: dict) -> None:
    assert get_claim(name).kind == "deterministic"
    rep = judge(name, **params)
    assert rep.passed, rep.table()
    for c in rep.cases:
        assert abs(c.mean - c.theory) < 0.02, (c.observable, c.mean, c.theory)
        assert c.stderr is None and c.z is None and len(c.values) == 8
    assert all(d.passed and d.drift <= 0.04 for d in rep.drifts), rep.table()
    for eps in (0.05, -0.05):  # the measurement is cached: only the theory moves
        bad = judge(name, perturb=eps, **params)
        assert not bad.passed, (eps, bad.table())
        assert [c.mean for c in bad.cases] == [c.mean for c in rep.cases]
        assert all(d.passed for d in bad.drifts)  # a wrong exponent is not a drift


def test_validate_dispatches_slope_claims_to_the_deterministic_verdict() -> None:
    rep = rmtscale.validate("scaling.time_exponent", progress=False)
    assert isinstance(rep, DeterministicReport) and rep.passed
    d = json.loads(rep.to_json())
    assert d["name"] == "scaling.time_exponent" and d["passed"] is True
    case = d["cases"][0]
    assert {"params", "theory", "mean", "stderr", "z", "deviation", "tolerance"} <= set(case)
    assert case["stderr"] is None and case["z"] is None
    assert not rmtscale.validate("scaling.time_exponent", perturb=0.05, progress=False).passed


def test_rf_width_exponent_is_not_the_paper_formula() -> None:
    """Note §3.4: for beta > 1 the width exponent is alpha, not min(alpha beta, 2 alpha)."""
    rep = judge("scaling.rf_width_exponent", alpha=3.0, beta=1.5)
    assert abs(rep.cases[0].mean - 3.0) < 0.02 and abs(rep.cases[0].mean - 4.5) > 1


def test_slope_windows_and_cache_are_deterministic() -> None:
    off = window_offsets(5, 0.5)
    assert off[0] == 0 and off[-1] == 0.5 and np.all(np.diff(off) > 0)
    x = np.logspace(0, 4, 41)
    s = window_slopes(x, 3 * x**-1.7, 1.0, 3.0, off)
    assert np.allclose(s, -1.7, atol=1e-10)
    a = judge("scaling.time_exponent").to_dict()
    b = judge("scaling.time_exponent").to_dict()
    a.pop("elapsed_s"), b.pop("elapsed_s")
    assert a == b and json.loads(json.dumps(a)) == a


def test_rich_curve_lazy_limit_and_first_integral() -> None:
    t, L, q = C.rich_curve(2.0, 0.6, 0.0, 20000, tau_max=1e3)
    assert np.allclose(q, 0) and np.allclose(t, np.logspace(-4, 3, t.size), rtol=1e-12)
    _, _, q1 = C.rich_curve(2.0, 0.6, 1.0, 20000, tau_max=1e3)
    assert np.all(np.diff(q1) >= 0) and q1[0] < 1e-3


def test_rf_width_curve_is_the_rf_gd_projection_error() -> None:
    """rf_theory at P = oo, lambda = 0 equals rf_gd's t = oo loss (the projection error)."""
    from rmtscale import spectra
    from rmtscale.numeric.rf_gd import rf_gd_learning_curve

    s = spectra.power_law(2.0, 0.75, 3000)
    Ns = np.array([10.0, 40.0, 160.0])
    E = C.rf_width_curve(2.0, 0.75, 3000, Ns)
    ref = [rf_gd_learning_curve(s, N=int(n), times=[0.0], flow=True).loss_inf for n in Ns]
    assert np.allclose(E, ref, rtol=1e-9)


def test_ridge_lambda_curve_is_the_population_bias() -> None:
    """At P = oo, kappa = lambda and E_g = sum lambda_k wbar_k^2 lambda^2/(lambda_k + lambda)^2."""
    from rmtscale import spectra

    s = spectra.power_law(2.0, 0.75, 3000)
    lams = np.array([1e-4, 1e-3, 1e-2])
    E = C.ridge_lambda_curve(2.0, 0.75, 3000, lams)
    lk, p = s.eigenvalues, s.target_power
    ref = [float(np.sum(p * lam**2 / (lk + lam) ** 2)) for lam in lams]
    assert np.allclose(E, ref, rtol=1e-6)


def test_sgd_noise_curve_vanishes_for_huge_batch_and_needs_beta_above_one() -> None:
    y = C.sgd_noise_curve(2.0, 3.0, 500, np.array([10.0, 100.0]), 0.5, 10**9)
    assert np.all(np.abs(y) < 1e-9)
    with pytest.raises(ParameterError) as e:
        judge("scaling.sgd_noise_exponent", beta=0.75)
    assert e.value.name == "beta"


# ------------------------------------------------------------------ derivation <-> solver
@pytest.mark.parametrize("name", ["scaling.regime", "scaling.ppxp"])
def test_solver_equals_its_derivation_at_random_points(name: str) -> None:
    """The registered check evaluates the derivation's sympy table with mpmath (30 digits)."""
    from rmtscale.registry import SOLVERS, lookup

    entry = lookup(SOLVERS, "solver", name)
    assert entry.derivation == name and entry.check is not None
    for seed in range(3):
        params, expected = entry.check(np.random.default_rng(seed))
        got = rmtscale.solve(name, **params)
        assert len(expected) >= 26
        for key, want in expected.items():
            assert got[key] == pytest.approx(want, rel=entry.check_rtol, abs=1e-300), key


def test_regime_derivation_carries_the_solver_table() -> None:
    d = rmtscale.derive("scaling.regime")
    assert set(d.extras["table"]) == set(ex.exponents())
    num = rmtscale.solve("scaling.regime", alpha=1.5, beta=0.5)
    for key, expr in d.extras["table"].items():
        sub = {ex.alpha: sp.Rational(3, 2), ex.beta: sp.Rational(1, 2)}
        assert num[key] == pytest.approx(float(expr.subs(sub)), rel=1e-14), key
    conv = rmtscale.derive("scaling.ppxp").extras["canonical"]
    assert conv == ex.canonical_from_ppxp()


def test_slope_claims_are_deterministic_and_optimal_lr_statistical() -> None:
    slope = [n for n in rmtscale.claims() if n.startswith("scaling.") and n.endswith("exponent")]
    assert len(slope) == 9
    for n in slope:
        c = get_claim(n)
        assert c.kind == "deterministic" and c.describe()["kind"] == "deterministic"
        json.dumps(c.describe())
    assert get_claim("scaling.optimal_lr").kind == "statistical"
