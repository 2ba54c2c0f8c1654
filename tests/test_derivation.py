"""Derivation objects: LaTeX/str rendering (rmtscale.symbolic.derivation) and the results of
the registered spectral-law derivations (rmtscale.derive)."""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp

import rmtscale
from rmtscale.symbolic import ensembles as E
from rmtscale.symbolic.derivation import Derivation
from rmtscale.symbolic.transforms import g, t, z

q, q1, q2, s = E.q, E.q1, E.q2, E.s

# LaTeX text-mode escapes -> the character they print
_UNESCAPE = [
    (r"\textbackslash{}", "\\"),
    (r"\textasciicircum{}", "^"),
    (r"\textasciitilde{}", "~"),
    (r"\textless{}", "<"),
    (r"\textgreater{}", ">"),
    (r"\&", "&"),
    (r"\%", "%"),
    (r"\#", "#"),
    (r"\_", "_"),
    (r"\{", "{"),
    (r"\}", "}"),
]
_TEXT_MODE_FORBIDDEN = set("^_&%#~<>")


def unescape(tex: str) -> str:
    out, i = [], 0
    while i < len(tex):
        for esc, ch in _UNESCAPE:
            if tex.startswith(esc, i):
                out.append(ch)
                i += len(esc)
                break
        else:
            out.append(tex[i])
            i += 1
    return "".join(out)


def text_mode_safe(tex: str) -> bool:
    """No character that is an error (or a wrong glyph) in LaTeX text mode, outside $..$."""
    stripped = tex
    for esc, _ in _UNESCAPE:
        stripped = stripped.replace(esc, "")
    stripped = re.sub(r"\$[^$]*\$", "", stripped)
    return not (set(stripped) & _TEXT_MODE_FORBIDDEN) and stripped.count("$") == 0


def braces_balanced(tex: str) -> bool:
    depth = 0
    i = 0
    while i < len(tex):
        if tex[i] == "\\" and i + 1 < len(tex) and tex[i + 1] in "{}\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def environments_balanced(tex: str) -> bool:
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            return False
    return not stack


def text_of(line: str) -> str:
    """The argument of the (last) \\text{...} on an align line, brace-matched."""
    start = line.rindex(r"\text{") + len(r"\text{")
    depth, i = 1, start
    while depth:
        if line[i] == "\\" and line[i + 1] in "{}\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(line[i], 0)
        i += 1
    return line[start : i - 1]


@pytest.fixture(scope="module")
def all_symbolic():
    return {name: rmtscale.derive(name) for name in rmtscale.derivations()}


def proportional(a, b) -> bool:
    ratio = sp.cancel(sp.expand(a) / sp.expand(b))
    return not ratio.has(z) and not ratio.has(g) and ratio != 0


# ------------------------------------------------------------------ rendering
def _toy() -> Derivation:
    x = sp.Symbol("x")
    d = Derivation(
        "toy.case",
        "A toy: 50% of {x}_1 & x^2 ~ y > 0",
        conventions=[r"inline math $\alpha_1^2$ stays math; 100% & #1 escaped"],
        assumptions=["a <= b"],
        params={"q1": 0.5},
    )
    d.step(sp.Eq(sp.Function("f")(x), x**2), "define f as x^2 (a_1 & b_2)")
    d.step(x + 1, r"a bare expression, with a back\slash")
    d.step(sp.Eq(sp.Symbol("y"), sp.sqrt(x)), "last step ~ done")
    d.result = sp.sqrt(x)
    return d


def test_latex_align_block_one_line_per_step():
    d = _toy()
    tex = d.latex()
    lines = tex.split("\n")
    assert lines[0] == r"\begin{align}" and lines[-1] == r"\end{align}"
    body = lines[1:-1]
    assert len(body) == len(d.steps)
    assert all(ln.rstrip().endswith(r"\\") for ln in body[:-1])
    assert not body[-1].rstrip().endswith(r"\\")
    for ln, step in zip(body, d.steps):
        inner = text_of(ln)
        assert unescape(inner) == step.text
        assert text_mode_safe(inner), inner
    assert r"f{\left(x \right)} &= x^{2}" in body[0]
    assert braces_balanced(tex) and environments_balanced(tex)


def test_latex_document():
    d = _toy()
    doc = d.latex(document=True)
    assert doc.startswith(r"\documentclass")
    assert doc.rstrip().endswith(r"\end{document}")
    assert r"\begin{document}" in doc and r"\usepackage{amsmath" in doc
    assert environments_balanced(doc) and braces_balanced(doc)
    title_line = next(ln for ln in doc.split("\n") if ln.startswith(r"\section*{"))
    assert unescape(title_line[len(r"\section*{") : -1]) == d.title
    assert text_mode_safe(title_line[len(r"\section*{") : -1])
    assert r"$\alpha_1^2$" in doc  # inline math kept
    assert r"100\% \& \#1" in doc
    assert r"\item a \textless{}= b" in doc
    assert "Parameters:" in doc and "q_{1} = 0.5" in doc
    assert r"\paragraph{Result.}" in doc and r"\sqrt{x}" in doc
    assert doc.count(d.latex()) == 1  # the align block is embedded verbatim


