"""The ``rmtscale`` command: list, derive, solve, validate; JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import rmtscale
from rmtscale.cli import main
from rmtscale.params import Param, ParamSet
from rmtscale.simulate import CudaBackend, get_backend
from rmtscale.validate.claims import CLAIMS, Claim, register
from rmtscale.validate.stats import Tolerance


def run(*args: str):
    res = CliRunner().invoke(main, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception  # a traceback, not a handled error: show it
    return res


def one_json(text: str) -> dict:
    """stdout must be exactly one JSON object (nothing before or after it)."""
    obj, end = json.JSONDecoder().raw_decode(text.strip())
    assert text.strip()[end:] == ""
    assert isinstance(obj, dict)
    return obj


def one_error_line(res, *needles: str) -> str:
    assert res.exit_code != 0
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


# ============================================================================ list
def test_list_json_lists_every_claim():
    res = run("list", "--json")
    assert res.exit_code == 0
    data = one_json(res.stdout)
    claims = {c["name"]: c for c in data["claims"]}
    assert sorted(claims) == rmtscale.claims()
    for c in claims.values():
        assert isinstance(c["summary"], str) and c["summary"]
        assert isinstance(c["parameters"], list) and c["parameters"]
        for p in c["parameters"]:
            assert {"name", "kind", "default", "requirement"} <= set(p)
    assert {p["name"] for p in claims["mp.density"]["parameters"]} == {"q", "D"}
    q = next(p for p in claims["mp.density"]["parameters"] if p["name"] == "q")
    assert q["default"] == 0.5 and "> 0" in q["requirement"]
    assert {d["name"] for d in data["derivations"]} == set(rmtscale.derivations())
    assert {s["name"] for s in data["solvers"]} == set(rmtscale.solvers())


def test_list_text():
    res = run("list")
    assert res.exit_code == 0
    for name in rmtscale.claims():
        assert name in res.stdout
    assert "params: q=0.5 D=200" in res.stdout


def test_version_and_help():
    res = run("--version")
    assert res.exit_code == 0 and rmtscale.__version__ in res.stdout
    res = run("validate", "--help")
    assert res.exit_code == 0
    for opt in ("--backend", "--seeds", "--json", "--plot"):
        assert opt in res.stdout


# ============================================================================ derive
def test_derive_latex_align_block():
    res = run("derive", "mp.stieltjes", "--latex")
    assert res.exit_code == 0, res.stderr
    out = res.stdout.strip()
    assert out.startswith(r"\begin{align}") and out.endswith(r"\end{align}")
    # the Marchenko–Pastur equation q z g^2 + (1 - q - z) g + 1 = 0
    assert r"g^{2} q z + g \left(- q - z + 1\right) + 1 &= 0" in out
    assert r"\text{" in out  # each step carries its line of words


def test_derive_json_product_s_transform():
    res = run("derive", "wishart_product.s_transform", "q1=0.5", "q2=0.25", "--json")
    assert res.exit_code == 0, res.stderr
    d = one_json(res.stdout)
    assert d["name"] == "wishart_product.s_transform"
    assert d["params"] == {"q1": 0.5, "q2": 0.25}
    # S = S1 S2 = 2/(t+2) * 4/(t+4)
    assert d["result"].replace(" ", "") == "8/((t+2)*(t+4))"
    assert len(d["steps"]) >= 3
    assert all({"text", "latex"} <= set(s) for s in d["steps"])
    assert d["conventions"] and d["assumptions"]


def test_derive_text():
    res = run("derive", "mp.s_transform", "q=0.5")
    assert res.exit_code == 0
    out = res.stdout
    assert "Result:" in out
    assert "t + 2" in out.split("Result:")[1]  # S(t) = 2/(t + 2) at q = 1/2


# ============================================================================ solve
def test_solve_json_mp_density():
    res = run("solve", "mp.density", "q=0.5", "x=1", "--json")
    assert res.exit_code == 0, res.stderr
    d = one_json(res.stdout)
    assert set(d) == {"name", "params", "values"}
    assert d["name"] == "mp.density"
    assert d["params"]["q"] == 0.5 and d["params"]["x"] == 1.0
    dens = d["values"]["density"]
    dens = dens[0] if isinstance(dens, list) else dens
    assert dens == pytest.approx(0.4210844, abs=1e-6)
    assert d["values"]["atom_at_zero"] == pytest.approx(0.0, abs=1e-9)
    assert d["values"]["mass"] == pytest.approx(1.0, abs=1e-6)


def test_solve_grid_gives_arrays():
    res = run("solve", "mp.density", "q=0.5", "x=0.5,1,2", "--json")
    d = one_json(res.stdout)
    assert len(d["values"]["density"]) == 3
    assert d["params"]["x"] == [0.5, 1.0, 2.0]


def test_solve_text():
    res = run("solve", "mp.stieltjes", "q=0.5", "z_re=1", "z_im=0.1")
    assert res.exit_code == 0
    assert "g_re" in res.stdout and "g_im" in res.stdout


# ============================================================================ validate
def test_validate_json_passes():
    res = run("validate", "mp.density", "--json")
    assert res.exit_code == 0, res.stdout + res.stderr
    d = one_json(res.stdout)
    assert {"name", "backend", "passed", "cases"} <= set(d)
    assert d["name"] == "mp.density"
    assert d["backend"] == get_backend("auto", rmtscale.get_claim("mp.density").backends).name
    assert d["passed"] is True
    for c in d["cases"]:
        assert {"params", "theory", "mean", "stderr", "z"} <= set(c)


def test_validate_perturbed_fails_with_status_1():
    res = run("validate", "mp.density", "D=50", "--seeds", "10", "--perturb", "0.03", "--json")
    assert res.exit_code == 1
    d = one_json(res.stdout)
    assert d["passed"] is False
    assert d["perturb"] == 0.03


def test_validate_table_and_plot(tmp_path):
    path = tmp_path / "out.png"
    res = run("validate", "mp.stieltjes", "D=50", "--seeds", "5", "--plot", str(path))
    assert res.exit_code == 0, res.stdout
    assert "verdict: PASSED" in res.stdout
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert "plot written" in res.stderr


def test_validate_seed_option_is_reproducible():
    args = ("validate", "mp.stieltjes", "D=50", "--seeds", "3", "--json")
    a = one_json(run(*args, "--seed", "5").stdout)
    b = one_json(run(*args, "--seed", "5").stdout)
    c = one_json(run(*args, "--seed", "6").stdout)
    assert a["seed"] == 5 and a["seeds"] == 3
    assert [x["mean"] for x in a["cases"]] == [x["mean"] for x in b["cases"]]
    assert [x["mean"] for x in a["cases"]] != [x["mean"] for x in c["cases"]]


@pytest.fixture
def failing_toy_claim():
    name = "test.cli_toy"
    register(
        Claim(
            name=name,
            summary="toy: constant bias that does not shrink",
            params=ParamSet((Param("n0", kind="int", default=10, ge=1),)),
            theory=lambda c: {"value": 1.0},
            simulate=lambda c, rng, be: {"value": 1.1 + 0.01 * rng.standard_normal()},
            cases=lambda p: [{"n": p["n0"] * f} for f in (1, 2, 4)],
            tolerance=Tolerance(),
            scale=lambda o, th: 1.0,
            default_seeds=5,
        )
    )
    yield name
    CLAIMS.pop(name, None)


def test_validate_failing_claim_text_lists_failures(failing_toy_claim):
    res = run("validate", failing_toy_claim)
    assert res.exit_code == 1
    assert "verdict: FAILED" in res.stdout
    assert "failed: value" in res.stdout


# ============================================================================ bad input
@pytest.mark.parametrize(
    "args, needles",
    [
        (("solve", "mp.density", "q=-1"), ("'q'", "> 0")),
        (("validate", "mp.density", "q=-1"), ("'q'", "> 0")),
        (("validate", "mp.density", "D=abc"), ("'D'", "integer")),
        (("validate", "mp.density", "foo=1"), ("'foo'", "allowed: q, D")),
        (("solve", "mp.density", "q"), ("'q'", "key=value")),
        (("solve", "mp.density", "q=1", "q=2"), ("'q'", "twice")),
        (("solve", "mp.density", "q=nan"), ("'q'", "finite")),
        (("solve", "mp.density", "q=0.5,1"), ("'q'", "single value")),
        (("derive", "mp.stieltjes", "q=0"), ("'q'",)),
        (("validate", "no.such.claim"), ("unknown claim 'no.such.claim'", "mp.density")),
        (("solve", "no.such"), ("unknown solver",)),
        (("derive", "no.such"), ("unknown derivation",)),
        (("validate", "mp.density", "--seeds", "1"), ("'seeds'", ">= 2")),
        (("validate", "mp.density", "--perturb", "2"), ("'perturb'",)),
        (("validate", "mp.density", "--backend", "cuda"), ("cuda",)),
    ],
)
def test_bad_input_one_line_naming_the_parameter(args, needles):
    res = run(*args)
    line = one_error_line(res, *needles)
    assert line.startswith("rmtscale: error:")
    assert res.exit_code == 2


@pytest.mark.skipif(CudaBackend.available(), reason="a GPU is visible")
def test_backend_cuda_is_clear_error_when_no_gpu():
    res = run("validate", "mp.stieltjes", "--backend", "cuda", "--json")
    line = one_error_line(res, "cuda")
    assert "not available" in line or "no 'cuda' implementation" in line


def test_click_rejects_unknown_backend_name():
    res = run("validate", "mp.density", "--backend", "gpu")
    assert res.exit_code == 2
    assert "backend" in res.stderr and "Traceback" not in res.stderr


# ============================================================================ real process
def _exe() -> list[str]:
    exe = shutil.which("rmtscale")
    return [exe] if exe else [sys.executable, "-m", "rmtscale.cli"]


def test_installed_script_list_json():
    assert shutil.which("rmtscale"), "console script 'rmtscale' is not installed"
    p = subprocess.run([*_exe(), "list", "--json"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    data = one_json(p.stdout)
    assert sorted(c["name"] for c in data["claims"]) == rmtscale.claims()


def test_installed_script_validate_json_and_errors():
    p = subprocess.run(
        [*_exe(), "validate", "mp.stieltjes", "D=50", "--seeds", "5", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    d = one_json(p.stdout)  # progress / logs (if any) went to stderr, not here
    assert d["passed"] is True and d["name"] == "mp.stieltjes"
    p = subprocess.run(
        [*_exe(), "validate", "mp.density", "q=-1", "--backend", "cuda"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "'q'" in lines[0], p.stderr


def test_module_entry_point():
    p = subprocess.run(
        [sys.executable, "-m", "rmtscale.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert rmtscale.__version__ in p.stdout
