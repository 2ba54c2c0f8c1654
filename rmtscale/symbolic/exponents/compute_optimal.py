r"""The compute-optimal split of C = N·t: max over the width share of the min over the
bottleneck terms N^-u t^-v (lazy online SGD, gradient flow, rich)."""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

import sympy as sp

from ..derivation import Derivation
from .common import (
    EASY,
    HARD,
    SUPER,
    _base,
    _check,
    _finish,
    _zero,
    alpha,
    beta,
    by_regime,
    chi_expr,
    pmin,
    share,
)


# ================================================================ 4. compute-optimal split
def loss_terms(kind: str) -> dict[str, tuple[sp.Expr, sp.Expr, sp.Expr]]:
    r"""Loss terms N^-u t^-v as {name: (u, v, condition)}: ``kind`` = 'lazy' (online SGD at
    fixed batch), 'rich' (χ(β) in place of β) or 'flow' (gradient flow: no SGD-noise term)."""
    tx = chi_expr() if kind == "rich" else beta
    terms = {
        "time": (sp.Integer(0), tx, sp.true),
        "width": (alpha * pmin(beta, 1), sp.Integer(0), sp.true),
        "embedding": (sp.Integer(1), 1 - 1 / alpha, beta > 1),
    }
    if kind != "flow":
        terms["sgd_noise"] = (sp.Integer(0), 2 - 1 / alpha, sp.true)
    return terms


def _decay(term: tuple, a: Any) -> Any:
    uu, vv, _ = term
    return uu * a + vv * (1 - a)


def _maxmin_numeric(terms: dict, av: Fraction, bv: Fraction) -> tuple[Any, tuple[str, str]]:
    """Exact max over a in [0, 1] of min over active terms of the C-decay rate u a + v (1-a);
    returns (a*, the binding pair)."""
    sub = {
        alpha: sp.Rational(av.numerator, av.denominator),
        beta: sp.Rational(bv.numerator, bv.denominator),
    }
    act = {}
    for nm, (uu, vv, cond) in terms.items():
        if bool(sp.sympify(cond).subs(sub)):
            act[nm] = (sp.sympify(uu).subs(sub), sp.sympify(vv).subs(sub))
    best = None
    names = sorted(act)
    for i, n1 in enumerate(names):
        for n2 in names[i + 1 :]:
            (u1, v1), (u2, v2) = act[n1], act[n2]
            den = (u1 - v1) - (u2 - v2)
            if den == 0:
                continue
            a = (v2 - v1) / den
            if not 0 <= a <= 1:
                continue
            val = min(uu * a + vv * (1 - a) for uu, vv in act.values())
            if u1 * a + v1 * (1 - a) == val and (best is None or val > best[0]):
                best = (val, a, (n1, n2))
    _check(best is not None, f"a binding pair at alpha={av}, beta={bv}")
    return best[1], best[2]


REGIME_SAMPLES = {
    HARD: (
        (Fraction(3, 2), Fraction(1, 2)),
        (Fraction(2), Fraction(1, 4)),
        (Fraction(6, 5), Fraction(9, 10)),
        (Fraction(3), Fraction(7, 10)),
        (Fraction(11, 10), Fraction(1, 20)),
    ),
    EASY: (
        (Fraction(3, 2), Fraction(6, 5)),
        (Fraction(2), Fraction(5, 4)),
        (Fraction(3), Fraction(3, 2)),
        (Fraction(5, 4), Fraction(11, 10)),
    ),
    SUPER: (
        (Fraction(2), Fraction(3)),
        (Fraction(3, 2), Fraction(2)),
        (Fraction(7, 5), Fraction(12, 7)),
        (Fraction(4), Fraction(5)),
    ),
}


@functools.cache
def _compute_optimal(kind: str) -> tuple:
    terms = {
        nm: (sp.piecewise_fold(uu), sp.piecewise_fold(vv), c)
        for nm, (uu, vv, c) in loss_terms(kind).items()
    }
    pieces: dict[str, dict[str, sp.Expr]] = {"width_share": {}, "time_share": {}, "compute": {}}
    pairs = {}
    for reg, pts in REGIME_SAMPLES.items():
        found = {_maxmin_numeric(terms, av, bv)[1] for av, bv in pts}
        _check(len(found) == 1, f"{kind}/{reg}: one binding pair throughout the samples")
        pair = found.pop()
        pairs[reg] = pair
        # inside one regime every min(.,.) has a fixed branch: take it at the first sample
        av, bv = pts[0]
        cond_sub = {
            alpha: sp.Rational(av.numerator, av.denominator),
            beta: sp.Rational(bv.numerator, bv.denominator),
        }
        (u1, v1), (u2, v2) = [
            (_branch(terms[nm][0], cond_sub), _branch(terms[nm][1], cond_sub)) for nm in pair
        ]
        # u1 a + v1 (1 - a) = u2 a + v2 (1 - a) is linear in a
        a_star = sp.factor(sp.cancel((v2 - v1) / ((u1 - v1) - (u2 - v2))))
        _check(_zero((u1 - u2) * a_star + (v1 - v2) * (1 - a_star)), f"{kind}/{reg} balance")
        e_star = sp.factor(sp.simplify(u1 * a_star + v1 * (1 - a_star)))
        for av, bv in pts:  # the closed forms equal the exact max-min at every sample
            a_num, _ = _maxmin_numeric(terms, av, bv)
            sub = {
                alpha: sp.Rational(av.numerator, av.denominator),
                beta: sp.Rational(bv.numerator, bv.denominator),
            }
            _check(sp.simplify(a_star.subs(sub) - a_num) == 0, f"{kind}/{reg} share at sample")
        pieces["width_share"][reg] = a_star
        pieces["time_share"][reg] = sp.factor(sp.simplify(1 - a_star))
        pieces["compute"][reg] = e_star
    full = {k_: by_regime(v[HARD], v[EASY], v[SUPER]) for k_, v in pieces.items()}
    return full, pieces, pairs


