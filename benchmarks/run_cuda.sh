#!/usr/bin/env bash
# The CUDA Cauchy kernel on a GPU, in one go (about 3 minutes on an H200; logs in $OUT, default gpu-logs):
#   S4_OFFICIAL_DIR=/path/to/s4 bash benchmarks/run_cuda.sh
# 0. build and check the extension (about a minute, once per source change);
# 1. the kernels chapter's GPU tests;
# 2. the kernels alone (CUDA events), s4lit against the official extension, with a profile of one size; then the
#    forward variants: 4 outputs per thread instead of 8 (S4LIT_CAUCHY_ITEMS=4), and the general path for points on
#    the imaginary axis too (S4LIT_CAUCHY_IMAG=0);
# 3. benchmarks/kernels.py at (1024, 16384) and (256, 4096): s4lit cuda against the official extension;
# 4. the official test's accuracy grid (benchmarks/cauchy_grid.py), s4lit and the official kernel.
# With S4_OFFICIAL_DIR unset the official rows are left out.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-logs}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 MPLBACKEND=agg PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ! python3 -c "import nbdev" 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then   # as in run_gpu.sh
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH="$PYTHONPATH:/tmp/site" PATH="/tmp/site/bin:$PATH"
fi
[ -d .carry/s4c ] && export S4LIT_CACHE_DIR="$PWD/.carry/s4c"   # a CUDA extension built on an earlier run
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
run() { local name=$1 limit=$2; shift 2; echo "=== $name ($*)"; timeout "$limit" "$@" 2>&1 | tee "$OUT/$name.log"; echo "=== $name exit ${PIPESTATUS[0]}"; }
run build 400 python3 -c "from s4lit import kernels as K; print(K.backends('cuda'))"
run cuda_tests 240 nbdev-test --flags gpu nbs/02_kernels.ipynb
run kernel_time 60 python3 benchmarks/cauchy_kernel_time.py --profile 256x4096
run kernel_time_items4 40 env S4LIT_CAUCHY_ITEMS=4 python3 benchmarks/cauchy_kernel_time.py
run kernel_time_general 40 env S4LIT_CAUCHY_IMAG=0 python3 benchmarks/cauchy_kernel_time.py
run kernels_big 60 python3 benchmarks/kernels.py --methods cuda
run kernels_small 40 python3 benchmarks/kernels.py --methods cuda --batch 256 --length 4096 --reps 50
run cauchy_grid 120 python3 benchmarks/cauchy_grid.py
