"""Benchmark of s4lit's Cauchy and Vandermonde backends: `python benchmarks/kernels.py [--batch 1024 --pairs 32 --length 16384]`.

Prints a markdown table of measured forward and forward+backward times (CUDA events, median of --reps runs after
warm-up), peak extra GPU memory and relative error against a float64 reference (on the first rows), for the naive
definition, the memory-bounded torch path (as configured: torch.compile'd on CUDA; `torch-eager`: its eager blocks),
pykeops (where it runs), the CUDA extension, and torch.compile of the definition, with the device, date, torch version
and commit. Rows that fail (out of memory, unavailable) say why.
"""
import argparse, datetime, os, subprocess, sys, time, traceback
import torch

from s4lit import kernels as K


def commit():
    try:
        return subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or 'unknown'
    except Exception:
        return 'unknown'


def timeit(f, reps):
    "Median milliseconds of `f()` over `reps` runs after two warm-ups, with CUDA events."
    for _ in range(2): f()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); f(); b.record(); torch.cuda.synchronize()
        ts.append(a.elapsed_time(b))
    return sorted(ts)[len(ts) // 2]


def peak_extra(f):
    "Peak GPU memory allocated by `f()` beyond what was allocated before, in MiB."
    torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
    f(); torch.cuda.synchronize()
    return (torch.cuda.max_memory_allocated() - base) / 2**20


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batch', type=int, default=1024)
    p.add_argument('--pairs', type=int, default=32, help='N: conjugate pairs (the state size is 2N)')
    p.add_argument('--length', type=int, default=16384)
    p.add_argument('--reps', type=int, default=10)
    p.add_argument('--ops', default='cauchy,log_vandermonde')
    p.add_argument('--methods', default='naive,torch,torch-eager,pykeops,cuda,compile',
                   help='torch: the torch backend as configured (compiled on CUDA); torch-eager: with torch.compile off')
    a = p.parse_args()
    assert torch.cuda.is_available(), 'this benchmark needs a CUDA device'
    B, N, L = a.batch, a.pairs, a.length
    print(f"# s4lit kernels benchmark\n\ndevice: {torch.cuda.get_device_name()}, date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"torch {torch.__version__}, commit {commit()}\n\nbatch {B}, N = {N} conjugate pairs, L = {L}, complex64, conj=True; "
          f"median of {a.reps} runs; error = relative error (2-norm) of the first 4 rows against float64 on the same inputs; "
          f"memory = peak extra GPU memory of forward+backward (output: {B * L * 8 / 2**20:.0f} MiB)\n")
    v, z, w, x = (t.cuda() for t in K.random_inputs(B, N, L, dtype=torch.complex64))
    v64, z64, w64, x64 = (t[:4].to(torch.complex128) if t.dim() > 1 else t.to(torch.complex128) for t in (v, z, w, x))
    refs = {'cauchy': K.cauchy_naive(v64, z64, w64), 'log_vandermonde': K.log_vandermonde_naive(v64, x64, L)}
    compiled, compile_devices = {}, K.compile_devices

    def run(op, method, vv, ww):
        if method == 'compile':
            if op not in compiled:
                compiled[op] = torch.compile(K.cauchy_naive if op == 'cauchy' else K.log_vandermonde_naive)
            return compiled[op](vv, z, ww) if op == 'cauchy' else compiled[op](vv, ww, L)
        K.compile_devices = () if method == 'torch-eager' else compile_devices
        backend = 'torch' if method == 'torch-eager' else method
        if op == 'cauchy': return K.cauchy(vv, z, ww, backend=backend)
        return K.log_vandermonde(vv, ww, L, backend=backend)

    rows, base = [], {}
    for op in a.ops.split(','):
        second = w if op == 'cauchy' else x
        for m in a.methods.split(','):
            row = dict(op=op, method=m)
            try:
                vv, ww = v.clone().requires_grad_(), second.clone().requires_grad_()
                with torch.no_grad(): y = run(op, m, v, second)
                row['err'] = K._rel_err(y[:4].to(refs[op].dtype), refs[op]); del y
                row['fwd'] = timeit(lambda: run(op, m, v, second), a.reps)
                def fb():
                    y = run(op, m, vv, ww)
                    torch.autograd.grad(y, (vv, ww), torch.ones_like(y))
                row['fwdbwd'] = timeit(fb, a.reps)
                row['mem'] = peak_extra(fb)
            except Exception as e:
                row['note'] = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
            torch.cuda.empty_cache()
            rows.append(row)
            print('  measured', row, file=sys.stderr, flush=True)
        base[op] = next((r for r in rows if r['op'] == op and r['method'] == 'cuda' and 'fwd' in r), None)

    print('| op | method | forward ms | fwd+bwd ms | fwd / cuda | fwd+bwd / cuda | peak extra MiB | rel. error | note |')
    print('|---|---|---|---|---|---|---|---|---|')
    f = lambda r, k, fmt: format(r[k], fmt) if k in r else 'not measured'
    for r in rows:
        b = base[r['op']]
        ratio = lambda k: f"{r[k] / b[k]:.2f}" if b and k in r else 'n/a'
        print(f"| {r['op']} | {r['method']} | {f(r, 'fwd', '.3f')} | {f(r, 'fwdbwd', '.3f')} | {ratio('fwd')} | "
              f"{ratio('fwdbwd')} | {f(r, 'mem', '.0f')} | {f(r, 'err', '.1e')} | {r.get('note', '')} |")


if __name__ == '__main__':
    main()
