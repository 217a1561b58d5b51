"""The memory-bounded torch Cauchy backend: eager blocks at several budgets and the torch.compile'd path, against the official kernel.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/cauchy_torch.py [--batch 1024 --pairs 32 --length 16384]
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/cauchy_torch.py --device cpu --quick   # a small smoke run anywhere

Prints, per variant, the first call's time (compile included), the median forward and forward+backward ms, the
ratios to the official Cauchy kernel timed in the same run on the same inputs (its CUDA extension on CUDA, else its
torch code: see benchmarks/kernels.py), peak extra memory (CUDA) and the relative error against float64.
--check also compares values and gradients with the definition at a few shapes, compiled and eager.
"""
import time
import torch
from s4lit import kernels as K
from common import header, markdown, official, official_cauchy, parser, peak_extra, ratio, sync, timed   # benchmarks/common.py


def check(device):
    "Values and gradients of the torch backend (compiled and eager) against the float64 definition at a few shapes."
    t0 = time.time()
    K.memory_budget = 256 * 2**20
    for devs in [(device.type,), ()]:
        K.compile_devices = devs
        for s in [(2, 1, 1), (3, 7, 9), (1, 256, 257), (2, 32, 16384), (1, 300, 3000)]:
            e = K.check_backend('torch', *s, device=device.type)
            v64, z64, w64, _ = (t.to(torch.complex64).to(torch.complex128) for t in K.random_inputs(*s, seed=7))
            for conj in (True, False):  # without a z gradient: the compiled backward
                i64 = [v64.clone().requires_grad_(), w64.clone().requires_grad_()]
                y = K.cauchy_naive(i64[0], z64, i64[1], conj); gy = torch.randn_like(y)
                gref = torch.autograd.grad(y, i64, gy)
                i32 = [t.detach().to(device, torch.complex64).requires_grad_() for t in i64]
                y32 = K.cauchy(i32[0], z64.to(device, torch.complex64), i32[1], conj, backend='torch')
                g32 = torch.autograd.grad(y32, i32, gy.to(device, torch.complex64))
                errs = [K._rel_err(y32.detach().cpu().to(y.dtype), y.detach())] + [K._rel_err(q.cpu().to(r.dtype), r) for q, r in zip(g32, gref)]
                assert max(errs) <= 1e-5, (devs, s, conj, errs)
            print('check', devs, s, f"{max(max(x) for x in e.values()):.1e}", flush=True)
    print(f'checks passed in {time.time() - t0:.0f} s')


def main():
    p = parser(__doc__, batch=1024)
    p.add_argument('--pairs', type=int, default=32); p.add_argument('--length', type=int, default=16384)
    p.add_argument('--budgets', default='256,64,1024', help='eager block budgets in MiB')
    p.add_argument('--check', action='store_true')
    p.set_defaults(reps=5)
    a = p.parse_args()
    if a.quick: a.batch, a.pairs, a.length, a.reps, a.budgets = 8, 16, 512, 3, '1,16'
    device = torch.device(a.device)
    B, N, L = a.batch, a.pairs, a.length
    off = official(device)
    print(header('torch Cauchy backend', device))
    print(f"# batch {B}, N = {N} pairs, L = {L}, complex64, conj=True, median of {a.reps}", flush=True)
    v, z, w, _ = (t.to(device) for t in K.random_inputs(B, N, L, dtype=torch.complex64))
    ref = K.cauchy_naive(*(t[:4].to(torch.complex128) if t.dim() > 1 else t.to(torch.complex128) for t in (v, z, w)))
    vv, ww = v.clone().requires_grad_(), w.clone().requires_grad_()
    theirs, name = official_cauchy(off, device) if off else (None, None)
    variants = ([('official', 0)] if off else []) + [('eager', int(b)) for b in a.budgets.split(',')] \
        + ([('compiled', 256)] if not (a.quick and device.type == 'cpu') else [])   # compiling on a CPU takes minutes
    rows, base = [], None
    for mode, mb in variants:
        K.compile_devices = (device.type,) if mode == 'compiled' else ()
        K.memory_budget = mb * 2**20
        f = theirs if mode == 'official' else lambda v, z, w: K.cauchy(v, z, w, backend='torch')
        def fb():
            y = f(vv, z, ww); torch.autograd.grad(y, (vv, ww), torch.ones_like(y))
        try:
            sync(device); t0 = time.time(); fb(); sync(device); first = time.time() - t0
            with torch.no_grad(): err = K._rel_err(f(v, z, w)[:4].to(ref.dtype), ref)
            if mode == 'official' and not err <= 1e-4: raise SystemExit(f"the official Cauchy kernel differs from the definition by {err:.1e}")
            t = (timed(lambda: f(v, z, w), device, a.reps, 2), timed(fb, device, a.reps, 2))
            mem = peak_extra(fb, device)
            if mode == 'official': base = t
            rows.append((name if mode == 'official' else f's4lit torch, {mode}', '-' if mode == 'official' else mb, f'{first:.1f}',
                         f'{t[0]:.3f}', f'{t[1]:.3f}', ratio(t[0], base[0]) if base and mode != 'official' else '-',
                         ratio(t[1], base[1]) if base and mode != 'official' else '-', '-' if mem is None else f'{mem:.0f}', f'{err:.1e}'))
        except SystemExit: raise
        except Exception as e: rows.append((mode, mb, f'failed: {type(e).__name__}: {str(e)[:300]}', *[''] * 6))
        print('  ', rows[-1], flush=True)
        if device.type == 'cuda': torch.cuda.empty_cache()
    print(markdown(['variant', 'budget MiB', 'first fwd+bwd s', 'forward ms', 'fwd+bwd ms', 'fwd / official', 'fwd+bwd / official',
                    'peak extra MiB', 'rel. error'], rows))
    print('compiled:', {k: (v if isinstance(v, str) else 'ok') for k, v in K._compiled.items()})
    if not off: print("No official code (S4_OFFICIAL_DIR unset): s4lit's side only.")
    if a.check: check(device)


if __name__ == '__main__':
    main()