def test_repr_latex_and_str():
    d = _toy()
    rl = d._repr_latex_()
    assert rl.startswith("$$") and rl.endswith("$$")
    assert r"\begin{aligned}" in rl and r"\end{aligned}" in rl
    assert rl.count(r"\text{") == len(d.steps)
    text = str(d)
    assert text.splitlines()[0] == d.title
    for i, step in enumerate(d.steps, 1):
        assert f"[{i}] {step.text}" in text
    assert "Result:" in text and "Conventions:" in text and "Assumptions:" in text
    assert repr(d) == "<Derivation 'toy.case': 3 steps>"


def test_registered_derivations_render(all_symbolic):
    assert {"mp.stieltjes", "mp.s_transform", "wishart_product.s_transform"} <= set(all_symbolic)
    for name, d in all_symbolic.items():
        assert d.name == name and d.steps and d.result is not None
        tex = d.latex()
        body = tex.split("\n")[1:-1]
        assert len(body) == len(d.steps), name
        for ln, step in zip(body, d.steps):
            assert unescape(text_of(ln)) == step.text
            assert text_mode_safe(text_of(ln)), (name, step.text)
        doc = d.latex(document=True)
        assert environments_balanced(doc) and braces_balanced(doc), name
        title = next(ln for ln in doc.split("\n") if ln.startswith(r"\section*{"))
        assert text_mode_safe(title[len(r"\section*{") : -1]), (name, title)
        assert d.title in str(d) and all(st.text in str(d) for st in d.steps)
        json.dumps(d.to_dict())


# ------------------------------------------------------------------ results
def test_wishart_product_s_transform_numeric():
    d = rmtscale.derive("wishart_product.s_transform", q1=0.5, q2=0.25)
    S1 = E.marchenko_pastur(sp.Rational(1, 2)).s_transform()
    S2 = E.marchenko_pastur(sp.Rational(1, 4)).s_transform()
    assert sp.simplify(d.result - S1 * S2) == 0
    assert sp.simplify(d.result - 1 / ((1 + t / 2) * (1 + t / 4))) == 0
    assert sp.simplify(d.result - 1 / ((1 + t / 2) * (1 + t / 3))) != 0
    assert d.params == {"q1": 0.5, "q2": 0.25}
    assert d.result.free_symbols == {t}


def test_wishart_product_s_transform_symbolic(all_symbolic):
    d = all_symbolic["wishart_product.s_transform"]
    assert sp.simplify(d.result - 1 / ((1 + q1 * t) * (1 + q2 * t))) == 0
    assert d.params == {}


def test_mp_stieltjes_result(all_symbolic):
    d = all_symbolic["mp.stieltjes"]
    assert isinstance(d.result, sp.Equality) and d.result.rhs == 0
    assert proportional(d.result.lhs, q * z * g**2 - (z + q - 1) * g + 1)
    assert q in d.result.free_symbols  # no parameters given: q stays symbolic
    assert "closed_form" in d.extras
    dn = rmtscale.derive("mp.stieltjes", q=0.5)
    assert q not in dn.result.free_symbols
    assert proportional(dn.result.lhs, z * g**2 / 2 - (z - sp.Rational(1, 2)) * g + 1)


def test_mp_s_transform_result():
    assert sp.simplify(rmtscale.derive("mp.s_transform").result - 1 / (1 + q * t)) == 0
    assert sp.simplify(rmtscale.derive("mp.s_transform", q=0.5).result - 2 / (t + 2)) == 0


def test_mp_density_result(all_symbolic):
    d = all_symbolic["mp.density"]
    x = d.result.lhs.args[0]
    rho = d.result.rhs
    assert q in rho.free_symbols
    val = rho.subs({q: sp.Rational(1, 2), x: 1})
    xp, xm = (1 + sp.sqrt(sp.Rational(1, 2))) ** 2, (1 - sp.sqrt(sp.Rational(1, 2))) ** 2
    expected = sp.sqrt((xp - 1) * (1 - xm)) / (2 * sp.pi * sp.Rational(1, 2))
    assert abs(float(val - expected)) < 1e-14


def test_wishart_product_stieltjes_and_semicircle(all_symbolic):
    d = all_symbolic["wishart_product.stieltjes"]
    assert {q1, q2} <= d.result.free_symbols
    cubic = (z * g - 1) - g * (1 + q1 * (z * g - 1)) * (1 + q2 * (z * g - 1))
    assert proportional(d.result.lhs, cubic)
    sc = all_symbolic["semicircle.stieltjes"]
    assert s in sc.result.free_symbols
    assert proportional(sc.result.lhs, s * g**2 - z * g + 1)
