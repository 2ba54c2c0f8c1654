"""Validate a claim: the Marchenko–Pastur law against sampled Wishart eigenvalues.

``rmtscale.validate`` simulates the claim at three sizes (D, 2D, 4D) with independent seeds,
compares mean ± standard error of each observable (here the eigenvalue CDF at 7 fixed
points) with the theory, checks that the discrepancy shrinks with size, and returns a report.
A smaller D and fewer seeds than the claim's defaults keep this example quick; the CLI
equivalent is ``rmtscale validate mp.density D=100 --seeds 10 --plot validate_mp.png``.

    python examples/validate_claim.py [out.png]     # default: ./validate_mp.png
"""

import sys

import rmtscale

out = sys.argv[1] if len(sys.argv) > 1 else "validate_mp.png"

report = rmtscale.validate("mp.density", q=0.5, D=100, seeds=10, seed=0, backend="cpu")
print(report.table())
report.plot(out)  # discrepancy ± z*·stderr against size, with the finite-size allowance
print(f"wrote {out}")

assert report.passed, report.failures()
assert report.to_dict()["passed"] is True
