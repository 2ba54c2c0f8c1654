"""sympy -> numba code generation (rmtscale.numeric.codegen)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from rmtscale.numeric.codegen import CompiledFunction, compile_expressions, generate_source

x, y = sp.symbols("x y")
zc = sp.Symbol("z")
q1 = sp.Symbol("q_1", positive=True)
lam = sp.Symbol(r"\lambda")

REAL_EXPRS = [
    (sp.sin(x * y) + 1) ** 2 + sp.exp(sp.sin(x * y) + 1) / (1 + x**2),
    sp.sqrt(x**2 + y**2 + 1) * sp.log(1 + y**2) - sp.Rational(3, 7) * x**3,
    sp.atan(x / (1 + y**2)) + sp.cosh(y / 3) ** 2,
]
COMPLEX_EXPRS = [
    q1 * zc**2 - 2 * q1 * zc + sp.I * zc,
    sp.sqrt(zc - 1) * sp.sqrt(zc - 4) / (2 * q1 * zc),
    (zc - q1) ** 3 + sp.exp(sp.I * zc) - 1 / zc,
]


def test_source_uses_cse_for_repeated_subexpression():
    src = generate_source([x, y], REAL_EXPRS[:1], name="h")
    assert src.startswith("def h(x, y):")
    assert src.count("np.sin(") == 1  # sin(x*y) + 1 appears twice, computed once
    assert "_x0 =" in src
    assert "out = np.empty(1, dtype=np.float64)" in src
    # without the repetition there is nothing to share
    single = generate_source([x, y], [sp.sin(x * y)], name="h")
    assert "_x0" not in single


def test_source_is_plain_python_over_np():
    src = generate_source([zc, q1], COMPLEX_EXPRS, name="gc", dtype="complex128")
    ns: dict = {"np": np}
    exec(compile(src, "<test>", "exec"), ns)  # noqa: S102
    out = ns["gc"](0.3 + 0.7j, 0.5)
    assert out.dtype == np.complex128 and out.shape == (3,)
    assert "q_1" in src and "1j" in src


def _rng_points(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-2.0, 2.0, size=(n, 2))


def test_compiled_real_matches_lambdify():
    f = compile_expressions([x, y], REAL_EXPRS, name="real_f")
    assert isinstance(f, CompiledFunction)
    ref = sp.lambdify((x, y), REAL_EXPRS, "numpy")
    for a, b in _rng_points(20, 0):
        got = f(a, b)
        assert got.dtype == np.float64 and got.shape == (3,)
        np.testing.assert_allclose(got, np.array(ref(a, b), dtype=float), rtol=1e-13)


def test_compiled_real_matches_evalf():
    f = compile_expressions([x, y], REAL_EXPRS, name="real_f")
    for a, b in _rng_points(5, 1):
        exact = [
            complex(e.evalf(30, subs={x: sp.Float(a, 30), y: sp.Float(b, 30)})) for e in REAL_EXPRS
        ]
        np.testing.assert_allclose(f(a, b), np.real(exact), rtol=1e-12)


def test_compiled_complex_matches_evalf():
    f = compile_expressions([zc, q1], COMPLEX_EXPRS, name="cplx_f", dtype="complex128")
    rng = np.random.default_rng(2)
    for _ in range(10):
        zv = complex(rng.uniform(-3, 5), rng.uniform(-2, 2))
        qv = float(rng.uniform(0.1, 3))
        got = f(zv, qv)
        assert got.dtype == np.complex128
        exact = [
            complex(
                e.evalf(
                    30,
                    subs={
                        zc: sp.Float(zv.real, 30) + sp.I * sp.Float(zv.imag, 30),
                        q1: sp.Float(qv, 30),
                    },
                )
            )
            for e in COMPLEX_EXPRS
        ]
        np.testing.assert_allclose(got, exact, rtol=1e-12)


def test_principal_sqrt_branch_matches_sympy():
    # the printer must keep sympy's principal sqrt: on the negative real axis sqrt(-4) = +2i
    f = compile_expressions([zc], [sp.sqrt(zc)], name="sq", dtype="complex128")
    np.testing.assert_allclose(f(-4.0 + 0j), [2j])
    np.testing.assert_allclose(f(-4.0 - 1e-300j), [complex(sp.sqrt(-4 - sp.I * 1e-300).evalf())])


def test_free_symbol_not_in_args_raises():
    with pytest.raises(ValueError, match="not arguments"):
        generate_source([x], [x + y])
    with pytest.raises(ValueError, match="not arguments"):
        compile_expressions([x], [x * y])


def test_duplicate_argument_names_raise():
    with pytest.raises(ValueError):
        generate_source([sp.Symbol("a"), sp.Symbol("a", positive=True)], [sp.Integer(1)])


def test_awkward_symbol_names_are_sanitized():
    lam_kw = sp.Symbol("lambda")
    src = generate_source([lam, lam_kw, q1], [lam * lam_kw + q1])
    compile(src, "<test>", "exec")  # valid Python despite a backslash and a keyword
    header = src.split("\n")[0]
    names = header[len("def f(") : -len("):")].split(", ")
    assert len(names) == 3 and all(n.isidentifier() and n != "lambda" for n in names)
    f = compile_expressions([lam, lam_kw, q1], [lam * lam_kw + q1, lam - q1])
    np.testing.assert_allclose(f(2.0, 3.0, 0.5), [6.5, 1.5])


def test_identical_sources_share_one_compiled_function():
    a = compile_expressions([x, y], REAL_EXPRS, name="real_f")
    b = compile_expressions([x, y], REAL_EXPRS, name="real_f")
    assert a.func is b.func
    assert a.source == b.source and "def real_f" in repr(a)
