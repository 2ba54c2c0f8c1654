"""CPU backend of the training simulator (rmtscale.simulate.training) and the xoroshiro128+ adapter.

Reference computations here rebuild each run's random numbers from the documented stream layout
(lane-major, independently of the kernel's loop order) and redo the training in numpy, so a
wrong kernel, a wrong layout or a wrong update rule fails a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rmtscale.errors import BackendError, ParameterError
from rmtscale.simulate import xoroshiro as xr
from rmtscale.simulate.training import LANES, default_times, train
from rmtscale.simulate.training import cpu as training_cpu
from rmtscale.spectra import from_arrays, isotropic, power_law

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ============================================================================ reference RNG
class Streams:
    """One run's LANES streams, drawn lane by lane as the layout documents."""

    def __init__(self, seed: int, run: int):
        self.s = xr.init_states(LANES, seed, run * LANES)

    def normals(self, n: int) -> np.ndarray:
        out = np.empty(n)
        for lane in range(min(n, LANES)):
            cnt = len(range(lane, n, LANES))
            out[lane::LANES] = xr.draw(self.s, lane, cnt, "normal")
        return out

    def uniforms(self, n: int) -> np.ndarray:
        out = np.empty(n)
        for lane in range(min(n, LANES)):
            cnt = len(range(lane, n, LANES))
            out[lane::LANES] = xr.draw(self.s, lane, cnt, "uniform")
        return out

    def sample(self, lam: np.ndarray, noise: float) -> tuple[np.ndarray, float]:
        x = np.sqrt(lam) * self.normals(lam.size)
        return x, np.sqrt(noise) * xr.draw(self.s, 0, 1, "normal")[0]

    def dataset(self, lam, noise, P):
        xs, eps = zip(*(self.sample(lam, noise) for _ in range(P)))
        return np.array(xs), np.array(eps)

    def matrix(self, D: int, N: int) -> np.ndarray:
        """D×N, column by column, entries N(0, 1/D)."""
        return np.stack([self.normals(D) / np.sqrt(D) for _ in range(N)], axis=1)


def teacher(sp):
    return np.sqrt(sp.target_power / sp.eigenvalues)


def eg(lam, e):
    return float(np.sum(lam * e * e))


def assert_close(a, b, rtol, atol=1e-300):
    a, b = np.asarray(a, float), np.asarray(b, float)
    err = np.max(np.abs(a - b) / np.maximum(np.abs(b), atol))
    assert err <= rtol, f"max relative error {err:.3g} > {rtol:g}\n{a}\n{b}"
    return err


SP16 = power_law(1.5, 1.0, 16)
SP40 = power_law(1.3, 0.8, 40)  # D > LANES: lanes wrap around


