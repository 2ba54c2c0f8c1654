"""Benchmark: online SGD on a 4096-mode power-law linear model, steps × runs per second.

Setup: ``power_law(alpha=1.5, beta=0.8, D=4096)``, online SGD (fresh samples every step),
noise 0.1, batch B = 1 and B = 32, weights start at 0, E_g recorded only at the first and last
step. Implementations:

(a) rmtscale's numba-cuda kernels (``training.train(backend="cuda")``, ``training.cuda``),
    1024 runs, one warp per run (B = 1: the fused ``linear_online_b1`` kernel; B = 32: the
    generic ``train`` kernel);
(b) the same algorithm in PyTorch eager, batched over runs, on the same GPU (float64,
    ``torch.randn``; skipped when torch or a GPU is missing);
(c) rmtscale's CPU backend (``training.train(backend="cpu")``: numba, runs over threads; fewer runs
    and steps, reported per step × run);
(d) plain numpy batched over runs (``Generator.standard_normal``), always available: the
    CPU-only reference.

Rates are differences of two step counts, (runs·(S₂−S₁))/(t₂−t₁), so one-off costs
(compilation, RNG seeding, allocation, copies) cancel. On a GPU the script also reports the
achieved DRAM bandwidth and FLOP rate under the count model printed with the table, and two
measured ceilings: device-to-device copy bandwidth (numba ``copy_to_device``) and a pure
RNG kernel (the same register xoroshiro128+ Box–Muller normals, summed, 32 streams per run).

    PYTHONPATH=. python3 benchmarks/sgd_kernels.py --quick      # < 1 min on a 2-core CPU
    PYTHONPATH=. python3 benchmarks/sgd_kernels.py --json out.json
    # exercise the GPU code path of this script under the CUDA simulator (tiny sizes; the
    # numbers mean nothing):
    PYTHONPATH=. python3 benchmarks/sgd_kernels.py --sim-smoke --modes 64 --runs 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import warnings

if "--sim-smoke" in sys.argv:  # must precede the first numba import
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"

import numpy as np  # noqa: E402

from rmtscale.spectra import power_law  # noqa: E402

ALPHA, BETA, NOISE = 1.5, 0.8, 0.1


def lr_for(B: int) -> float:
    """A stable step size: well below 2B/Tr Σ (Tr Σ ≈ 2.6) and 2/λ_max = 2."""
    return min(0.25 * B, 1.0)


# ---------------------------------------------------------------------------- timing helper
def rate(fn, runs: int, s1: int, s2: int, reps: int = 2) -> dict:
    """Steps × runs per second from fn(steps) at two step counts (fn returns when done);
    each timing is the best of ``reps``."""

    def best(n):
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn(n)
            ts.append(time.perf_counter() - t0)
        return min(ts)

    a, b = best(s1), best(s2)
    dt = b - a
    if dt <= 0.05 * b:  # noise swamped the difference: use the longer call alone
        dt = b * (s2 - s1) / s2
    return dict(runs=runs, steps=[s1, s2], seconds=[a, b], rate=runs * (s2 - s1) / dt)


# ---------------------------------------------------------------------------- (d) numpy
def numpy_online(spec, B, runs, steps, seed=0):
    rng = np.random.default_rng(seed)
    sl = np.sqrt(spec.eigenvalues)
    lam = spec.eigenvalues
    e = -np.sqrt(spec.target_power / lam) * np.ones((runs, 1))
    lr, sd = lr_for(B), math.sqrt(NOISE)
    for _ in range(steps):
        x = rng.standard_normal((runs, B, lam.size)) * sl
        r = np.einsum("rbd,rd->rb", x, e) - sd * rng.standard_normal((runs, B))
        e -= (lr / B) * np.einsum("rb,rbd->rd", r, x)
    return (e * e) @ lam


# ---------------------------------------------------------------------------- (c) CPU backend
def cpu_backend(spec, B, runs, steps):
    from rmtscale.simulate.training import train

    return train(
        "linear",
        spec,
        lr=lr_for(B),
        steps=steps,
        batch=B,
        noise=NOISE,
        runs=runs,
        seed=1,
        times=[0, steps],
        backend="cpu",
        progress=False,
    )


# ---------------------------------------------------------------------------- (a) numba-cuda
def gpu_available(sim_smoke: bool = False) -> tuple[bool, str]:
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        if sim_smoke:
            return True, "CUDA simulator (--sim-smoke: timings are meaningless)"
        return False, "NUMBA_ENABLE_CUDASIM=1 (the simulator is not benchmarked)"
    try:
        from rmtscale.simulate.backends import _import_numba_cuda

        cuda = _import_numba_cuda()
        if not cuda.is_available():
            return False, "numba.cuda sees no GPU"
        dev = cuda.get_current_device()
        name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
        return True, f"{name} (cc {dev.compute_capability[0]}.{dev.compute_capability[1]})"
    except Exception as exc:  # noqa: BLE001
        return False, f"no usable CUDA: {type(exc).__name__}: {exc}"[:200]


def cuda_online(spec, B, runs, steps):
    from rmtscale.simulate.training import train

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a diverged run would inflate the rate
        return train(
            "linear",
            spec,
            lr=lr_for(B),
            steps=steps,
            batch=B,
            noise=NOISE,
            runs=runs,
            seed=1,
            times=[0, steps],
            backend="cuda",
        )


def copy_bandwidth(nbytes=1 << 30, reps=10) -> float:
    """Device-to-device copy, GB/s counting read + write."""
    from rmtscale.simulate.backends import _import_numba_cuda

    cu = _import_numba_cuda()
    a = cu.device_array(nbytes // 8, dtype=np.float64)
    b = cu.device_array(nbytes // 8, dtype=np.float64)
    b.copy_to_device(a)
    cu.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        b.copy_to_device(a)
    cu.synchronize()
    return 2 * nbytes * reps / (time.perf_counter() - t0) / 1e9


cuda = None  # numba.cuda once bound: a module global, so the simulator can swap it


def rng_ceiling(runs=1024, per_thread=8192) -> float:
    """Normals per second of the register xoroshiro128+ Box–Muller alone (32 streams/run)."""
    global cuda
    from numba import config

    from rmtscale.simulate.backends import _import_numba_cuda
    from rmtscale.simulate.training.cuda.rng import rng_functions
    from rmtscale.simulate.xoroshiro import init_states

    cuda = _import_numba_cuda()
    if config.ENABLE_CUDASIM:
        normal = rng_functions(sim=True).normal
    else:
        normal = rng_functions(cuda.jit(device=True)).normal

    @cuda.jit
    def k(states, n, out):
        i = cuda.grid(1)
        if i >= states.shape[0]:
            return
        s0 = states[i, 0]
        s1 = states[i, 1]
        acc = 0.0
        for _ in range(n):
            g, s0, s1 = normal(s0, s1)
            acc += g
        out[i] = acc

    nt = runs * 32
    st = cuda.to_device(init_states(nt, 3))
    out = cuda.device_array(nt, dtype=np.float64)
    k[runs, 32](st, 16, out)
    cuda.synchronize()
    t0 = time.perf_counter()
    k[runs, 32](st, per_thread, out)
    cuda.synchronize()
    return nt * per_thread / (time.perf_counter() - t0)


# ---------------------------------------------------------------------------- (b) torch
def torch_online_factory(spec, B, runs):
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("torch sees no GPU")
    dev = torch.device("cuda")
    lam = torch.tensor(spec.eigenvalues, dtype=torch.float64, device=dev)
    sl = lam.sqrt()
    wbar = torch.tensor(np.sqrt(spec.target_power / spec.eigenvalues), device=dev)
    lr, sd = lr_for(B), math.sqrt(NOISE)

    def run(steps):
        e = (-wbar).repeat(runs, 1)
        for _ in range(steps):
            x = torch.randn(runs, B, lam.numel(), dtype=torch.float64, device=dev) * sl
            eps = sd * torch.randn(runs, B, dtype=torch.float64, device=dev)
            r = torch.bmm(x, e.unsqueeze(-1)).squeeze(-1) - eps
            e -= (lr / B) * torch.bmm(r.unsqueeze(1), x).squeeze(1)
        eg = (e * e) @ lam
        torch.cuda.synchronize()
        return eg

    return run


# ---------------------------------------------------------------------------- count model
def count_model(D: int, B: int) -> dict:
    """Per step and run. Useful normals: B·D. The B = 1 kernel generates 2D (it replays the
    previous sample instead of storing it). Flops (no RNG): x = √λ·g (1), x·e (2), Σ r x (2)
    per mode and sample, the update (2) and Σλe² (3, B = 1 kernel) per mode and step. DRAM
    bytes: B = 1: e read + write (16 D); B > 1: the sample scratch written and read back
    (16 B·D) plus e read + write (16 D) (the B re-reads of e in the dot products hit L1/L2)."""
    if B == 1:
        return dict(normals=D, generated_normals=2 * D, flops=5 * D + 5 * D, bytes=16 * D)
    return dict(
        normals=B * D, generated_normals=B * D, flops=5 * B * D + 2 * D, bytes=16 * B * D + 16 * D
    )


# ---------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small step counts (< 1 min on a CPU)")
    ap.add_argument("--modes", type=int, default=4096)
    ap.add_argument("--runs", type=int, default=1024, help="runs for the GPU implementations")
    ap.add_argument("--batches", type=str, default="1,32")
    ap.add_argument("--json", type=str, default=None, help="also write the JSON here")
    ap.add_argument(
        "--sim-smoke", action="store_true", help="run the GPU path under the CUDA simulator"
    )
    args = ap.parse_args()
    smoke = args.sim_smoke
    D = args.modes
    spec = power_law(ALPHA, BETA, D)
    batches = [int(b) for b in args.batches.split(",")]
    q = args.quick
    results: list[dict] = []
    notes: list[str] = []

    def add(impl, B, r, **extra):
        row = dict(impl=impl, B=B, **r, **extra)
        results.append(row)
        print(
            f"  {impl:<28} B={B:<3} runs={r['runs']:<5} steps={r['steps']} "
            f"-> {r['rate']:.4g} steps·runs/s",
            file=sys.stderr,
        )

    # (d) numpy — always
    for B in batches:
        runs = 32 if q else 64
        s = (20, 80) if B == 1 else (2, 6)
        if not q:
            s = (s[0] * 4, s[1] * 4)
        add(
            "numpy batched (CPU)",
            B,
            rate(lambda n, B=B, R=runs: numpy_online(spec, B, R, n), runs, *s),
        )

    # (c) CPU backend
    try:
        cpu_backend(spec, 1, 2, 2)  # compile / load the numba cache
        for B in batches:
            runs = 8 if q else 32
            s = (50, 300) if B == 1 else (5, 20)
            if not q:
                s = (s[0] * 4, s[1] * 4)
            add(
                "rmtscale cpu backend",
                B,
                rate(lambda n, B=B, R=runs: cpu_backend(spec, B, R, n), runs, *s),
            )
    except ImportError as exc:
        notes.append(f"(c) CPU backend skipped: {exc}")

    ok, device = gpu_available(smoke)
    gpu_info: dict = {"device": device}
    if not ok:
        notes.append(f"no CUDA GPU ({device}): skipping (a) numba-cuda and (b) PyTorch")
    else:
        runs = args.runs
        cuda_online(spec, 1, 2, 2)
        cuda_online(spec, 2, 2, 2)  # compile both kernels
        for B in batches:
            s = (200, 1200) if B == 1 else (20, 120)
            if q:
                s = (s[0] // 4, s[1] // 4)
            if smoke:
                s = (2, 4)
            r = rate(lambda n, B=B: cuda_online(spec, B, runs, n), runs, *s)
            cm = count_model(D, B)
            add(
                "rmtscale numba-cuda",
                B,
                r,
                GB_per_s=r["rate"] * cm["bytes"] / 1e9,
                GFLOP_per_s=r["rate"] * cm["flops"] / 1e9,
                Gnormals_per_s=r["rate"] * cm["generated_normals"] / 1e9,
                count_model=cm,
            )
        try:
            gpu_info["copy_GB_per_s"] = copy_bandwidth(1 << 16 if smoke else 1 << 30)
            gpu_info["rng_Gnormals_per_s"] = rng_ceiling(runs, 8 if smoke else 8192) / 1e9
        except Exception as exc:  # noqa: BLE001
            notes.append(f"ceilings failed: {type(exc).__name__}: {exc}")
        try:
            if smoke:
                raise ImportError("not with --sim-smoke")
            import torch  # noqa: F401

            for B in batches:
                fn = torch_online_factory(spec, B, runs)
                fn(3)
                s = (50, 300) if B == 1 else (5, 30)
                if q:
                    s = (s[0] // 5, s[1] // 5)
                add("PyTorch eager (GPU)", B, rate(fn, runs, *s))
        except ImportError:
            notes.append("(b) PyTorch skipped: torch is not installed")
        except Exception as exc:  # noqa: BLE001
            notes.append(f"(b) PyTorch skipped: {type(exc).__name__}: {exc}"[:200])

    # ---- report
    base = {r["B"]: r["rate"] for r in results if r["impl"].startswith("numpy")}
    print(
        f"\n## Online SGD, linear model, power law α={ALPHA} β={BETA}, D={D}, float64\n\n"
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"GPU: {device}\n"
    )
    print("| implementation | B | runs | steps·runs/s | × numpy | GB/s | GFLOP/s | Gnormal/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        extra = [
            f"{r[k]:.4g}" if k in r else "" for k in ("GB_per_s", "GFLOP_per_s", "Gnormals_per_s")
        ]
        print(
            f"| {r['impl']} | {r['B']} | {r['runs']} | {r['rate']:.4g} | "
            f"{r['rate'] / base[r['B']]:.3g} | " + " | ".join(extra) + " |"
        )
    if ok:
        print(
            f"\nMeasured ceilings: device-to-device copy {gpu_info.get('copy_GB_per_s', 0):.4g}"
            f" GB/s; register xoroshiro128+ normals {gpu_info.get('rng_Gnormals_per_s', 0):.4g}"
            " G/s."
        )
        print(
            "Count model per step and run: " + " ".join(count_model.__doc__.split()) + " "
            "GB/s, GFLOP/s and Gnormal/s are the model's counts × the measured rate."
        )
    for n in notes:
        print(f"\n{n}")
    out = dict(
        setup=dict(
            alpha=ALPHA, beta=BETA, D=D, noise=NOISE, quick=q, lr={B: lr_for(B) for B in batches}
        ),
        host=dict(
            machine=platform.machine(), cpus=os.cpu_count(), python=platform.python_version()
        ),
        gpu=gpu_info,
        results=results,
        notes=notes,
    )
    print("\n```json\n" + json.dumps(out, indent=1) + "\n```")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
