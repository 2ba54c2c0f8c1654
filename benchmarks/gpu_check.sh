#!/usr/bin/env bash
# Every owed GPU measurement and validation of the training simulator, in one call.
#
#   bash benchmarks/gpu_check.sh              # on a machine with a GPU (from the repo root or not)
#   bash benchmarks/gpu_check.sh --cpu-only   # the parts that need no GPU (a quick rehearsal)
#
# Steps, each under its own `timeout`; the output of all goes to $OUT/log.txt, each step's exit
# status and wall time to $OUT/summary.txt, JSON results to $OUT/NAME.json (6 files at most);
# a failed step does not stop the others:
#   env, nvidia_smi  versions, CPUs, the GPU
#   probe       rmtscale's cuda backend sees a device (CudaBackend.available())
#   ptx         every kernel compiled for sm_90 (NVVM + ptxas: registers, spills)
#   compare     real-GPU kernels against the CPU backend, every model and regime, per-run
#               losses (tests/cuda_sim_checks.py --gpu: rng, compare, offset, validation,
#               recursion=64); on a GPU, FMA contraction and libdevice log/cos make the
#               differences ~1e-15 per operation instead of 0
#   bench       PYTHONPATH=. python3 benchmarks/sgd_kernels.py --json (numba-cuda vs the CPU
#               backend vs numpy; PyTorch when installed; copy-bandwidth and RNG ceilings)
#   validate_*  rmtscale validate {sgd,gd,rf_gd}.learning_curve --backend cuda --json
# With --cpu-only: env, probe (expects False), ptx, the benchmark with --quick, and the three
# validations at a small preset on --backend cpu.
#
# Results go under $OUT when set (the device tool returns what is written there), else under a
# new temporary directory (printed). The device's python3 needs numba, numba-cuda, numpy,
# sympy, scipy, mpmath, click, tqdm; the tree runs from PYTHONPATH=. (no install). numba-cuda
# with numpy >= 2.5 needs np.row_stack, removed from numpy: a sitecustomize.py on PYTHONPATH
# sets np.row_stack = np.vstack, only where it is missing, before anything imports numba.cuda.
set -u -o pipefail

CPU_ONLY=0
[[ "${1:-}" == "--cpu-only" ]] && CPU_ONLY=1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${OUT:-$(mktemp -d -t gpu_check.XXXXXX)}"
mkdir -p "$OUT"
SHIM="$(mktemp -d -t gpu_check_shim.XXXXXX)"
cat >"$SHIM/sitecustomize.py" <<'EOF'
try:
    import numpy as _np

    if not hasattr(_np, "row_stack"):
        _np.row_stack = _np.vstack  # numba-cuda still calls it; numpy >= 2.5 removed it
except ImportError:
    pass
EOF
export PYTHONPATH="$ROOT:$SHIM${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
unset NUMBA_ENABLE_CUDASIM
PY="${PYTHON:-python3}"
SUMMARY="$OUT/summary.txt"
LOG="$OUT/log.txt"
: >"$SUMMARY"
: >"$LOG"
echo "gpu_check: results in $OUT (cpu_only=$CPU_ONLY)"

step() {  # step NAME TIMEOUT_S COMMAND...; stdout to $OUT/NAME.json when it ends in --json
    local name="$1" limit="$2"
    shift 2
    local t0=$SECONDS rc
    echo "===== $name: $*" >>"$LOG"
    if [[ "${*: -1}" == "--json" ]]; then
        timeout "$limit" "$@" >"$OUT/$name.json" 2>>"$LOG"
    else
        timeout "$limit" "$@" >>"$LOG" 2>&1
    fi
    rc=$?
    printf '%-20s rc=%-3s %4d s  %s\n' "$name" "$rc" "$((SECONDS - t0))" "$*" | tee -a "$SUMMARY"
}

step env 60 "$PY" -c "import os, platform, sys, numpy, numba; print(sys.version); \
print('numpy', numpy.__version__, 'numba', numba.__version__, 'cpus', os.cpu_count()); \
print(platform.platform())"
step nvidia_smi 60 nvidia-smi
step probe 120 "$PY" -c "from rmtscale.simulate.backends import CudaBackend; \
print('cuda available:', CudaBackend.available())"
step ptx 300 "$PY" tests/cuda_sim_checks.py ptx

SMALL=(D=8 steps=20 check=3 --seeds 16)
if [[ $CPU_ONLY == 1 ]]; then
    step bench 300 "$PY" benchmarks/sgd_kernels.py --quick --json "$OUT/sgd_kernels.json"
    for c in sgd gd rf_gd; do
        extra=()
        [[ $c == rf_gd ]] && extra=(N=4 lr=0.3)
        step "validate_$c" 300 "$PY" -m rmtscale.cli validate "$c.learning_curve" \
            "${extra[@]}" "${SMALL[@]}" --backend cpu --json
    done
else
    step compare 400 "$PY" tests/cuda_sim_checks.py --gpu rng compare offset validation \
        recursion=64
    step bench 600 "$PY" benchmarks/sgd_kernels.py --json "$OUT/sgd_kernels.json"
    for c in sgd gd rf_gd; do
        step "validate_$c" 400 "$PY" -m rmtscale.cli validate "$c.learning_curve" \
            --backend cuda --json
    done
fi
rm -rf "$SHIM"
echo "gpu_check: done; summary:"
cat "$SUMMARY"