def compute_optimal(kind: str) -> dict[str, sp.Piecewise]:
    r"""Compute-optimal ``width_share`` (N* ∝ C^s), ``time_share`` and ``compute`` exponent
    (L* ∝ C^-e) as Piecewise over the regimes, for ``kind`` 'lazy' (online SGD at fixed
    batch), 'flow' (gradient flow) or 'rich'. Each regime's formula is the balance of the pair
    of terms that binds at the exact max-min of :func:`loss_terms` (found at sample points
    and checked at several)."""
    return dict(_compute_optimal(kind)[0])


def compute_optimal_pieces(kind: str) -> dict[str, dict[str, sp.Expr]]:
    """The per-regime formulas behind :func:`compute_optimal`: {key: {regime: expr}}."""
    return {k_: dict(v) for k_, v in _compute_optimal(kind)[1].items()}


def binding_pairs(kind: str) -> dict[str, tuple[str, str]]:
    """The pair of loss terms that balance at the optimum, per regime."""
    return dict(_compute_optimal(kind)[2])


def _branch(expr: sp.Expr, sub: dict) -> sp.Expr:
    """The Piecewise branch of ``expr`` selected at the sample ``sub`` (kept symbolic)."""
    expr = sp.piecewise_fold(sp.sympify(expr))
    if isinstance(expr, sp.Piecewise):
        for e, c in expr.args:
            if bool(sp.sympify(c).subs(sub)):
                return _branch(e, sub)
    return expr


def derive_compute_optimal(alpha_v: Any = None, beta_v: Any = None) -> Derivation:
    r"""Compute-optimal split of C = N t: lazy online SGD (fixed batch), gradient flow and the
    rich (feature-learning) regime."""
    d = _base(
        "scaling.compute_optimal",
        "Compute-optimal allocation of C = N t: width/time shares and the C-exponent",
        {"alpha": alpha_v, "beta": beta_v},
    )
    d.assumptions.append(
        r"loss = sum of the bottleneck terms of note §2.3 with unit constants (pitfall 13): "
        r"$t^{-\beta}+N^{-\alpha\min(1,\beta)}+1[\beta>1]N^{-1}t^{-(1-1/\alpha)}"
        r"+B^{-1}t^{-(2-1/\alpha)}$ (rich: $t^{-\beta}\to t^{-\chi(\beta)}$; gradient flow: "
        r"no $B^{-1}$ term)"
    )
    d.step(
        sp.Eq(sp.Symbol("L"), sp.Symbol(r"\sum_i N^{-u_i}t^{-v_i}")),
        "loss as a sum of bottleneck terms N^-u t^-v; with N = C^a, t = C^(1-a) each term "
        "decays as C^-(u a + v (1 - a))",
    )
    d.step(
        sp.Eq(sp.Symbol(r"e_C"), sp.Symbol(r"\max_{a\in[0,1]}\min_i[u_ia+v_i(1-a)]")),
        "the slowest term dominates; the optimum is where two terms balance (a vertex of the "
        "concave piecewise-linear min): found exactly at sample points of each regime",
    )
    x_, y_ = sp.symbols("x y", positive=True)
    a_bal = sp.solve(sp.Eq(x_ * (1 - share), y_ * share), share)[0]
    d.step(
        sp.Eq(share, a_bal),
        "two pure terms t^-x vs N^-y: N* ~ C^(x/(x+y)), t* ~ C^(y/(x+y)), L* ~ C^-(xy/(x+y))",
    )
    res = {}
    for kind, label in (
        ("lazy", "lazy, online SGD"),
        ("flow", "lazy, gradient flow"),
        ("rich", "rich"),
    ):
        co = compute_optimal(kind)
        pairs = binding_pairs(kind)
        d.step(
            sp.Eq(sp.Symbol(rf"e_C^{{\rm {kind}}}"), co["compute"]),
            f"{label}: binding pairs hard {pairs[HARD]}, easy {pairs[EASY]}, "
            f"super-easy {pairs[SUPER]}",
        )
        d.step(
            sp.Eq(sp.Symbol(rf"s_N^{{\rm {kind}}}"), co["width_share"]),
            f"{label}: width share, N* ~ C^(s_N)",
        )
        for k_, v in co.items():
            res[f"{k_}_{kind}"] = v
    gain = sp.factor(
        sp.simplify(
            compute_optimal_pieces("rich")["width_share"][HARD]
            - compute_optimal_pieces("lazy")["width_share"][HARD]
        )
    )
    _check(
        _zero(gain - alpha * (1 - beta) / ((1 + alpha) * (2 + alpha * (1 + beta)))),
        "rich minus lazy width share (hard)",
    )
    d.step(
        sp.Eq(sp.Symbol(r"s_N^{\rm rich}-s_N^{\rm lazy}"), gain),
        "hard tasks: positive for beta < 1, so feature learning moves compute toward width",
    )
    return _finish(d, res, {"alpha": (alpha, alpha_v), "beta": (beta, beta_v)})
