"""The Cauchy kernel's accuracy grid, with the official CUDA extension's test rule (extensions/kernels/test_cauchy.py).

    python benchmarks/cauchy_grid.py                                   # s4lit's CUDA kernel, the full grid (100 cases)
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/cauchy_grid.py       # and the official kernel on the same inputs
    python benchmarks/cauchy_grid.py --device cpu --quick               # a smoke run of the script (torch backend)

The grid and the data are the official test's: state size N in 4, 8, ..., 2048 (N/2 conjugate pairs), L in 3, 17, 489,
1024, 1047, 2048, 4096, 8192, 16384, 2^18; batch 4; seed 2357; v, w standard complex normal pairs (so poles come close
to the points), z = exp(i t) with t standard normal; the output gradient standard complex normal. Reference: the
definition evaluated in float64 (on the complex64 inputs), chunked over L. The official test compares against pykeops in
float32 and passes a case when, for the output and both gradients, the maximum and the mean of the elementwise relative
error are at most 2 x pykeops' + 1e-4. Here the float32 stand-in for pykeops is torch float32 evaluating the same
formulas (broadcast over (B, N/2, L chunk), torch sums over n, and over l per chunk), and the rule is the same.
Printed: one line per failing case and the worst cases by the margin `err / (2 comp + 1e-4)` (a case passes when all
six are <= 1), then the pass count per method.
"""
import argparse, math, os, sys, time
import torch
from s4lit import kernels as K

Ns = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]
Ls = [3, 17, 489, 2**10, 1047, 2**11, 2**12, 2**13, 2**14, 2**18]


def data(B, N, L, device):
    "The official test's inputs: halves v, w (B, N/2), z (L,), and the output gradient (B, L); seed 2357."
    torch.random.manual_seed(2357)
    v = torch.randn(B, N // 2, dtype=torch.complex64, device=device)
    w = torch.randn(B, N // 2, dtype=torch.complex64, device=device)
    z = torch.exp(1j * torch.randn(L, dtype=torch.float32, device=device))
    g = torch.randn(B, L, dtype=torch.complex64, device=device)
    return v, z, w, g


def formulas(v, z, w, g, chunk):
    """Output and half-parameter gradients of sum_n v/(z-w) + conj(v)/(z-conj w), in the inputs' dtype, chunked over L:
    grad_v = sum_l g conj(r1) + conj(g) r2, grad_w = conj(v) sum_l g conj(r1)^2 + conj(g) r2^2."""
    out, s1, s2 = [], 0, 0
    for l0 in range(0, z.shape[-1], chunk):
        zz, gg = z[None, None, l0:l0 + chunk], g[:, None, l0:l0 + chunk]
        r1, r2 = 1 / (zz - w[..., None]), 1 / (zz - w.conj()[..., None])
        out.append((v[..., None] * r1 + v.conj()[..., None] * r2).sum(1))
        t1, t2 = gg * r1.conj(), gg.conj() * r2
        s1 = s1 + (t1 + t2).sum(-1)
        s2 = s2 + (t1 * r1.conj() + t2 * r2).sum(-1)
    return torch.cat(out, -1), s1, v.conj() * s2


def relerr(a, b):
    e = ((a.to(b.dtype) - b).abs() / b.abs()).float()
    return e.amax().item(), e.mean().item()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--quick', action='store_true', help='N <= 64, L <= 1047 (a smoke run)')
    p.add_argument('--methods', default='cuda,official', help="s4lit's 'cuda' (or 'torch'), and 'official'")
    p.add_argument('--worst', type=int, default=8, help='worst cases printed per method')
    a = p.parse_args()
    device = torch.device(a.device)
    Ns_, Ls_ = ([n for n in Ns if n <= 64], [l for l in Ls if l <= 1047]) if a.quick else (Ns, Ls)
    methods = {}
    for m in a.methods.split(','):
        if m == 'official':
            if not os.environ.get('S4_OFFICIAL_DIR'): print('# official: S4_OFFICIAL_DIR is not set'); continue
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
            from common import official, official_cauchy   # benchmarks/common.py
            off = official(device)
            f, name = official_cauchy(off, device) if off else (None, None)
            if f is None or 'extension' not in name: print(f'# official: its CUDA extension is not importable'); continue
            methods['official'] = lambda v, z, w, f=f: f(v, z, w)
        elif m == 'cuda' and device.type != 'cuda':
            methods['torch'] = lambda v, z, w: K.cauchy(v, z, w, backend='torch')
        else:
            methods[m] = lambda v, z, w, m=m: K.cauchy(v, z, w, backend=m)
    print(f"# Cauchy accuracy grid, official test rule; device {device}; methods {list(methods)}")
    print("# reference: float64 definition; comparator (pykeops in the official test): torch float32, same formulas")
    res = {m: [] for m in methods}
    t0 = time.time()
    for N in Ns_:
        for L in Ls_:
            B = 4
            v, z, w, g = data(B, N, L, device)
            chunk = max(1, 2**24 // (B * N))
            ref = formulas(v.cdouble(), z.cdouble(), w.cdouble(), g.cdouble(), chunk)
            comp = [relerr(x, r) for x, r in zip(formulas(v, z, w, g, chunk), ref)]
            for m, f in methods.items():
                vv, ww = v.clone().requires_grad_(), w.clone().requires_grad_()
                try:
                    out = f(vv, z, ww)
                    dv, dw = torch.autograd.grad(out, (vv, ww), g)
                    errs = [relerr(x, r) for x, r in zip((out, dv, dw), ref)]
                except Exception as e:   # a method that cannot run a case fails it, with the reason
                    res[m].append((math.inf, N, L, f"{type(e).__name__}: {str(e).splitlines()[0][:100]}")); continue
                margins = [(e[k] / (2 * c[k] + 1e-4), f"{what} {'max' if k == 0 else 'mean'} {e[k]:.2e} vs "
                            f"comparator {c[k]:.2e}") for e, c, what in zip(errs, comp, ('out', 'dv', 'dw'))
                           for k in (0, 1)]
                worst = max(margins)
                res[m].append((worst[0], N, L, worst[1]))
                if worst[0] > 1: print(f"  FAIL {m:8s} N={N:5d} L={L:6d}: {worst[1]} (margin {worst[0]:.2f})", flush=True)
            del ref
    print(f"# {time.time() - t0:.0f} s")
    for m, r in res.items():
        print(f"\n{m}: worst cases (margin = error / (2 comparator + 1e-4); a case passes when <= 1)")
        for margin, N, L, what in sorted(r, key=lambda x: -x[0])[:a.worst]:
            print(f"  N={N:5d} L={L:6d}  margin {margin:.3f}  {what}")
    print()
    for m, r in res.items():
        print(f"{m}: {sum(x[0] <= 1 for x in r)}/{len(r)} cases pass")


if __name__ == '__main__':
    main()
