"""CUDA-backend checks that must run in a process of their own (helper of test_sgd_cuda_sim.py).

Usage: ``python tests/cuda_sim_checks.py COMMAND [COMMAND ...]``; prints one JSON object per
check on stdout (a line starting with ``RESULT ``) and exits non-zero on a Python error.

* Under the CUDA simulator (the script sets ``NUMBA_ENABLE_CUDASIM=1`` before numba is
  imported unless ``--gpu`` is given):
  ``rng`` — register RNG (simulator version and the GPU source compiled with njit) against
  :mod:`rmtscale.simulate.xoroshiro`;
  ``compare`` or ``compare=CASE,CASE`` — ``training.train`` with ``backend="cuda"`` against
  ``backend="cpu"``, per-run losses (CASE names in :data:`CASES`);
  ``offset`` — ``run_offset`` selects the same streams as a larger call;
  ``recursion`` — online linear SGD mean E_g against the exact second-moment recursion;
  ``validation`` — bad inputs raise ParameterError, like the CPU backend;
  ``interleave=CASE,CASE`` — ``compare`` with ``numpy.empty`` sleeping 2 ms (releasing the GIL)
  during the simulated launches, so the block's threads interleave wherever an array is
  created: a shared array created check-then-set without a lock is then not shared (issue 17);
  ``stress=REPS`` or ``stress=REPS:CASE,CASE`` — ``compare`` repeated REPS times per case
  (the CPU reference computed once), one result per case with the number of mismatches.
* ``ptx`` (real numba.cuda, no simulator, no GPU needed): compile every kernel to PTX for
  sm_90 when NVVM is installed (skipped otherwise).
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

GPU = "--gpu" in sys.argv or "ptx" in sys.argv[1:]
if not GPU:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
# The simulator runs each GPU thread as a Python thread and polls them at barriers: a short
# switch interval makes its syncthreads ~10x cheaper.
sys.setswitchinterval(1e-4)

import numpy as np  # noqa: E402

from rmtscale.spectra import from_arrays, power_law  # noqa: E402


def emit(**kw):
    print("RESULT " + json.dumps(kw), flush=True)


def _spec(D):
    return power_law(1.5, 0.8, D)


# name: (model, kwargs); tiny sizes, the simulator runs ~1e4 thread-steps per second
CASES = {
    # D = 64: two coordinates per lane, so the lane-order reduction differs from the CPU's
    "linear_online_b1": ("linear", dict(D=64, batch=1, steps=30, runs=3, noise=0.2, lr=0.4)),
    "linear_online_b4": ("linear", dict(D=48, batch=4, steps=20, runs=3, noise=0.1, lr=0.8)),
    # P = 40 > 32 samples: two chunks of block reductions per step
    "linear_full_gd": ("linear", dict(D=48, batch=None, P=40, steps=10, runs=2, lr=0.5)),
    "linear_full_gd_gram": ("linear", dict(D=16, batch=None, P=20, steps=20, runs=2, lr=0.5)),
    "linear_minibatch": ("linear", dict(D=32, batch=3, P=10, steps=15, runs=3, lr=0.5)),
    "linear_online_b34": ("linear", dict(D=8, batch=34, steps=6, runs=1, noise=0.3, lr=0.9)),
    "linear_population": ("linear", dict(D=40, batch=None, steps=20, runs=2, lr=0.9)),
    "rf_online": ("rf", dict(D=32, N=20, batch=2, steps=12, runs=2, lr=0.4)),
    "rf_online_densek": ("rf", dict(D=16, N=40, batch=1, steps=20, runs=2, lr=0.3)),
    "two_layer_online": (
        "two_layer",
        dict(D=24, N=36, batch=2, steps=12, runs=2, lr=0.3, gamma=0.7, noise=0.05),
    ),
    "rf_minibatch": ("rf", dict(D=16, N=12, P=10, batch=4, steps=12, runs=2, lr=0.4)),
    "rf_full_gd_gram": ("rf", dict(D=8, N=6, P=10, batch=None, steps=10, runs=2, lr=0.4)),
    "two_layer_full_gd": ("two_layer", dict(D=16, N=8, P=6, batch=None, steps=15, runs=2, lr=0.2)),
    "two_layer_population": ("two_layer", dict(D=16, N=8, batch=None, steps=10, runs=1, lr=0.2)),
    # diverges within a few steps: the kernels stop the run at the next check (inf after)
    "linear_diverge": ("linear", dict(D=32, batch=1, steps=140, runs=2, lr=1e4)),
    "linear_diverge_b2": ("linear", dict(D=32, batch=2, steps=140, runs=1, lr=1e4)),
}


def run_case(name, backend, seed=11, run_offset=0, runs=None):
    from rmtscale.simulate.training import train

    model, kw = CASES[name]
    kw = dict(kw)
    D = kw.pop("D")
    steps = kw["steps"]
    if runs is not None:
        kw["runs"] = runs
    times = sorted(t for t in {0, 1, 2, 3, 5, 8, 13, steps // 2, steps} if t <= steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return train(
            model,
            _spec(D),
            seed=seed,
            times=times,
            backend=backend,
            return_runs=True,
            run_offset=run_offset,
            **kw,
        )


def _rel(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    both_inf = np.isinf(a) & np.isinf(b)
    if np.any(np.isinf(a) != np.isinf(b)):
        return float("inf")
    a = np.where(both_inf, 1.0, a)
    b = np.where(both_inf, 1.0, b)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def cmd_compare(names):
    for name in names:
        t0 = time.perf_counter()
        g = run_case(name, "cuda")
        t_sim = time.perf_counter() - t0
        c = run_case(name, "cpu")
        out = dict(
            check="compare",
            case=name,
            backend=g.backend,
            rel_loss=_rel(g.runs_loss, c.runs_loss),
            n_inf=int(np.isinf(g.runs_loss).sum()),
            sim_seconds=round(t_sim, 2),
        )
        if c.runs_train is not None:
            out["rel_train"] = _rel(g.runs_train, c.runs_train)
            out["train_shape_ok"] = bool(g.runs_train.shape == c.runs_train.shape)
        emit(**out)


def _compare_one(name, cuda_run, cpu_run):
    out = dict(
        rel_loss=_rel(cuda_run.runs_loss, cpu_run.runs_loss),
        n_inf=int(np.isinf(cuda_run.runs_loss).sum()),
    )
    if cpu_run.runs_train is not None:
        out["rel_train"] = _rel(cuda_run.runs_train, cpu_run.runs_train)
    return out


def cmd_interleave(names):
    """``compare`` while every array creation yields the GIL for 2 ms (issue 17)."""
    real = np.empty

    def slow_empty(*args, **kwargs):
        out = real(*args, **kwargs)
        time.sleep(0.002)
        return out

    for name in names:
        np.empty = slow_empty  # the numpy module: the simulator's look-ups see it too
        try:
            g = run_case(name, "cuda")
        finally:
            np.empty = real
        emit(check="interleave", case=name, **_compare_one(name, g, run_case(name, "cpu")))


def cmd_stress(reps, names):
    """``compare`` ``reps`` times per case; counts runs that are not within 1e-10."""
    for name in names:
        ref = run_case(name, "cpu")
        fails, worst = 0, 0.0
        for _ in range(reps):
            r = _compare_one(name, run_case(name, "cuda"), ref)
            rel = max(r["rel_loss"], r.get("rel_train", 0.0))
            worst = max(worst, rel)
            fails += int(not rel <= 1e-10)
        emit(check="stress", case=name, reps=reps, fails=fails, worst_rel=worst)


def cmd_offset():
    """run_offset: runs 1..2 of a 3-run call equal a 2-run call with run_offset=1; a device
    budget of one run per chunk gives the same numbers; a budget below one run is a
    ParameterError."""
    from rmtscale.errors import ParameterError
    from rmtscale.simulate.training import cuda as tcuda

    a = run_case("rf_online", "cuda", runs=3)
    b = run_case("rf_online", "cuda", runs=2, run_offset=1)
    model, kw = CASES["rf_online"]
    dense_k = kw["D"] <= 2 * kw["N"]
    per_run, _ = tcuda._per_run_bytes(1, 1, kw["D"], kw["N"], kw["batch"], 0, dense_k, False)
    saved = tcuda.DEVICE_BUDGET_BYTES
    try:
        tcuda.DEVICE_BUDGET_BYTES = per_run + 1  # chunks of one run
        c = run_case("rf_online", "cuda", runs=3)
        tcuda.DEVICE_BUDGET_BYTES = per_run - 1
        try:
            run_case("rf_online", "cuda", runs=1)
            too_big = "no error"
        except ParameterError as exc:
            too_big = str(exc)
    finally:
        tcuda.DEVICE_BUDGET_BYTES = saved
    emit(
        check="offset",
        max_abs=float(np.max(np.abs(a.runs_loss[1:] - b.runs_loss))),
        chunked_max_abs=float(np.max(np.abs(a.runs_loss - c.runs_loss))),
        too_big=too_big,
    )


def cmd_rng():
    from numba import njit

    from rmtscale.simulate import xoroshiro
    from rmtscale.simulate.training.cuda import rng as cuda_rng

    st = xoroshiro.init_states(3, 123, 5)
    ref = xoroshiro.init_states(3, 123, 5)
    worst = {}
    for label, fns in (
        ("sim", cuda_rng.rng_functions(sim=True)),
        ("gpu_source_njit", cuda_rng.rng_functions(njit)),
    ):
        bad = 0
        s = st.copy()
        r = ref.copy()
        for i in range(3):
            s0, s1 = s[i, 0], s[i, 1]
            for n in range(300):
                s0, s1 = np.uint64(s0), np.uint64(s1)
                kind = n % 3
                if kind == 0:
                    v, s0, s1 = fns.next(s0, s1)
                    w = xoroshiro.next_u64(r, i)
                    bad += int(int(v) != int(w))
                elif kind == 1:
                    v, s0, s1 = fns.uniform(s0, s1)
                    bad += int(v != xoroshiro.uniform_f64(r, i))
                else:
                    v, s0, s1 = fns.normal(s0, s1)
                    bad += int(v != xoroshiro.normal_f64(r, i))
            bad += int(int(s0) != int(r[i, 0])) + int(int(s1) != int(r[i, 1]))
        worst[label] = bad
    emit(check="rng", mismatches=worst)


def cmd_recursion(runs=8):
    """Mean E_g of online linear SGD (runs of the B=1 and B=4 kernels) against the exact
    recursion c_k(t+1) = ρ_k c_k + (lr²/B) λ_k (Σ_j λ_j c_j + noise)."""
    from rmtscale.simulate.training import train

    D, steps, noise = 32, 30, 0.1
    lam = 1.0 / np.arange(1, D + 1)
    spec = from_arrays(lam, lam * np.linspace(1.0, 0.2, D))
    wbar2 = spec.teacher_sq
    out = []
    for B, lr in ((1, 0.25), (4, 0.8)):
        times = [0, 5, 10, 20, 30]
        res = train(
            "linear",
            spec,
            lr=lr,
            steps=steps,
            batch=B,
            noise=noise,
            runs=runs,
            seed=5,
            times=times,
            backend="cuda",
        )
        c = wbar2.copy()
        theory = {0: float(lam @ c)}
        rho = (1 - lr * lam) ** 2 + lr**2 / B * lam**2
        for t in range(1, steps + 1):
            c = rho * c + lr**2 / B * lam * (lam @ c + noise)
            theory[t] = float(lam @ c)
        th = np.array([theory[t] for t in times])
        z = (res.loss_mean[1:] - th[1:]) / res.loss_stderr[1:]
        out.append(
            dict(
                B=B,
                theory=th.tolist(),
                mean=res.loss_mean.tolist(),
                stderr=res.loss_stderr.tolist(),
                max_abs_z=float(np.max(np.abs(z))),
                t0_exact=bool(abs(res.loss_mean[0] - th[0]) < 1e-12 * th[0]),
            )
        )
    emit(check="recursion", runs=runs, cases=out)


def cmd_validation():
    from rmtscale.errors import ParameterError
    from rmtscale.simulate.training import train

    s = _spec(8)
    bad = [
        dict(model="cnn"),
        dict(lr=-1.0),
        dict(steps=0),
        dict(batch=0),
        dict(model="rf", N=None),
        dict(noise=-0.1),
        dict(runs=0),
        dict(times=[0, 99]),
        dict(gamma=0.0),
    ]
    ok = []
    for b in bad:
        kw = dict(model="linear", lr=0.1, steps=5, batch=1, runs=1)
        kw.update(b)
        model = kw.pop("model")
        try:
            train(model, s, backend="cuda", **kw)
            ok.append(f"{b}: no error")
        except ParameterError as exc:
            ok.append(f"ParameterError: {exc}")
    emit(check="validation", messages=ok)


def _ptxas(ptx):
    """Registers / spills from ptxas -v, when a CUDA toolkit is installed."""
    import re
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
    if not os.path.exists(exe):
        import glob

        found = sorted(glob.glob("/usr/local/cuda*/bin/ptxas"))
        if not found:
            return {}
        exe = found[-1]
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "k.ptx")
        with open(src, "w") as fh:
            fh.write(ptx)
        p = subprocess.run(
            [exe, "-arch=sm_90", "-v", src, "-o", os.path.join(d, "k.cubin")],
            capture_output=True,
            text=True,
        )
    text = p.stdout + p.stderr
    reg = re.search(r"Used (\d+) registers", text)
    spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", text)
    stack = re.search(r"(\d+) bytes stack frame", text)
    return dict(
        ptxas_ok=p.returncode == 0,
        registers=int(reg.group(1)) if reg else None,
        spill_bytes=int(spill.group(1)) + int(spill.group(2)) if spill else None,
        stack_bytes=int(stack.group(1)) if stack else None,
    )


def cmd_ptx():
    """Compile every kernel for sm_90 with the real numba-cuda (needs NVVM, not a GPU)."""
    from rmtscale.simulate.training import cuda as tcuda

    try:
        kk = tcuda.kernels()
        cuda = kk.cuda
        cuda.compile_ptx(lambda a: None, "(float64[::1],)", cc=(9, 0))
    except Exception as exc:  # noqa: BLE001
        emit(check="ptx", skipped=f"{type(exc).__name__}: {exc}"[:300])
        return
    from types import SimpleNamespace

    import numba
    import numba.cuda.dispatcher as cd

    # device functions ask the (absent) current device for its compute capability
    cd.get_current_device = lambda: SimpleNamespace(compute_capability=(9, 0))
    f, i = np.zeros((2, 2)), np.zeros((2, 2), dtype=np.int64)
    f1, f3, u = np.zeros(2), np.zeros((2, 2, 2)), np.zeros((2, 2), dtype=np.uint64)
    t = np.zeros(2, dtype=np.int64)
    sigs = {
        "linear_online_b1": (u, f1, f1, f1, 0.1, 0.1, t, f, f),
        "init": (u, 1, 1, True, True, 2, f1, f1, 0.1, f, f3, f, f3, f3, f, f3, f, f, f),
        "train": (u, 1, 1, True, True, 2, 2, f1, f1, f1, 0.1, 0.1, 0.1, t, f, f, f3, f, f, i)
        + (f3, f, f3, f, f, f3, f3, f, f, f3, f, f, f),
    }
    info = {}
    for name, args in sigs.items():
        sig = tuple(numba.typeof(a) for a in args)
        t0 = time.perf_counter()
        ptx, _ = cuda.compile_ptx(getattr(kk.raw, name), sig, cc=(9, 0))
        info[name] = dict(seconds=round(time.perf_counter() - t0, 2), ptx_lines=ptx.count("\n"))
        info[name].update(_ptxas(ptx))
    emit(check="ptx", kernels=info)


COMMANDS = {
    "rng": cmd_rng,
    "recursion": cmd_recursion,
    "validation": cmd_validation,
    "offset": cmd_offset,
    "ptx": cmd_ptx,
}


def main(argv):
    warnings.simplefilter("ignore", category=Warning)
    for cmd in argv:
        if cmd == "--gpu":
            continue
        if cmd == "compare" or cmd.startswith("compare="):
            names = cmd.partition("=")[2]
            cmd_compare(names.split(",") if names else list(CASES))
        elif cmd.startswith("interleave="):
            cmd_interleave(cmd.partition("=")[2].split(","))
        elif cmd.startswith("stress="):
            reps, _, names = cmd.partition("=")[2].partition(":")
            cmd_stress(int(reps), names.split(",") if names else list(CASES))
        elif cmd.startswith("recursion="):
            cmd_recursion(int(cmd.partition("=")[2]))
        elif cmd in COMMANDS:
            COMMANDS[cmd]()
        else:
            raise SystemExit(f"unknown command {cmd!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
