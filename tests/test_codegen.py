"""sympy -> numba code generation (rmtscale.numeric.codegen)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from rmtscale.numeric import codegen
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


# ---------------------------------------------------------------- on-disk cache


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Every test writes generated modules under its own folder, not the user's cache."""
    monkeypatch.setenv("RMTSCALE_CACHE_DIR", str(tmp_path / "rmtscale-cache"))


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("RMTSCALE_CACHE_DIR", str(tmp_path / "a"))
    assert codegen.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("RMTSCALE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert codegen.cache_dir() == tmp_path / "xdg" / "rmtscale"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert codegen.cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "rmtscale"


def test_generated_module_is_a_cached_file(tmp_path, monkeypatch):
    monkeypatch.setattr(codegen, "_MODULES", {})
    f = compile_expressions([x, y], [x * y + 1], name="on_disk")
    path = Path(f.module.__file__)
    assert path.parent == tmp_path / "rmtscale-cache" / f"codegen-v{codegen._FORMAT}"
    text = path.read_text()
    assert path.name == f"m_{codegen._sha(text)}.py"  # the name is the hash of the text
    assert f.source in text and "numba.njit(cache=True)(on_disk)" in text
    np.testing.assert_allclose(f(2.0, 3.0), [7.0])


def test_corrupted_entries_are_rewritten(tmp_path, monkeypatch):
    monkeypatch.setattr(codegen, "_MODULES", {})
    f = compile_expressions([x], [x + 2], name="corrupt_me")
    path = Path(f.module.__file__)
    good = path.read_text()
    path.write_text("garbage that is not python (")
    monkeypatch.setattr(codegen, "_MODULES", {})  # as in a fresh process
    g2 = compile_expressions([x], [x + 2], name="corrupt_me")
    np.testing.assert_allclose(g2(1.0), [3.0])
    assert path.read_text() == good  # repaired in place

    # an index entry that is not JSON, or points at a missing module: rebuilt, not trusted
    calls = []

    @codegen.cached
    def build():
        calls.append(1)
        return compile_expressions([x], [3 * x], name="indexed")

    assert build()(2.0)[0] == 6.0 and len(calls) == 1
    (index,) = (tmp_path / "rmtscale-cache" / f"codegen-v{codegen._FORMAT}" / "index").iterdir()
    for bad in ["{not json", json.dumps({"module": "m_0.py", "name": "indexed", "source": ""})]:
        index.write_text(bad)

        @codegen.cached
        def build():  # noqa: F811 - a fresh memo, same qualified name and key
            calls.append(1)
            return compile_expressions([x], [3 * x], name="indexed")

        monkeypatch.setattr(codegen, "_MODULES", {})
        assert build()(2.0)[0] == 6.0
    assert len(calls) == 3


def test_unwritable_cache_dir_compiles_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RMTSCALE_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(codegen, "_MODULES", {})
    f = compile_expressions([x, y], REAL_EXPRS, name="real_f")
    assert getattr(f.module, "__file__", None) is None
    ref = sp.lambdify((x, y), REAL_EXPRS, "numpy")
    np.testing.assert_allclose(f(0.3, -1.2), ref(0.3, -1.2), rtol=1e-13)

    @codegen.cached
    def build():
        return compile_expressions([x], [x**3], name="mem_only")

    assert build()(2.0)[0] == 8.0 and build() is build()


def test_builder_key_depends_on_arguments_and_package_source():
    def b():
        pass

    k1 = codegen._builder_key(b, (1,), {})
    assert k1 == codegen._builder_key(b, (1,), {})
    assert k1 != codegen._builder_key(b, (2,), {})
    assert k1 != codegen._builder_key(b, (1,), {"dtype": "complex128"})
    assert codegen._builder_key(b, (object(),), {}) is None  # repr is an address: no disk key

    calls = []

    @codegen.cached
    def build(obj):
        calls.append(obj)
        return compile_expressions([x], [x + 1], name="no_key")

    token = object()
    assert build(token) is build(token) and len(calls) == 1  # still memoized in the process


_BUILDER = """
from rmtscale.numeric.codegen import cached, compile_expressions

MARK = {mark!r}


@cached
def build(k):
    import sympy as sp

    with open(MARK, "a") as fh:
        fh.write("built\\n")
    t = sp.Symbol("t")
    return compile_expressions([t], [{expr}], name="h6_probe")
"""

_RUN = """
import json, sys
import rmtscale.numeric.codegen
had_sympy = "sympy" in sys.modules
from h6_probe_builder import build
f = build(3)
val = float(f(0.5)[0])
print(json.dumps({"val": val, "had_sympy": had_sympy, "sympy": "sympy" in sys.modules,
                  "file": f.module.__file__, "hits": sum(f.func.stats.cache_hits.values())}))
"""


def _write_builder(folder: Path, expr: str) -> Path:
    mark = folder / "built.txt"
    (folder / "h6_probe_builder.py").write_text(_BUILDER.format(mark=str(mark), expr=expr))
    return mark


def _spawn(folder: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(folder), env.get("PYTHONPATH", "")])
    env["RMTSCALE_CACHE_DIR"] = str(folder / "cache")
    env["NUMBA_CACHE_DIR"] = str(folder / "numba-cache")
    return subprocess.Popen(
        [sys.executable, "-c", _RUN],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder,
    )


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_warm_process_skips_builder_sympy_and_numba_compile(tmp_path):
    mark = _write_builder(tmp_path, "k * sp.sin(t) + t**2")
    expected = 3 * np.sin(0.5) + 0.25
    # cold: two processes race to fill the same empty cache (temp file + os.replace)
    cold = [_result(p) for p in [_spawn(tmp_path), _spawn(tmp_path)]]
    for r in cold:
        assert r["val"] == pytest.approx(expected, rel=1e-14) and r["sympy"]
    assert cold[0]["file"] == cold[1]["file"]
    assert mark.read_text().count("built") == 2
    warm = _result(_spawn(tmp_path))
    assert warm["val"] == pytest.approx(expected, rel=1e-14)
    assert mark.read_text().count("built") == 2  # the builder did not run again
    assert warm["file"] == cold[0]["file"]
    assert warm["hits"] >= 1  # numba loaded machine code from disk, did not compile
    assert warm["sympy"] == warm["had_sympy"]  # the warm call itself imported no sympy

    # a changed formula gives a new key and a new module: the stale entry is not used
    _write_builder(tmp_path, "k * sp.cos(t) + t**2")
    changed = _result(_spawn(tmp_path))
    assert changed["val"] == pytest.approx(3 * np.cos(0.5) + 0.25, rel=1e-14)
    assert changed["file"] != cold[0]["file"]
    assert mark.read_text().count("built") == 3
