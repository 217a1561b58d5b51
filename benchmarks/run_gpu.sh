#!/usr/bin/env bash
# The GPU runs behind the numbers in the chapters: GPU tests, then the benchmarks, each with its own time limit.
#   bash benchmarks/run_gpu.sh [steps...]
#   steps: tests kernels s4 s4d liquid experiment train_step (default: these), and
#          baselines (build the official S4 extension and mamba-ssm's scan: benchmarks/build_baselines.py), mamba, mamba_seq,
#          wheel (build the wheel, install it alone, check the CUDA backend finds its sources; then the same with
#          the extension built ahead of time, S4LIT_CUDA_EXT=1), alone (every chapter alone from that wheel),
#          results (RUNS=a,b UNTIL=480 [MPS=1]: result runs side by side; see the step below)
# Logs go to $OUT (or ./gpu-logs). On a machine without nbdev, wheels in .whl/ are installed to /tmp/site first.
# The benchmarks time the official state-spaces/s4 code as their baseline when S4_OFFICIAL_DIR names a checkout of it
# (with its CUDA extension built and importable, e.g. on PYTHONPATH); without it they time s4lit alone.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-logs}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 MPLBACKEND=agg PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ! python3 -c "import nbdev, celluloid" 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH="$PYTHONPATH:/tmp/site" PATH="/tmp/site/bin:$PATH"
fi
[ -d .carry/data ] && export S4LIT_DATA="$PWD/.carry/data"
[ -d .carry/s4c ] && export S4LIT_CACHE_DIR="$PWD/.carry/s4c"   # a CUDA extension built on an earlier run
steps=${*:-tests kernels s4 s4d liquid experiment train_step}
{ date -u; echo "S4_OFFICIAL_DIR=${S4_OFFICIAL_DIR:-unset}"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; python3 -c "import torch; print('torch', torch.__version__)"; git log -1 --format='commit %h %s' 2>/dev/null; } | tee "$OUT/env.txt"
run() { local name=$1 limit=$2; shift 2; echo "=== $name ($*)"; timeout "$limit" "$@" 2>&1 | tee "$OUT/$name.log"; echo "=== $name exit ${PIPESTATUS[0]}"; }
for s in $steps; do case $s in
  baselines)  run baselines 400 python3 benchmarks/build_baselines.py
              [ -n "${S4_OFFICIAL_DIR:-}" ] && export PYTHONPATH="$PYTHONPATH:${S4_EXT_DIR:-/tmp/s4-official-ext}" ;;
  tests)      run tests 240 nbdev-test --flags gpu --n-workers 8 ;;
  kernels)    run kernels 180 python3 benchmarks/kernels.py ;;
  s4)         run s4 240 python3 benchmarks/s4.py --backends auto --reps 40 ;;
  s4d)        run s4d 240 python3 benchmarks/s4d.py --backends matmul --reps 40 ;;
  liquid)     run liquid 120 python3 benchmarks/liquid.py ;;
  experiment) run experiment 300 python3 benchmarks/liquid_experiment.py --task fsdd --epochs 10 ;;
  mamba)      run mamba 120 python3 benchmarks/mamba.py ;;
  mamba_seq)  run mamba_seq 300 python3 benchmarks/mamba_seq.py ;;   # the loop-over-time forward, an experiment
  train_step) run train_step 240 python3 benchmarks/train_step.py ;;   # sCIFAR for part 2: .carry/data/cifar10-jpeg/cifar10-jpg.tar.xz
  wheel)      run wheel 400 bash -c '
      set -e; export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}; rm -rf /tmp/w /tmp/wjit /tmp/waot
      check() { (cd /tmp && PYTHONPATH=$1:/tmp/site python3 -c "from s4lit import kernels as K; print(K.backends(\"cuda\")); print(\"extension module:\", K._extension().__name__)"); }
      python3 -m pip wheel -q --no-build-isolation --no-deps . -w /tmp/w/jit
      python3 -m pip install -q --no-deps --target /tmp/wjit /tmp/w/jit/*.whl && ls /tmp/wjit/s4lit/extensions && check /tmp/wjit
      S4LIT_CUDA_EXT=1 python3 -m pip wheel -q --no-build-isolation --no-deps . -w /tmp/w/aot
      python3 -m pip install -q --no-deps --target /tmp/waot /tmp/w/aot/*.whl && ls /tmp/waot/s4lit/_kernels_cuda* && check /tmp/waot' ;;
  results)    # RUNS=name,name (benchmarks/results.py names or recipes), trained side by side, detached; waits up to
              # UNTIL seconds (default 480), then copies their logs to $OUT/results.tgz, with the checkpoints
              # (last.pt and best.pt) of the runs not yet finished. Started again, a run resumes.
              [ -n "${MPS:-}" ] && export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps CUDA_MPS_LOG_DIRECTORY=/tmp/mpslog && mkdir -p /tmp/mps /tmp/mpslog \
                && { pgrep -f nvidia-cuda-mps-control >/dev/null || nvidia-cuda-mps-control -d; }   # MPS=1: one GPU context for all runs
              # under MPS a client killed mid-kernel faults the server and every other client: stop runs with
              # `results.py stop` (Ctrl-C: the step ends, last.pt is saved), never with kill
              # a machine can be new at each call: a run missing under runs/results/ starts from .carry/ckpt/<run>/
              # when that is there; `tar xzf results.tgz -C .carry/ckpt --strip-components 2` puts an earlier
              # call's files there (a resume needs both checkpoints: best.pt is what the final test scores)
              for r in ${RUNS//,/ }; do [ ! -d runs/results/$r ] && [ -d .carry/ckpt/$r ] \
                && mkdir -p runs/results && cp -r .carry/ckpt/$r runs/results/$r && echo "$r: from .carry/ckpt/$r"; done
              run results_start 60 python3 benchmarks/results.py start "${RUNS:?set RUNS}"
              run results_wait $(( ${UNTIL:-480} + 60 )) python3 benchmarks/results.py wait "$RUNS" --until "${UNTIL:-480}" --every 60
              ckpts=(); for r in ${RUNS//,/ }; do   # the checkpoints of unfinished runs, for the next call
                grep -q test_acc runs/results/$r/metrics.jsonl 2>/dev/null && continue
                for f in last.pt best.pt; do [ -f runs/results/$r/$f ] && ckpts+=(runs/results/$r/$f); done; done
              tar czf "$OUT/results.tgz" runs/results/*/{metrics.jsonl,config.json,command.txt,log.txt} ${ckpts[@]+"${ckpts[@]}"} 2>/dev/null ;;
  alone)      run alone 500 env PYTHONPATH=/tmp/wjit:/tmp/site S4LIT_DOWNLOAD=0 python3 tools/run_alone.py --workers 8 ;;
esac; done
