r"""xoroshiro128+ streams, bit-for-bit the generator of ``numba.cuda.random``, on the CPU.

One RNG adapter shared by the ``cpu`` and ``cuda`` simulation backends, so that both draw the
same numbers from the same streams.

State
    A stream is two ``uint64`` words (s0, s1). On the CPU, ``n`` streams are an ``(n, 2)``
    ``uint64`` array (``states[i, 0] = s0``, ``states[i, 1] = s1``), the same bytes as numba's
    structured ``xoroshiro128p_dtype`` array (``to_numba_states`` / ``from_numba_states``
    convert).

Seeding (:func:`init_states`), as ``numba.cuda.random.init_xoroshiro128p_states``
    Stream 0 is ``s0 = s1 = splitmix64(seed)``, advanced by ``subsequence_start`` jumps; stream
    i is stream i−1 advanced by one jump (2⁶⁴ draws). Hence ``init_states(n, seed, k)`` equals
    rows ``k .. k+n-1`` of ``init_states(k+n, seed)``: a block of streams can be created
    without the streams before it.

Draws (each advances ``states[i]``)
    * :func:`next_u64` — ``xoroshiro128p_next``: returns s0 + s1 (mod 2⁶⁴), then
      s1 ^= s0; s0 = rotl(s0, 55) ^ s1 ^ (s1 << 14); s1 = rotl(s1, 36).
    * :func:`uniform_f64` — ``xoroshiro128p_uniform_float64``: (u64 >> 11)·2⁻⁵³ ∈ [0, 1).
    * :func:`uniform_f32` — ``xoroshiro128p_uniform_float32``: float32 rounding of the above
      (it can round up to 1.0f).
    * :func:`normal_f64` — ``xoroshiro128p_normal_float64``: Box–Muller with the *float32*
      uniforms u1, u2 (two draws), z = sqrt(−2 log u1)·cos(2π u2), the sine partner discarded.

    ``normal_f64`` evaluates log, sqrt and cos in float64 on the float32 uniforms (u1, u2
    promoted to float64). That is what ``xoroshiro128p_normal_float64`` computes under the CUDA
    simulator (Python semantics), bit for bit. *Compiled* (numba ``@jit`` on the CPU, or a real
    GPU), numba's own version types ``math.log(u1)`` as a float32 ``logf``; its normals then
    differ from these by up to ~1e-7 (measured on the CPU: max |Δ| 7.6e-8 over 1000 draws).
    The CUDA backend should therefore call the functions of :func:`build`, not numba's; both
    backends then compute the same float64 expression, and agree to the last bit or so of
    libm/libdevice (log and cos are not correctly rounded on either side, so equality of every
    normal across CPU and GPU is not promised; the uint64 and uniform streams are bitwise equal).

Compiling for CUDA
    The module's CPU functions are plain-Python sources compiled with ``numba.njit(cache=True)``.
    ``build(decorator)`` compiles the same code objects with another decorator; the CUDA
    backend uses ``build(cuda.jit(device=True))``. The bodies only index ``states[i, 0]`` /
    ``states[i, 1]`` of an (n, 2) uint64 array and use numba scalar casts, so they also run as
    Python under the simulator (checked in ``tests/test_sgd_kernels.py``).
"""

from __future__ import annotations

import math
import types
from types import SimpleNamespace

import numba
import numpy as np
from numba import float32, float64, int64, uint32, uint64

_TWO_PI = np.float64(2 * math.pi)
_JUMP0 = 0xBEAC0467EBA5FACB
_JUMP1 = 0xD86B048B86AA9922


# The draw functions, as plain Python: the CPU versions below are these compiled with
# numba.njit; build() recompiles the same code objects with another decorator. Each body calls
# the others through the module-level names (rotl, next_u64, to_unit_f64, uniform_f32), which
# build() rebinds to the decorated copies.
def _rotl(x, k):
    x = uint64(x)
    k = uint32(k)
    return (x << k) | (x >> uint32(64 - k))


def _next_u64(states, i):
    i = int64(i)
    s0 = uint64(states[i, 0])
    s1 = uint64(states[i, 1])
    result = uint64(s0 + s1)
    s1 = uint64(s1 ^ s0)
    states[i, 0] = uint64(uint64(rotl(s0, uint32(55))) ^ s1 ^ uint64(s1 << uint32(14)))
    states[i, 1] = uint64(rotl(s1, uint32(36)))
    return result


def _to_unit_f64(x):
    x = uint64(x)
    return float64(x >> uint32(11)) * (float64(1) / float64(uint64(1) << uint32(53)))


def _uniform_f64(states, i):
    return to_unit_f64(next_u64(states, i))


def _uniform_f32(states, i):
    return float32(to_unit_f64(next_u64(states, i)))


def _normal_f64(states, i):
    u1 = float64(uniform_f32(states, i))
    u2 = float64(uniform_f32(states, i))
    return math.sqrt(-float64(2.0) * math.log(u1)) * math.cos(_TWO_PI * u2)


def _jump(states, i):
    i = int64(i)
    s0 = uint64(0)
    s1 = uint64(0)
    for w in range(2):
        jw = uint64(_JUMP0) if w == 0 else uint64(_JUMP1)
        for b in range(64):
            if jw & (uint64(1) << uint32(b)):
                s0 ^= uint64(states[i, 0])
                s1 ^= uint64(states[i, 1])
            next_u64(states, i)
    states[i, 0] = s0
    states[i, 1] = s1


