"""Every script in derivations/ and examples/ runs to completion (so they never rot).

Each script runs as a subprocess with this interpreter, in a fresh temporary directory (so
files it writes by default land there), with the non-interactive Agg matplotlib backend.
The derivation scripts assert their own claims; a failing assert is a non-zero exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT_DIRS = ("derivations", "examples")
SCRIPTS = sorted(p for d in SCRIPT_DIRS for p in (ROOT / d).glob("*.py"))
TIMEOUT_S = 300  # each script targets < 60 s; generous for slow or busy CI machines


def _run(script: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    # import the checkout's package even if it is not installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def _explain(proc: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit {proc.returncode}\n--- stdout (tail) ---\n{proc.stdout[-3000:]}"
        f"\n--- stderr (tail) ---\n{proc.stderr[-3000:]}"
    )


def test_scripts_exist() -> None:
    for d in SCRIPT_DIRS:
        assert list((ROOT / d).glob("*.py")), f"no scripts in {d}/"


@pytest.mark.parametrize("script", SCRIPTS, ids=[str(p.relative_to(ROOT)) for p in SCRIPTS])
def test_script_runs(script: Path, tmp_path: Path) -> None:
    proc = _run(script, tmp_path)
    assert proc.returncode == 0, _explain(proc)
    if script.parent.name == "examples" and ".png" in script.read_text():
        # an example that names a PNG writes it (by default into the working directory)
        pngs = [p for p in tmp_path.glob("*.png") if p.stat().st_size > 0]
        assert pngs, f"{script.name} wrote no PNG into its working directory"


def test_free_probability_document(tmp_path: Path) -> None:
    """``--document`` puts exactly one standalone LaTeX document on stdout."""
    proc = _run(ROOT / "derivations" / "free_probability.py", tmp_path, "--document")
    assert proc.returncode == 0, _explain(proc)
    out = proc.stdout.strip()
    assert out.startswith(r"\documentclass"), out[:200]
    assert out.endswith(r"\end{document}"), out[-200:]
    assert out.count(r"\documentclass") == 1 and out.count(r"\begin{document}") == 1
    assert out.count(r"\begin{align}") == out.count(r"\end{align}") >= 6
    assert "all checks passed" in proc.stderr
