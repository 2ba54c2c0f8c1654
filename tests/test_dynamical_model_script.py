"""derivations/dynamical_model.py with its flags: ``--document`` puts exactly one standalone
LaTeX document on stdout (the narrative and the summary go to stderr) and ``--plot`` writes the
figure. The plain run is covered by tests/test_scripts.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "derivations" / "dynamical_model.py"


def test_document_and_plot(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    png = tmp_path / "bottlenecks.png"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--document", "--plot", str(png)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    out = proc.stdout.strip()
    assert out.startswith(r"\documentclass"), out[:200]
    assert out.endswith(r"\end{document}"), out[-200:]
    assert out.count(r"\documentclass") == 1 and out.count(r"\begin{document}") == 1
    assert out.count(r"\begin{align}") == out.count(r"\end{align}") == 1
    assert "Summary" in proc.stderr and "all checks passed" in proc.stderr
    assert png.is_file() and png.stat().st_size > 0