def _splitmix_state(states, i, seed):
    i = int64(i)
    z = uint64(uint64(seed) + uint64(0x9E3779B97F4A7C15))
    z = uint64((z ^ (z >> uint32(30))) * uint64(0xBF58476D1CE4E5B9))
    z = uint64((z ^ (z >> uint32(27))) * uint64(0x94D049BB133111EB))
    z = uint64(z ^ (z >> uint32(31)))
    states[i, 0] = z
    states[i, 1] = z


_SOURCES = {
    "rotl": _rotl,
    "next_u64": _next_u64,
    "to_unit_f64": _to_unit_f64,
    "uniform_f64": _uniform_f64,
    "uniform_f32": _uniform_f32,
    "normal_f64": _normal_f64,
    "jump": _jump,
    "splitmix_state": _splitmix_state,
}


def build(decorator) -> SimpleNamespace:
    """The draw functions compiled with ``decorator`` (e.g. ``cuda.jit(device=True)``):
    ``next_u64``, ``uniform_f64``, ``uniform_f32``, ``normal_f64``, ``jump``,
    ``splitmix_state`` (and helpers ``rotl``, ``to_unit_f64``), each on ``(states, i)`` with
    states an (n, 2) uint64 array. Same code objects as the CPU functions of this module, with
    their calls rebound to the decorated copies."""
    scope = dict(globals())
    ns = {}
    for name, f in _SOURCES.items():
        copy = types.FunctionType(f.__code__, scope, name, f.__defaults__, f.__closure__)
        ns[name] = decorator(copy)
    scope.update(ns)
    return SimpleNamespace(**ns)


_njit = numba.njit(cache=True)
rotl = _njit(_rotl)
next_u64 = _njit(_next_u64)
to_unit_f64 = _njit(_to_unit_f64)
uniform_f64 = _njit(_uniform_f64)
uniform_f32 = _njit(_uniform_f32)
normal_f64 = _njit(_normal_f64)
jump = _njit(_jump)
splitmix_state = _njit(_splitmix_state)


@numba.njit(cache=True)
def _init_states(states, seed, subsequence_start):
    n = states.shape[0]
    if n >= 1:
        splitmix_state(states, 0, seed)
        for _ in range(subsequence_start):
            jump(states, 0)
        for i in range(1, n):
            states[i, 0] = states[i - 1, 0]
            states[i, 1] = states[i - 1, 1]
            jump(states, i)


def init_states(n_streams: int, seed: int, subsequence_start: int = 0) -> np.ndarray:
    """``n_streams`` xoroshiro128+ states as an (n, 2) uint64 array, bitwise equal to
    ``numba.cuda.random.init_xoroshiro128p_states(states, seed, subsequence_start)``.

    ``seed`` is taken modulo 2⁶⁴ as numba does; ``subsequence_start`` (≥ 0) skips that many
    streams (jumps of 2⁶⁴ draws), so disjoint blocks of one long list of streams can be made
    separately. Cost: 128 generator steps per stream and per skipped stream."""
    n = int(n_streams)
    k = int(subsequence_start)
    if n < 0 or k < 0:
        raise ValueError("n_streams and subsequence_start must be >= 0")
    states = np.zeros((n, 2), dtype=np.uint64)
    _init_states(states, np.uint64(int(seed) % 2**64), np.int64(k))
    return states


@numba.njit(cache=True)
def _continue_states(states, last):
    states[0, 0] = last[0]
    states[0, 1] = last[1]
    jump(states, 0)
    for i in range(1, states.shape[0]):
        states[i, 0] = states[i - 1, 0]
        states[i, 1] = states[i - 1, 1]
        jump(states, i)


def continue_states(last: np.ndarray, n_streams: int) -> np.ndarray:
    """The ``n_streams`` streams that follow the stream ``last`` (one (2,) uint64 row) in
    :func:`init_states`'s list: ``continue_states(init_states(k, s)[-1], n)`` equals
    ``init_states(n, s, k)``, without redoing the k jumps."""
    states = np.zeros((int(n_streams), 2), dtype=np.uint64)
    if states.shape[0]:
        _continue_states(states, np.ascontiguousarray(last, dtype=np.uint64))
    return states


def to_numba_states(states: np.ndarray) -> np.ndarray:
    """(n, 2) uint64 → numba's structured ``xoroshiro128p_dtype`` (s0, s1) host array."""
    dt = np.dtype([("s0", np.uint64), ("s1", np.uint64)], align=True)
    out = np.empty(states.shape[0], dtype=dt)
    out["s0"] = states[:, 0]
    out["s1"] = states[:, 1]
    return out


def from_numba_states(states: np.ndarray) -> np.ndarray:
    """numba's structured (s0, s1) array → (n, 2) uint64."""
    return np.stack([np.asarray(states["s0"]), np.asarray(states["s1"])], axis=1).astype(np.uint64)


@numba.njit(cache=True)
def _fill(states, i, kind, out):
    for j in range(out.size):
        if kind == 0:
            out[j] = float64(next_u64(states, i))
        elif kind == 1:
            out[j] = uniform_f64(states, i)
        else:
            out[j] = normal_f64(states, i)


@numba.njit(cache=True)
def _fill_u64(states, i, out):
    for j in range(out.size):
        out[j] = next_u64(states, i)


def draw(states: np.ndarray, i: int, n: int, kind: str = "normal") -> np.ndarray:
    """``n`` consecutive draws of ``kind`` (``"u64"``, ``"uniform"``, ``"normal"``) from stream
    ``i`` (advances ``states[i]`` in place). A convenience for tests and reference code."""
    if kind == "u64":
        out = np.empty(n, dtype=np.uint64)
        _fill_u64(states, np.int64(i), out)
        return out
    out = np.empty(n, dtype=np.float64)
    _fill(states, np.int64(i), {"uniform": 1, "normal": 2}[kind], out)
    return out
