"""The one registry: entry-point discovery, prefixes, third-party models, no import cycles,
cheap start-up, solver results."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest

import rmtscale
from rmtscale import registry
from rmtscale.errors import RegistryError, UnknownNameError

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "rmtscale"
PLUGIN = Path(__file__).resolve().parent / "plugin_pkg"


# ============================================================================ entry points
def _model_modules() -> set[str]:
    """Model modules in rmtscale/models (a package counts once; _private helpers do not)."""
    out = set()
    for p in (PKG / "models").iterdir():
        name = p.stem if p.suffix == ".py" else p.name
        if name.startswith("_") or not (p.suffix == ".py" or (p / "__init__.py").exists()):
            continue
        out.add(name)
    return out


def test_entry_points_list_every_model_module():
    eps = {ep.name: ep.value for ep in entry_points(group="rmtscale.models")}
    ours = {n: v for n, v in eps.items() if v.startswith("rmtscale.")}
    assert set(ours) == _model_modules()
    for name, value in ours.items():
        assert value == f"rmtscale.models.{name}"  # entry name = module name = prefix


def test_load_registers_every_model_by_prefix():
    rmtscale.load()
    prefixes = {
        n.split(".")[0]
        for t in ("claims", "derivations", "solvers")
        for n in getattr(rmtscale, t)()
    }
    assert prefixes <= _model_modules() | {"toy"}
    for kind, table in (("derivation", registry.DERIVATIONS), ("solver", registry.SOLVERS)):
        for name, entry in table.items():
            if entry.module and entry.module.startswith("rmtscale.models."):
                owner = entry.module.split(".")[2]
                assert name.startswith(owner + "."), (kind, name, entry.module)
    for name, module in registry.CLAIM_MODULES.items():
        if module.startswith("rmtscale.models."):
            assert name.startswith(module.split(".")[2] + "."), (name, module)


def test_registry_module_imports_no_model():
    src = (PKG / "registry.py").read_text()
    assert "models" not in {
        a
        for node in ast.walk(ast.parse(src))
        if isinstance(node, ast.ImportFrom)
        for a in (node.module or "").split(".")
    }


def test_registered_functions_are_named():
    rmtscale.load()
    lambdas = [
        n
        for table in (registry.DERIVATIONS, registry.SOLVERS)
        for n, e in table.items()
        if getattr(e.func, "__name__", "") == "<lambda>"
    ]
    assert not lambdas, f"register named functions, not lambdas: {lambdas}"


def test_unknown_names_raise_unknown_name_error():
    with pytest.raises(UnknownNameError, match="unknown claim 'nope.nothing'"):
        rmtscale.get_claim("nope.nothing")
    with pytest.raises(UnknownNameError):
        rmtscale.check_claim("nope.nothing")
    with pytest.raises(UnknownNameError, match="unknown solver"):
        rmtscale.solve("nope.nothing")


def test_prefix_check_refuses_a_foreign_name():
    owners = {"pkg.good": "good"}
    registry.DERIVATIONS["bad.thing"] = registry.Entry("bad.thing", "", print, module="pkg.good")
    try:
        with pytest.raises(RegistryError, match="must start with 'good.'"):
            registry._check_prefixes({("derivation", "bad.thing")}, "good", owners)
        registry._check_prefixes({("derivation", "bad.thing")}, "bad", {})  # its own prefix
    finally:
        registry.DERIVATIONS.pop("bad.thing")


def test_duplicate_registration_is_refused():
    rmtscale.load()
    with pytest.raises(RegistryError, match="duplicate"):
        registry.solver("mp.density", "again")(test_duplicate_registration_is_refused)


# ============================================================================ a third-party package
def _install_toy(tmp_path: Path, lines: str) -> dict[str, str]:
    """Make the package under tests/plugin_pkg 'installed' (a dist-info dir, no pip)."""
    info = tmp_path / "rmtscale_toy-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rmtscale-toy\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[rmtscale.models]\n" + lines)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(PLUGIN), env.get("PYTHONPATH", "")])
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rmtscale.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=str(ROOT),
    )


def test_third_party_model_appears_in_list(tmp_path):
    env = _install_toy(tmp_path, "toy = rmtscale_toy.toy\nbroken = rmtscale_toy.broken\n")
    res = _cli(env, "list", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert "toy.mean" in {c["name"] for c in data["claims"]}
    assert "toy.square" in {s["name"] for s in data["solvers"]}
    assert "toy.square" in {d["name"] for d in data["derivations"]}
    assert "mp.density" in {c["name"] for c in data["claims"]}  # built-ins still there
    # the broken third-party module: one warning naming its package, then skipped
    warn = [ln for ln in res.stderr.splitlines() if "skipping models" in ln]
    assert len(warn) == 1 and "rmtscale-toy" in warn[0] and "broken" in warn[0], res.stderr
    res = _cli(env, "solve", "toy.square", "x=3", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["values"] == {"y": 9.0}


def test_module_registering_a_foreign_prefix_is_refused(tmp_path):
    env = _install_toy(tmp_path, "badprefix = rmtscale_toy.badprefix\n")
    res = _cli(env, "list")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "toy.other" in lines[0] and "must start with 'badprefix.'" in lines[0]


# ============================================================================ import graph
def _import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> modules of the package it imports (module- and function-level imports).

    A child importing its own parent package (``rmtscale.models.x`` -> ``rmtscale.models``) is
    not counted: it is how Python loads a submodule, not a design dependency."""
    pkg = root.name
    files = {}
    for f in root.rglob("*.py"):
        parts = list(f.relative_to(root.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        files[".".join(parts)] = (f, is_pkg)

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, (f, is_pkg) in files.items():
        here = mod.split(".") if is_pkg else mod.split(".")[:-1]
        for node in ast.walk(ast.parse(f.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here[: len(here) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                if t.split(".")[0] != pkg:
                    continue
                dst = known(t)
                if dst and dst != mod and not mod.startswith(dst + "."):
                    graph[mod].add(dst)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_import_graph_finds_a_planted_cycle(tmp_path):
    pkg = tmp_path / "pk"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .. import a\n")
    (pkg / "a.py").write_text("def f():\n    from .b import x\n")
    (pkg / "b.py").write_text("from pk.a import f\nx = 1\n")
    (pkg / "c.py").write_text("from . import a\n")
    g = _import_graph(pkg)
    assert g["pk.a"] == {"pk.b"} and g["pk.b"] == {"pk.a"} and g["pk.sub"] == {"pk.a"}
    assert _cycles(g) == [["pk.a", "pk.b"]]


def test_no_import_cycles_in_rmtscale():
    graph = _import_graph(PKG)
    assert "rmtscale.registry" in graph and graph["rmtscale.registry"]
    assert not any(t.startswith("rmtscale.models") for t in graph["rmtscale.registry"])
    assert _cycles(graph) == []


# ============================================================================ start-up, results
def test_import_rmtscale_is_cheap():
    code = (
        "import sys, rmtscale\n"
        "heavy = [m for m in ('sympy', 'numba', 'scipy') if m in sys.modules]\n"
        "models = [m for m in sys.modules if m.startswith('rmtscale.models')]\n"
        "assert callable(rmtscale.validate), rmtscale.validate\n"
        "print(heavy, models)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[] []"


def test_lazy_public_names_resolve():
    from rmtscale.symbolic.derivation import Derivation
    from rmtscale.validate.report import Report

    assert rmtscale.Derivation is Derivation and rmtscale.Report is Report
    assert callable(rmtscale.check_claim) and callable(rmtscale.validate)
    with pytest.raises(AttributeError):
        rmtscale.no_such_name  # noqa: B018


def test_solve_returns_a_result_with_to_dict():
    r = rmtscale.solve("mp.stieltjes", q=0.5, z_re=[1.0, 2.0], z_im=0.1)
    assert isinstance(r, rmtscale.Result) and isinstance(r, dict)
    assert r.name == "mp.stieltjes" and r.params["q"] == 0.5
    d = r.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["g_re"] == [float(v) for v in r["g_re"]]


def test_result_to_dict_cleans_non_finite_and_numpy():
    r = rmtscale.Result(
        {
            "a": np.array([1.0, np.inf, np.nan]),
            "b": np.int64(3),
            "c": 1 + 2j,
            "d": (np.float32(0.5),),
        }
    )
    assert r.to_dict() == {
        "a": [1.0, "inf", "nan"],
        "b": 3,
        "c": {"re": 1.0, "im": 2.0},
        "d": [0.5],
    }


def test_lambdas_are_refused():
    with pytest.raises(RegistryError, match="named function"):
        registry.solver("toy.anonymous", "x")(lambda: {})
    assert "toy.anonymous" not in registry.SOLVERS


def test_every_lazy_public_name_resolves():
    for name in rmtscale.__all__:
        assert getattr(rmtscale, name) is not None, name
    assert rmtscale.ensembles.marchenko_pastur is not None


def test_list_imports_no_sympy_numba_scipy():
    """``rmtscale list`` loads every model without compiling anything (models import their
    symbolic and numeric layers inside the functions that need them)."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from rmtscale.cli import main\n"
        "res = CliRunner().invoke(main, ['list', '--json'])\n"
        "assert res.exit_code == 0, res.output\n"
        "print([m for m in ('sympy', 'numba', 'scipy') if m in sys.modules])\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