# ============================================================================ xoroshiro
_SIM_SCRIPT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np
    if not hasattr(np, "row_stack"):
        np.row_stack = np.vstack
    warnings.simplefilter("ignore")  # uint64 wrap-around warnings of the simulator
    from numba import cuda
    import numba.cuda.random as R
    from rmtscale.simulate import xoroshiro as X

    res = {}
    dev = X.build(cuda.jit(device=True))

    @cuda.jit
    def numba_draws(states, ou, of, on):
        i = cuda.grid(1)
        if i < states.shape[0]:
            for j in range(ou.shape[1]):
                ou[i, j] = R.xoroshiro128p_next(states, i)
                of[i, j] = R.xoroshiro128p_uniform_float64(states, i)
                on[i, j] = R.xoroshiro128p_normal_float64(states, i)

    @cuda.jit
    def adapter_draws(states, on):
        i = cuda.grid(1)
        if i < states.shape[0]:
            for j in range(on.shape[1]):
                on[i, j] = dev.normal_f64(states, i)

    n, m = 6, 40
    for seed, k in [(0, 0), (2**64 - 1, 2)]:
        # uint64 seeds: one object-mode compile of numba's initialiser under the simulator
        d = R.create_xoroshiro128p_states(n, np.uint64(seed), subsequence_start=k)
        host = np.empty(n, dtype=R.xoroshiro128p_dtype)
        R.init_xoroshiro128p_states_cpu(host, np.uint64(seed), k)
        mine = X.init_states(n, seed, k)
        res[f"states_{seed}_{k}"] = bool(
            np.array_equal(mine, X.from_numba_states(d.copy_to_host()))
            and np.array_equal(mine, X.from_numba_states(host))
        )
        ou = np.zeros((n, m), np.uint64)
        of = np.zeros((n, m))
        on = np.zeros((n, m))
        numba_draws[1, n](d, ou, of, on)
        s = mine.copy()
        mu = np.zeros((n, m), np.uint64)
        mf = np.zeros((n, m))
        mn = np.zeros((n, m))
        for i in range(n):
            for j in range(m):
                mu[i, j] = X.next_u64(s, i)
                mf[i, j] = X.uniform_f64(s, i)
                mn[i, j] = X.normal_f64(s, i)
        res[f"u64_{seed}"] = bool(np.array_equal(ou, mu))
        res[f"uniform_{seed}"] = bool(np.array_equal(of.view(np.uint64), mf.view(np.uint64)))
        res[f"normal_{seed}"] = bool(np.array_equal(on.view(np.uint64), mn.view(np.uint64)))
        o2 = np.zeros((n, m))
        adapter_draws[1, n](cuda.to_device(mine.copy()), o2)
        s = mine.copy()
        ref = np.array([[X.normal_f64(s, i) for _ in range(m)] for i in range(n)])
        res[f"device_build_{seed}"] = bool(np.array_equal(o2.view(np.uint64), ref.view(np.uint64)))
    print(json.dumps(res))
    """
)


def test_xoroshiro_bitwise_equal_to_numba_cuda_random_under_the_simulator():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", _SIM_SCRIPT],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(res) == 10
    assert all(res.values()), res


def test_init_states_blocks_and_stream_independence():
    full = xr.init_states(10, 42)
    assert full.dtype == np.uint64 and full.shape == (10, 2)
    assert np.array_equal(xr.init_states(4, 42, 6), full[6:])
    assert np.array_equal(xr.continue_states(full[5], 4), full[6:])
    assert len({tuple(r) for r in full}) == 10
    s = xr.init_states(1, 7)
    u = xr.draw(s, 0, 20000, "uniform")
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
    g = xr.draw(s, 0, 20000, "normal")
    assert abs(g.mean()) < 0.03 and abs(g.var() - 1) < 0.04
    # known first output: splitmix64(0) gives s0 = s1 = 0xe220a8397b1dcdaf
    assert int(xr.init_states(1, 0)[0, 0]) == 0xE220A8397B1DCDAF


# ============================================================================ online SGD
def volterra_linear(lam, p, lr, B, noise, t_max):
    """Exact mean E_g(t) of online SGD on Gaussian data, linear model, w(0) = 0:
    c_k(t+1) = ρ_k c_k(t) + (lr²/B) λ_k (Σ_j λ_j c_j(t) + noise),
    ρ_k = (1−lr λ_k)² + (lr²/B) λ_k², E_g(t) = Σ_k λ_k c_k(t) (theory notes §5.4)."""
    c = p / lam  # (w̄ − w(0))_k²
    rho = (1 - lr * lam) ** 2 + lr**2 / B * lam**2
    out = np.empty(t_max + 1)
    for t in range(t_max + 1):
        out[t] = np.sum(lam * c)
        c = rho * c + lr**2 / B * lam * (out[t] + noise)
    return out


@pytest.mark.parametrize("B, lr", [(1, 0.3), (8, 0.8)])
def test_online_sgd_linear_mean_matches_exact_recursion(B, lr):
    noise = 0.05
    times = [0, 3, 10, 30, 100, 200]
    c = train("linear", SP16, lr=lr, steps=200, batch=B, noise=noise, runs=400, seed=3, times=times)
    theory = volterra_linear(SP16.eigenvalues, SP16.target_power, lr, B, noise, 200)[c.t]
    assert c.t.tolist() == times and c.train_mean is None
    assert c.loss_mean[0] == pytest.approx(SP16.target_variance, rel=1e-14)
    z = (c.loss_mean[1:] - theory[1:]) / c.loss_stderr[1:]
    assert np.all(np.abs(z) < 4), z
    print(f"online SGD B={B}: z = {np.round(z, 2).tolist()}")
    # the curve actually moves by orders of magnitude relative to its error bars
    assert theory[-1] < 0.1 * theory[0]


def test_online_sgd_sample_path_follows_the_stream_layout():
    lam, wb, noise, lr, B = SP40.eigenvalues, teacher(SP40), 0.2, 0.25, 3
    times = [0, 1, 2, 7, 25]
    c = train(
        "linear",
        SP40,
        lr=lr,
        steps=25,
        batch=B,
        noise=noise,
        runs=2,
        seed=11,
        times=times,
        return_runs=True,
        run_offset=5,
    )
    for r in range(2):
        st = Streams(11, 5 + r)
        w = np.zeros(lam.size)
        ref = []
        for t in range(26):
            if t in times:
                ref.append(eg(lam, w - wb))
            g = np.zeros(lam.size)
            for _ in range(B):
                x, ep = st.sample(lam, noise)
                g += (x @ w - (x @ wb + ep)) * x
            w = w - lr / B * g
        assert_close(c.runs_loss[r], ref, 1e-10)


# ============================================================================ population GD
def test_population_gd_linear_closed_form():
    lam, p, lr = SP40.eigenvalues, SP40.target_power, 0.9
    times = [0, 1, 5, 50, 500]
    c = train("linear", SP40, lr=lr, steps=500, batch=None, runs=3, times=times)
    ref = [np.sum(p * (1 - lr * lam) ** (2 * t)) for t in times]
    err = assert_close(c.loss_mean, ref, 1e-12)
    assert np.all(c.loss_stderr <= 1e-14 * c.loss_mean)  # deterministic
    print(f"population GD linear: max rel err {err:.2e}")


# ============================================================================ fixed datasets
def numpy_dataset_gd(X, eps, wbar, lam, lr, times, B=None, idx=None):
    """GD (or minibatch SGD with given indices) on (X, y = X w̄ + ε): E_g and train loss."""
    P = X.shape[0]
    y = X @ wbar + eps
    w = np.zeros(X.shape[1])
    loss, trn = [], []
    for t in range(max(times) + 1):
        if t in times:
            loss.append(eg(lam, w - wbar))
            trn.append(np.mean((X @ w - y) ** 2))
        if t == max(times):
            break
        if idx is None:
            w = w - lr * X.T @ (X @ w - y) / P
        else:
            Xb, yb = X[idx[t]], y[idx[t]]
            w = w - lr / B * Xb.T @ (Xb @ w - yb)
    return np.array(loss), np.array(trn)


@pytest.mark.parametrize("P", [48, 12])  # P >= D: Gram path; P < D: X path
def test_full_batch_gd_matches_numpy_on_the_same_dataset(P):
    sp = power_law(1.4, 1.2, 24)
    lam, wb, noise, lr = sp.eigenvalues, teacher(sp), 0.1, 0.7
    times = [0, 1, 4, 20, 100, 300]
    c = train(
        "linear",
        sp,
        lr=lr,
        steps=300,
        P=P,
        batch=None,
        noise=noise,
        runs=2,
        seed=5,
        times=times,
        return_runs=True,
    )
    assert c.runs_train is not None and c.train_mean is not None
    for r in range(2):
        X, eps = Streams(5, r).dataset(lam, noise, P)
        ref_loss, ref_train = numpy_dataset_gd(X, eps, wb, lam, lr, times)
        e1 = assert_close(c.runs_loss[r], ref_loss, 1e-10)
        e2 = assert_close(c.runs_train[r], ref_train, 1e-10)
        print(f"full-batch GD P={P} run {r}: rel err loss {e1:.1e} train {e2:.1e}")
    # batch >= P is full-batch GD as well
    c2 = train(
        "linear", sp, lr=lr, steps=300, P=P, batch=P, noise=noise, runs=2, seed=5, times=times
    )
    assert np.array_equal(c2.loss_mean, c.loss_mean)


def test_minibatch_sgd_matches_numpy_with_the_same_indices():
    sp = power_law(1.5, 1.0, 8)
    lam, wb, noise, lr, P, B, steps = sp.eigenvalues, teacher(sp), 0.05, 0.4, 20, 5, 60
    times = [0, 1, 10, 30, 60]
    c = train(
        "linear",
        sp,
        lr=lr,
        steps=steps,
        P=P,
        batch=B,
        noise=noise,
        runs=1,
        seed=9,
        times=times,
        return_runs=True,
    )
    st = Streams(9, 0)
    X, eps = st.dataset(lam, noise, P)
    idx = [np.minimum(np.floor(st.uniforms(B) * P).astype(int), P - 1) for _ in range(steps)]
    ref_loss, ref_train = numpy_dataset_gd(X, eps, wb, lam, lr, times, B=B, idx=idx)
    assert_close(c.runs_loss[0], ref_loss, 1e-10)
    assert_close(c.runs_train[0], ref_train, 1e-10)
    assert np.isnan(c.loss_stderr).all()  # one run: no standard error


# ============================================================================ random features
@pytest.mark.parametrize("N", [30, 6])  # D <= 2N: dense FFᵀ; D > 2N: factored F(Fᵀu)
def test_rf_population_gd_matches_numpy_with_the_same_F(N):
    sp = power_law(1.5, 0.9, 20)
    lam, wb, lr = sp.eigenvalues, teacher(sp), 0.8
    times = [0, 1, 3, 30, 200]
    c = train(
        "rf", sp, lr=lr, steps=200, batch=None, N=N, runs=2, seed=2, times=times, return_runs=True
    )
    for r in range(2):
        F = Streams(2, r).matrix(sp.D, N)
        a = np.zeros(N)
        ref = []
        for t in range(201):
            if t in times:
                ref.append(eg(lam, F @ a - wb))
            a = a - lr * F.T @ (lam * (F @ a - wb))
        assert_close(c.runs_loss[r], ref, 1e-10)
    assert c.runs_loss[0, -1] != c.runs_loss[1, -1]  # F differs between runs


def test_rf_online_then_dataset_draw_order():
    """rf with a fixed dataset: F is drawn first, then the samples."""
    sp = power_law(1.5, 1.0, 10)
    lam, wb, lr, N, P, noise = sp.eigenvalues, teacher(sp), 0.5, 7, 15, 0.1
    times = [0, 2, 40]
    c = train(
        "rf",
        sp,
        lr=lr,
        steps=40,
        P=P,
        batch=None,
        N=N,
        noise=noise,
        runs=1,
        seed=4,
        times=times,
        return_runs=True,
    )
    st = Streams(4, 0)
    F = st.matrix(sp.D, N)
    X, eps = st.dataset(lam, noise, P)
    y = X @ wb + eps
    a = np.zeros(N)
    ref, ref_tr = [], []
    for t in range(41):
        if t in times:
            ref.append(eg(lam, F @ a - wb))
            ref_tr.append(np.mean((X @ F @ a - y) ** 2))
        a = a - lr * (X @ F).T @ (X @ F @ a - y) / P
    assert_close(c.runs_loss[0], ref, 1e-10)
    assert_close(c.runs_train[0], ref_tr, 1e-10)


# ============================================================================ two-layer
def numpy_two_layer_population(sp, W0, v0, lr, gamma, times):
    lam, wb = sp.eigenvalues, teacher(sp)
    N = v0.size
    W, v = W0.copy(), v0.copy()
    out = []
    for t in range(max(times) + 1):
        e = (W @ v - W0 @ v0) / (gamma * N) - wb
        if t in times:
            out.append(eg(lam, e))
        u = lam * e
        W, v = W - lr / gamma * np.outer(u, v), v - lr / gamma * W.T @ u
    return np.array(out)


def test_two_layer_starts_at_the_target_variance_and_matches_numpy():
    sp = power_law(1.5, 1.0, 10)
    N, lr, gamma = 12, 0.3, 1.0
    times = [0, 1, 5, 50, 300]
    c = train(
        "two_layer",
        sp,
        lr=lr,
        steps=300,
        batch=None,
        N=N,
        gamma=gamma,
        runs=2,
        seed=8,
        times=times,
        return_runs=True,
    )
    assert np.allclose(c.runs_loss[:, 0], sp.target_variance, rtol=1e-14, atol=0)
    for r in range(2):
        st = Streams(8, r)
        W0 = st.matrix(sp.D, N)
        v0 = st.normals(N)
        ref = numpy_two_layer_population(sp, W0, v0, lr, gamma, times)
        assert_close(c.runs_loss[r], ref, 1e-10)
    # online: still exactly the target variance at t = 0
    c2 = train("two_layer", sp, lr=0.1, steps=5, batch=2, N=N, runs=3, times=[0, 5])
    assert np.allclose(c2.loss_mean[0], sp.target_variance, rtol=1e-14)
    assert c2.loss_stderr[0] == pytest.approx(0.0, abs=1e-15)


def test_two_layer_tiny_gamma_follows_the_lazy_ntk_dynamics():
    sp = power_law(1.5, 1.0, 10)
    N, gamma = 16, 1e-3
    lr = 0.5 * gamma**2  # the lazy limit has effective learning rate ≈ lr/γ²
    times = [0, 10, 100, 400]
    c = train(
        "two_layer",
        sp,
        lr=lr,
        steps=400,
        batch=None,
        N=N,
        gamma=gamma,
        runs=1,
        seed=1,
        times=times,
        return_runs=True,
    )
    st = Streams(1, 0)
    W0 = st.matrix(sp.D, N)
    v0 = st.normals(N)
    K0 = (v0 @ v0 / N * np.eye(sp.D) + W0 @ W0.T / N) / gamma**2
    lam, wb = sp.eigenvalues, teacher(sp)
    e = -wb.copy()
    ref = []
    for t in range(401):
        if t in times:
            ref.append(eg(lam, e))
        e = e - lr * K0 @ (lam * e)
    err = assert_close(c.runs_loss[0], ref, 1e-2)
    assert c.runs_loss[0, -1] < 0.2 * c.runs_loss[0, 0]  # it did learn
    # the deviation is the feature-learning correction: it grows with γ
    c10 = train(
        "two_layer",
        sp,
        lr=lr * 100,
        steps=400,
        batch=None,
        N=N,
        gamma=10 * gamma,
        runs=1,
        seed=1,
        times=times,
        return_runs=True,
    )
    err10 = np.max(np.abs(c10.runs_loss[0] - ref) / ref)
    assert 3 * err < err10 < 0.5
    print(f"two_layer vs lazy NTK: max rel dev {err:.2e} (gamma=1e-3), {err10:.2e} (gamma=1e-2)")


def test_two_layer_online_sample_path():
    sp = power_law(1.5, 1.0, 36)
    lam, wb, N, lr, gamma, B, noise = sp.eigenvalues, teacher(sp), 5, 0.05, 0.7, 2, 0.1
    times = [0, 1, 6, 15]
    c = train(
        "two_layer",
        sp,
        lr=lr,
        steps=15,
        batch=B,
        N=N,
        gamma=gamma,
        noise=noise,
        runs=1,
        seed=21,
        times=times,
        return_runs=True,
    )
    st = Streams(21, 0)
    W0 = st.matrix(sp.D, N)
    v0 = st.normals(N)
    W, v = W0.copy(), v0.copy()
    ref = []
    for t in range(16):
        e = (W @ v - W0 @ v0) / (gamma * N) - wb
        if t in times:
            ref.append(eg(lam, e))
        u = np.zeros(sp.D)
        for _ in range(B):
            x, ep = st.sample(lam, noise)
            u += (x @ e - ep) * x / B
        W, v = W - lr / gamma * np.outer(u, v), v - lr / gamma * W.T @ u
    assert_close(c.runs_loss[0], ref, 1e-10)


# ============================================================================ reproducibility
def test_reproducible_and_independent_of_batching_and_threads():
    import numba

    kw = dict(lr=0.2, steps=50, batch=2, P=None, N=6, noise=0.1, seed=123, return_runs=True)
    a = train("rf", SP40, runs=8, **kw)
    b = train("rf", SP40, runs=8, **kw)
    assert np.array_equal(a.runs_loss, b.runs_loss)
    lo = train("rf", SP40, runs=4, run_offset=0, **kw)
    hi = train("rf", SP40, runs=4, run_offset=4, **kw)
    assert np.array_equal(a.runs_loss, np.vstack([lo.runs_loss, hi.runs_loss]))
    chunked = train("rf", SP40, runs=8, progress=True, **kw)  # runs in several chunks
    assert np.array_equal(a.runs_loss, chunked.runs_loss)
    n = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = train("rf", SP40, runs=8, **kw)
    finally:
        numba.set_num_threads(n)
    assert np.array_equal(a.runs_loss, one.runs_loss)
    other = train("rf", SP40, runs=8, **{**kw, "seed": 124})
    assert not np.array_equal(a.runs_loss[:, -1], other.runs_loss[:, -1])
    assert len(set(a.runs_loss[:, -1])) == 8  # runs differ from each other
    assert np.allclose(a.loss_mean, a.runs_loss.mean(axis=0), rtol=1e-15)
    assert np.allclose(a.loss_stderr, a.runs_loss.std(axis=0, ddof=1) / np.sqrt(8), rtol=1e-12)


def test_times_default_and_custom():
    t = default_times(1000)
    assert t[0] == 0 and t[-1] == 1000 and np.all(np.diff(t) > 0) and 30 <= t.size <= 42
    assert default_times(1).tolist() == [0, 1]
    c = train("linear", isotropic(4), lr=0.1, steps=20, runs=2, times=[20, 3, 3, 0])
    assert c.t.tolist() == [0, 3, 20] and c.t.dtype == np.int64
    assert c.runs_loss is None and c.backend == "cpu" and c.elapsed_s > 0
    c = train("linear", isotropic(4), lr=0.1, steps=20, runs=2, times=[5])
    assert c.loss_mean.shape == (1,)


# ============================================================================ bad inputs
BAD = [
    (dict(lr=0.0), "lr"),
    (dict(lr=-1.0), "lr"),
    (dict(lr=float("nan")), "lr"),
    (dict(lr=float("inf")), "lr"),
    (dict(steps=0), "steps"),
    (dict(steps=2.5), "steps"),
    (dict(batch=0), "batch"),
    (dict(P=0), "P"),
    (dict(model="rf", N=None), "N"),
    (dict(model="two_layer", N=None), "N"),
    (dict(model="rf", N=0), "N"),
    (dict(model="mlp"), "model"),
    (dict(backend="tpu"), "backend"),
    (dict(noise=-0.1), "noise"),
    (dict(runs=0), "runs"),
    (dict(seed=-1), "seed"),
    (dict(gamma=0.0), "gamma"),
    (dict(times=[-1, 2]), "times"),
    (dict(times=[0, 11]), "times"),
    (dict(times=[0.5]), "times"),
    (dict(run_offset=-1), "run_offset"),
    (dict(spectrum=np.ones(4)), "spectrum"),
]


@pytest.mark.parametrize("bad, name", BAD)
def test_bad_inputs_name_the_parameter(bad, name):
    kw = dict(model="linear", spectrum=isotropic(4), lr=0.1, steps=10, runs=2)
    kw.update(bad)
    with pytest.raises(ParameterError) as ei:
        train(kw.pop("model"), kw.pop("spectrum"), **kw)
    assert ei.value.name == name
    assert f"'{name}'" in str(ei.value) and "\n" not in str(ei.value)


def test_cuda_backend_dispatch(monkeypatch):
    from rmtscale.simulate.backends import CudaBackend

    monkeypatch.setattr(CudaBackend, "available", classmethod(lambda cls: False))
    with pytest.raises(BackendError):
        train("linear", isotropic(4), lr=0.1, steps=10, backend="cuda")
    from rmtscale.simulate.training import cuda as training_cuda

    seen = {}

    def fake_run(plan, return_runs=False):
        seen.update(vars(plan))
        return "cuda-result"

    monkeypatch.setattr(training_cuda, "run", fake_run)
    monkeypatch.setattr(CudaBackend, "available", classmethod(lambda cls: True))
    out = train("rf", isotropic(4), lr=0.1, steps=10, N=3, backend="cuda", runs=5, run_offset=2)
    assert out == "cuda-result" and seen["model"] == "rf" and seen["N"] == 3
    assert seen["runs"] == 5 and seen["run_offset"] == 2 and seen["times"][-1] == 10


# ============================================================================ divergence
def test_divergence_records_inf_and_warns_once():
    with pytest.warns(RuntimeWarning, match="diverged") as rec:
        c = train("linear", SP16, lr=5.0, steps=400, batch=1, runs=4, return_runs=True)
    assert len([w for w in rec if "diverged" in str(w.message)]) == 1
    assert np.isfinite(c.loss_mean[0]) and np.isinf(c.loss_mean[-1])
    assert np.all(np.isinf(c.runs_loss[:, -1])) and not np.any(np.isnan(c.runs_loss))
    assert np.isinf(c.loss_stderr[-1])
    # once inf, always inf
    first = np.argmax(np.isinf(c.runs_loss), axis=1)
    for r, f in enumerate(first):
        assert np.all(np.isinf(c.runs_loss[r, f:]))
    with pytest.warns(RuntimeWarning, match="diverged"):
        c = train("two_layer", SP16, lr=50.0, steps=200, P=20, batch=None, N=8, runs=2)
    assert np.isinf(c.loss_mean[-1]) and np.isinf(c.train_mean[-1])


def test_spectrum_from_arrays_and_zero_target_modes():
    sp = from_arrays(np.array([1.0, 0.5, 0.1]), np.array([0.3, 0.0, 0.2]))
    c = train("linear", sp, lr=0.5, steps=10, batch=None, runs=1, times=[0, 10])
    lam, p = sp.eigenvalues, sp.target_power
    assert c.loss_mean[-1] == pytest.approx(np.sum(p * (1 - 0.5 * lam) ** 20), rel=1e-13)


def test_memory_budget(monkeypatch):
    monkeypatch.setattr(training_cpu, "MEMORY_BUDGET_BYTES", 10_000)
    with pytest.raises(ParameterError) as ei:
        train("linear", isotropic(8), lr=0.1, steps=2, P=1000, batch=3, runs=2)
    assert ei.value.name == "P"
