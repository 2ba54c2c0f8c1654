"""Register-state xoroshiro128+ for the CUDA kernels, bitwise the CPU backend's generator.

The xoroshiro128+ of ``numba.cuda.random`` with the state held in registers: the device
functions here are register versions of :mod:`rmtscale.simulate.xoroshiro` (same operations,
so the uint64 and uniform streams are bit-identical to the CPU backend's and to
``numba.cuda.random``'s), with the *float64* log of the CPU port in Box–Muller
(z = √(−2 log u₁) cos(2π u₂), u₁, u₂ rounded to float32 as numba does; numba's own
``xoroshiro128p_normal_float64`` is a float32 ``logf`` on a real GPU). numba's own device
functions are not used: they load/store the state in global memory on every draw and cannot be
called from simulated kernels. Under the simulator the generator is evaluated with Python
integers (no uint64-overflow warnings), the same arithmetic.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

_TWO_PI = np.float64(2 * math.pi)
_M64 = (1 << 64) - 1
_INV_2_53 = 1.0 / 9007199254740992.0


def rng_functions(decorator=None, sim: bool = False) -> SimpleNamespace:
    """Register-state xoroshiro128+ draws: ``next(s0, s1) -> (u64, s0, s1)``,
    ``uniform(s0, s1) -> (float64 in [0,1), s0, s1)``, ``normal(s0, s1) -> (z, s0, s1)``.

    ``decorator`` compiles them (``cuda.jit(device=True, inline=True)`` for the GPU, or
    ``numba.njit`` to test the GPU source on the CPU); ``sim=True`` gives the Python-integer
    version used under the CUDA simulator. All three are bitwise the draws of
    :mod:`rmtscale.simulate.xoroshiro` (``next_u64``, ``uniform_f64``, ``normal_f64``)."""
    if sim:

        def nxt(s0, s1):
            s0 = int(s0)
            s1 = int(s1)
            res = (s0 + s1) & _M64
            s1 ^= s0
            n0 = (((s0 << 55) & _M64) | (s0 >> 9)) ^ s1 ^ ((s1 << 14) & _M64)
            n1 = ((s1 << 36) & _M64) | (s1 >> 28)
            return res, n0, n1

        def uniform(s0, s1):
            r, s0, s1 = nxt(s0, s1)
            return float(r >> 11) * _INV_2_53, s0, s1

        def normal(s0, s1):
            r, s0, s1 = nxt(s0, s1)
            u1 = float(np.float32(float(r >> 11) * _INV_2_53))
            r, s0, s1 = nxt(s0, s1)
            u2 = float(np.float32(float(r >> 11) * _INV_2_53))
            return math.sqrt(-2.0 * math.log(u1)) * math.cos(_TWO_PI * u2), s0, s1

        return SimpleNamespace(next=nxt, uniform=uniform, normal=normal)

    from numba import float32, float64, uint32, uint64

    two_pi = _TWO_PI

    @decorator
    def nxt(s0, s1):
        s0 = uint64(s0)
        s1 = uint64(s1)
        res = uint64(s0 + s1)
        s1 = uint64(s1 ^ s0)
        r0 = uint64((s0 << uint32(55)) | (s0 >> uint32(9)))
        n0 = uint64(r0 ^ s1 ^ uint64(s1 << uint32(14)))
        n1 = uint64((s1 << uint32(36)) | (s1 >> uint32(28)))
        return res, n0, n1

    @decorator
    def unit_f64(x):
        x = uint64(x)
        return float64(x >> uint32(11)) * (float64(1) / float64(uint64(1) << uint32(53)))

    @decorator
    def uniform(s0, s1):
        r, s0, s1 = nxt(s0, s1)
        return unit_f64(r), s0, s1

    @decorator
    def normal(s0, s1):
        r, s0, s1 = nxt(s0, s1)
        u1 = float64(float32(unit_f64(r)))
        r, s0, s1 = nxt(s0, s1)
        u2 = float64(float32(unit_f64(r)))
        z = math.sqrt(-float64(2.0) * math.log(u1)) * math.cos(two_pi * u2)
        return z, s0, s1

    return SimpleNamespace(next=nxt, uniform=uniform, normal=normal)
