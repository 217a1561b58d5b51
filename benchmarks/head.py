"""The standalone blocks' head (GELU, a linear map from H to 2H channels, a GLU), three ways, on (batch, H, L) input.

The official S4Block applies it to its channels-first activations viewed channels last, (batch, L, H), with a Linear
and a GLU over the last dimension (its output is a channels-last view), and so do s4lit's blocks (`linear_last` runs
their head, `s4lit.s4d._head`); the official standalone S4D uses a 1x1 Conv1d and a GLU over channels. A plain
batched matmul is the third way. All three compute the same function (checked first); forward and forward+backward
(loss y.sum()) are timed in the same run.

    python benchmarks/head.py                       # CUDA: batch 16, H = 256, L in 1024, 4096, 16384
    python benchmarks/head.py --device cpu --quick  # a smoke run anywhere
"""
import types
import torch
import torch.nn as nn
import torch.nn.functional as F
from s4lit.s4d import _head
from common import header, parser, peak_extra, set_tf32, timed   # benchmarks/common.py


def conv1d(y, w, b): return F.glu(F.conv1d(F.gelu(y), w[..., None], b), dim=-2)
def matmul(y, w, b): return F.glu(torch.matmul(w, F.gelu(y)) + b[:, None], dim=-2)

def linear_last(y, w, b):
    "s4lit's head (`s4lit.s4d._head`: F.linear on the channels-last view), reading `w`, `b` as its 1x1 convolution's."
    return _head(y, nn.Identity(), types.SimpleNamespace(weight=w[..., None], bias=b))

HEADS = dict(conv1d=conv1d, matmul=matmul, linear_last=linear_last)


def main():
    p = parser(__doc__, batch=16)
    p.add_argument('--H', type=int, default=256)
    p.add_argument('--L', default='1024,4096,16384')
    a = p.parse_args()
    if a.quick: a.batch, a.H, a.L, a.reps = 2, 32, '256,1024', 3
    device = torch.device(a.device)
    set_tf32(False)
    print(header('Block head', device))
    print(f"batch {a.batch}, H {a.H}; times in ms (median of {a.reps}), peak MiB beyond the inputs (CUDA)")
    g = torch.Generator().manual_seed(0)
    w = (torch.randn(2 * a.H, a.H, generator=g) / a.H ** 0.5).to(device)
    b = torch.randn(2 * a.H, generator=g).to(device)
    for L in (int(l) for l in a.L.split(',')):
        y = torch.randn(a.batch, a.H, L, generator=g).to(device)
        ref = conv1d(y.double(), w.double(), b.double())
        rows = []
        for name, f in HEADS.items():
            err = ((f(y, w, b) - ref).norm() / ref.norm()).item()
            if not err < 1e-5: raise SystemExit(f"{name} computes a different function (rel. error {err:.1e})")
            leaves = [t.clone().requires_grad_() for t in (y, w, b)]
            def fwd():
                with torch.no_grad(): f(y, w, b)
            def fwd_bwd():
                for t in leaves: t.grad = None
                f(*leaves).sum().backward()
            tf, tb = timed(fwd, device, a.reps, 3), timed(fwd_bwd, device, a.reps, 3)
            rows.append((name, tf, tb, peak_extra(fwd_bwd, device), err))
        base = rows[0]
        for name, tf, tb, mem, err in rows:
            m = f", peak {mem:7.1f} MiB" if mem is not None else ''
            print(f"L={L:6d} {name:12s} fwd {tf:8.3f} ({tf / base[1]:4.2f}x)  fwd+bwd {tb:8.3f} "
                  f"({tb / base[2]:4.2f}x){m}  rel. error {err:.0e}")


if __name__ == '__main__':
    main()
