"""The memory-bounded torch Cauchy backend on a GPU: eager blocks at several budgets and the torch.compile'd path.

`python benchmarks/cauchy_torch.py [--batch 1024 --pairs 32 --length 16384]`: prints, per variant, the first call's time
(compile included), the median forward and forward+backward ms, peak extra memory and the relative error against float64.
"""
import argparse, datetime, sys, time
import torch
from s4lit import kernels as K
sys.path.insert(0, __file__.rsplit('/', 1)[0])
from kernels import timeit, peak_extra

p = argparse.ArgumentParser()
p.add_argument('--batch', type=int, default=1024); p.add_argument('--pairs', type=int, default=32)
p.add_argument('--length', type=int, default=16384); p.add_argument('--reps', type=int, default=5)
p.add_argument('--budgets', default='256,64,1024'); p.add_argument('--check', action='store_true')
a = p.parse_args()
B, N, L = a.batch, a.pairs, a.length
print(f"device: {torch.cuda.get_device_name()}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, torch {torch.__version__}; "
      f"batch {B}, N = {N} pairs, L = {L}, complex64, conj=True, median of {a.reps}", flush=True)
v, z, w, x = (t.cuda() for t in K.random_inputs(B, N, L, dtype=torch.complex64))
ref = K.cauchy_naive(*(t[:4].to(torch.complex128) if t.dim() > 1 else t.to(torch.complex128) for t in (v, z, w)))
vv, ww = v.clone().requires_grad_(), w.clone().requires_grad_()
def fb():
    y = K.cauchy(vv, z, ww, backend='torch'); torch.autograd.grad(y, (vv, ww), torch.ones_like(y))
variants = [('eager', int(b)) for b in a.budgets.split(',')] + [('compiled', 256)]
print('| variant | budget MiB | first fwd+bwd s | forward ms | fwd+bwd ms | peak extra MiB | rel. error |\n|---|---|---|---|---|---|---|')
for mode, mb in variants:
    K.compile_devices = ('cuda',) if mode == 'compiled' else ()
    K.memory_budget = mb * 2**20
    try:
        torch.cuda.synchronize(); t0 = time.time(); fb(); torch.cuda.synchronize(); first = time.time() - t0
        with torch.no_grad(): err = K._rel_err(K.cauchy(v, z, w, backend='torch')[:4].to(ref.dtype), ref)
        f = timeit(lambda: K.cauchy(v, z, w, backend='torch'), a.reps); fbt = timeit(fb, a.reps); mem = peak_extra(fb)
        print(f"| {mode} | {mb} | {first:.1f} | {f:.3f} | {fbt:.3f} | {mem:.0f} | {err:.1e} |", flush=True)
    except Exception as e: print(f"| {mode} | {mb} | failed: {type(e).__name__}: {str(e)[:300]} |", flush=True)
    torch.cuda.empty_cache()
print('compiled:', {k: (v if isinstance(v, str) else 'ok') for k, v in K._compiled.items()})
if a.check:
    t0 = time.time()
    K.memory_budget = 256 * 2**20
    for devs in [('cuda',), ()]:
        K.compile_devices = devs
        for s in [(2, 1, 1), (3, 7, 9), (1, 256, 257), (2, 32, 16384), (1, 300, 3000)]:
            e = K.check_backend('torch', *s, device='cuda')
            v64, z64, w64, _ = (t.to(torch.complex64).to(torch.complex128) for t in K.random_inputs(*s, seed=7))
            for conj in (True, False):  # without a z gradient: the compiled backward
                i64 = [v64.clone().requires_grad_(), w64.clone().requires_grad_()]
                y = K.cauchy_naive(i64[0], z64, i64[1], conj); gy = torch.randn_like(y)
                gref = torch.autograd.grad(y, i64, gy)
                i32 = [t.detach().cuda().to(torch.complex64).requires_grad_() for t in i64]
                y32 = K.cauchy(i32[0], z64.cuda().to(torch.complex64), i32[1], conj, backend='torch')
                g32 = torch.autograd.grad(y32, i32, gy.cuda().to(torch.complex64))
                errs = [K._rel_err(y32.detach().cpu().to(y.dtype), y.detach())] + [K._rel_err(q.cpu().to(r.dtype), r) for q, r in zip(g32, gref)]
                assert max(errs) <= 1e-5, (devs, s, conj, errs)
            print('check', devs, s, f"{max(max(x) for x in e.values()):.1e}", flush=True)
    print(f'checks passed in {time.time() - t0:.0f} s; compiled:', {k: (v if isinstance(v, str) else 'ok') for k, v in K._compiled.items()})
