"""Test oracles: high-precision (mpmath) and scalar (brentq) references for the compiled
solvers, generated from the symbolic theories (``rmtscale.symbolic.*.THEORY``): root finding
is done here, independently of the solvers (brackets on the physical branch), and every
formula comes from the sympy expressions, never retyped."""
