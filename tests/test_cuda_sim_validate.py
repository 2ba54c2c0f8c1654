"""`rmtscale validate … --backend cuda` end to end under numba-cuda's simulator.

The simulator must be enabled before numba.cuda is imported, so the CLI runs in a subprocess
with NUMBA_ENABLE_CUDASIM=1. Both backends draw the same xoroshiro128+ streams, so the cuda
validation must report the same simulated means as the cpu one (up to reduction order)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["D=8", "steps=20", "check=3", "--seeds", "16", "--json"]


def _validate(name: str, backend: str, cudasim: bool, *extra: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if cudasim:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    else:
        env.pop("NUMBA_ENABLE_CUDASIM", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rmtscale.cli",
            "validate",
            name,
            *extra,
            *ARGS,
            "--backend",
            backend,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize(
    ("name", "extra"),
    [("sgd.learning_curve", ()), ("rf_gd.learning_curve", ("N=4", "lr=0.3"))],
)
def test_cuda_validation_equals_cpu_under_simulator(name, extra):
    cuda = _validate(name, "cuda", True, *extra)
    cpu = _validate(name, "cpu", False, *extra)
    assert cuda["backend"] == "cuda" and cpu["backend"] == "cpu"
    assert cuda["passed"] is True and cpu["passed"] is True
    assert len(cuda["cases"]) == len(cpu["cases"]) == 9
    for a, b in zip(cuda["cases"], cpu["cases"], strict=True):
        assert a["mean"] == pytest.approx(b["mean"], rel=1e-9)
        assert a["stderr"] == pytest.approx(b["stderr"], rel=1e-6)
