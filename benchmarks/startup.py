"""Start-up time of the ``rmtscale`` command, cold and warm, next to ``import numpy, scipy``.

Cold: empty compile caches (``NUMBA_CACHE_DIR`` and ``RMTSCALE_CACHE_DIR`` point at a fresh
temporary folder for each cold run; Python's own ``.pyc`` files are kept). Warm: the same
command again with those caches filled by the cold run; median of ``--repeats`` runs. Wall time
and CPU time (user + sys of the child) are both recorded: on a loaded machine wall time
includes waiting for a core, CPU time does not. Prints a markdown table (ratios are warm /
baseline) and, with ``--json FILE``, writes the raw numbers.

``--audit`` instead runs every registered solver at its defaults, one fresh process each,
twice (the first pass fills the caches), and lists for the second (warm) pass what each
still pays: sympy imported, numba functions compiled (cache misses), wall time.

    python benchmarks/startup.py [--repeats 5] [--cold-repeats 1] [--json out.json]
    python benchmarks/startup.py --audit
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BASELINE = ("import numpy, scipy", [sys.executable, "-c", "import numpy, scipy"])
COMMANDS = [
    ("rmtscale list", ["list"]),
    ("rmtscale solve mp.density q=0.5 x=1", ["solve", "mp.density", "q=0.5", "x=1"]),
    ("rmtscale solve ridge.test_error", ["solve", "ridge.test_error"]),
    ("rmtscale solve sgd.learning_curve", ["solve", "sgd.learning_curve"]),
]


def run_once(argv: list[str], cache: Path) -> tuple[float, float, int]:
    """(wall seconds, child CPU seconds, return code) of one run with caches under ``cache``."""
    env = dict(os.environ)
    env["NUMBA_CACHE_DIR"] = str(cache / "numba")
    env["RMTSCALE_CACHE_DIR"] = str(cache / "rmtscale")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
        print(f"  ! {' '.join(argv[1:])}: exit {proc.returncode}: {tail}", file=sys.stderr)
    return wall, cpu, proc.returncode


def measure(argv: list[str], repeats: int, cold_repeats: int) -> dict:
    cold_wall, cold_cpu, rcs = [], [], []
    with tempfile.TemporaryDirectory(prefix="rmtscale-startup-") as tmp:
        for i in range(cold_repeats):
            cache = Path(tmp) / f"cold{i}"  # empty: nothing compiled yet
            w, c, rc = run_once(argv, cache)
            cold_wall.append(w)
            cold_cpu.append(c)
            rcs.append(rc)
        warm = [run_once(argv, Path(tmp) / "cold0") for _ in range(repeats)]
    rcs += [rc for _, _, rc in warm]
    return {
        "cold_wall": statistics.median(cold_wall),
        "cold_cpu": statistics.median(cold_cpu),
        "warm_wall": statistics.median(w for w, _, _ in warm),
        "warm_cpu": statistics.median(c for _, c, _ in warm),
        "ok": all(rc == 0 for rc in rcs),
    }


AUDIT_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from numba.core import event
compiled = []
class Listener(event.Listener):
    def on_start(self, ev):
        f = getattr(ev.data.get("dispatcher"), "py_func", None)
        compiled.append(f"{f.__module__}.{f.__qualname__}" if f else "?")
    def on_end(self, ev):
        pass
event.register("numba:compile", Listener())
import rmtscale
before = "sympy" in sys.modules
rmtscale.solve(sys.argv[1])
print(json.dumps({"sympy": "sympy" in sys.modules and not before, "compiled": compiled,
                  "wall": time.perf_counter() - t0}))
"""


def audit() -> None:
    """Per solver, warm: does ``solve`` import sympy or compile with numba?"""
    import rmtscale

    names = rmtscale.solvers()
    result = {}
    for npass in (1, 2):
        for name in names:
            print(f"  pass {npass}: {name}", file=sys.stderr, flush=True)
            proc = subprocess.run([sys.executable, "-c", AUDIT_CHILD, name], capture_output=True,
                                  text=True)  # fmt: skip
            if proc.returncode != 0:
                err = proc.stderr.strip().splitlines()[-1:]
                result[name] = {"error": err[0] if err else f"exit {proc.returncode}"}
            else:
                result[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    print("| solver (warm) | wall (s) | imports sympy | numba compiles |")
    print("|---|---:|---|---|")
    for name, r in result.items():
        if "error" in r:
            print(f"| `{name}` | | | error: {r['error']} |")
            continue
        comp = ", ".join(sorted(set(r["compiled"]))) or "none"
        print(f"| `{name}` | {r['wall']:.2f} | {'yes' if r['sympy'] else 'no'} | {comp} |")


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Model name" in ln)
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="warm runs per command (median)")
    ap.add_argument("--cold-repeats", type=int, default=1, help="cold runs per command (median)")
    ap.add_argument("--json", type=Path, default=None, help="write the raw numbers here")
    ap.add_argument("--audit", action="store_true", help="per solver: sympy? numba compiles?")
    a = ap.parse_args()
    if a.audit:
        audit()
        return
    load0 = os.getloadavg()
    rows = []
    cli = [sys.executable, "-m", "rmtscale.cli"]
    for label, argv in [BASELINE] + [(lab, cli + cmd) for lab, cmd in COMMANDS]:
        print(f"  {label} ...", file=sys.stderr, flush=True)
        rows.append((label, measure(argv, a.repeats, a.cold_repeats)))
    load1 = os.getloadavg()
    base = rows[0][1]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"Machine: {machine()}; {stamp}; load average {load0[0]:.1f} at start, "
        f"{load1[0]:.1f} at end; warm = median of {a.repeats}, cold = median of "
        f"{a.cold_repeats}; Python {platform.python_version()}.\n"
    )
    print(
        "| command | cold wall (s) | warm wall (s) | warm CPU (s) | warm wall / baseline "
        "| warm CPU / baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in rows:
        flag = "" if r["ok"] else " (failed)"
        print(
            f"| `{label}`{flag} | {r['cold_wall']:.2f} | {r['warm_wall']:.2f} | "
            f"{r['warm_cpu']:.2f} | {r['warm_wall'] / base['warm_wall']:.1f}x | "
            f"{r['warm_cpu'] / base['warm_cpu']:.1f}x |"
        )
    if a.json is not None:
        a.json.write_text(
            json.dumps(
                {"machine": machine(), "date": stamp, "load": [load0, load1], "rows": dict(rows)},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
