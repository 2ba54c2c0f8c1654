"""sympy expression → numba-compiled function, through sympy's printers with ``cse``.

The generated source is plain Python over scalars (``numpy`` functions, which numba
supports for real and complex scalars), one assignment per common subexpression, so numba
never sees one giant expression (numba issue #1529). The source is kept on the returned
object as ``.source`` so users can read exactly what runs.
"""

from __future__ import annotations

import hashlib
import keyword
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

_CACHE: dict[str, Any] = {}


class _Printer(NumPyPrinter):
    """NumPy printer whose module alias is ``np`` (the only global the source sees)."""

    _module = "numpy"

    def __init__(self) -> None:
        super().__init__(
            {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": False}
        )

    def _module_format(self, fqn: str, register: bool = True) -> str:  # noqa: ARG002
        if fqn.startswith("numpy."):
            return "np." + fqn[len("numpy.") :]
        return fqn

    def _print_ImaginaryUnit(self, expr: Any) -> str:  # noqa: ARG002
        return "1j"


def _safe(name: str) -> str:
    s = "".join(c if c.isalnum() else "_" for c in name)
    if not s or s[0].isdigit() or keyword.iskeyword(s):
        s = "a_" + s
    return s


def generate_source(
    args: Sequence[sp.Symbol],
    exprs: Sequence[sp.Expr],
    name: str = "f",
    dtype: str = "float64",
) -> str:
    """Python source of ``def name(*args) -> np.ndarray`` evaluating ``exprs`` with cse."""
    printer = _Printer()
    argnames = [_safe(str(a)) for a in args]
    if len(set(argnames)) != len(argnames):
        raise ValueError("argument symbols must have distinct names")
    rename = {a: sp.Symbol(n, **a.assumptions0) for a, n in zip(args, argnames)}
    exprs = [sp.sympify(e).xreplace(rename) for e in exprs]
    free = set().union(*(e.free_symbols for e in exprs)) - set(rename.values())
    if free:
        raise ValueError(
            f"expressions contain symbols that are not arguments: {sorted(map(str, free))}"
        )
    repl, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_x"), optimizations="basic")
    lines = [f"def {name}({', '.join(argnames)}):"]
    for sym, sub in repl:
        lines.append(f"    {sym} = {printer.doprint(sub)}")
    lines.append(f"    out = np.empty({len(reduced)}, dtype=np.{dtype})")
    for i, e in enumerate(reduced):
        lines.append(f"    out[{i}] = {printer.doprint(e)}")
    lines.append("    return out")
    return "\n".join(lines) + "\n"


class CompiledFunction:
    """A numba-jitted function generated from sympy; call it like the function itself."""

    def __init__(self, source: str, name: str, func: Any):
        self.source = source
        self.name = name
        self.func = func

    def __call__(self, *args: Any) -> np.ndarray:
        return self.func(*args)

    def __repr__(self) -> str:
        return f"<CompiledFunction {self.name}>\n{self.source}"


def compile_expressions(
    args: Sequence[sp.Symbol],
    exprs: Sequence[sp.Expr],
    name: str = "f",
    dtype: str = "float64",
) -> CompiledFunction:
    """Compile ``exprs`` (functions of ``args``) to one numba ``njit`` function.

    The function returns a 1-D array with one entry per expression, of ``dtype``
    (``"complex128"`` for complex arguments). Identical sources are compiled once per process.
    """
    source = generate_source(args, exprs, name, dtype)
    key = hashlib.sha1(source.encode()).hexdigest()
    if key not in _CACHE:
        namespace: dict[str, Any] = {"np": np}
        exec(compile(source, f"<rmtscale-codegen {name}>", "exec"), namespace)  # noqa: S102
        _CACHE[key] = numba.njit(cache=False)(namespace[name])
    return CompiledFunction(source, name, _CACHE[key])
