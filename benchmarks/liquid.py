"""Liquid-S4 overhead: the liquid terms' cost over the plain layer (liquid_degree=1, the same code and parameters), same run.

For each base (S4D, S4) the plain layer is `LiquidS4(..., liquid_degree=1)` and also the base layer itself (`S4D` /
`S4`), then 'pb' and 'kb' ('adjacent' products) at --degrees, and 'kb' with 'allcombs' (S4D only, float64 inside).
Goal (issue 6): 'pb' within 1.3x and 'kb' within 2x of the plain layer.

    python benchmarks/liquid.py                       # CUDA: batch 16, H=256, N=64, L in 1024, 4096
    python benchmarks/liquid.py --device cpu --quick  # a small smoke run anywhere

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.square().mean()). Times are medians over --reps runs after warm-up; peak memory (CUDA) is
torch.cuda.max_memory_allocated() over the fwd+bwd call. Ratios are against the base layer measured in the same run.
"""
import argparse, datetime, platform, time
import torch
from s4lit.liquid import LiquidS4
from s4lit.s4d import S4D
from s4lit.s4 import S4


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def timeit(fn, device, reps, warmup=2):
    for _ in range(warmup): fn()
    sync(device)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); sync(device); ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2] * 1e3


def measure(layer, u, device, reps):
    "Forward ms, forward+backward ms, peak GB (CUDA, fwd+bwd)."
    with torch.no_grad(): layer(u)  # builds S4's C~ for this length outside the timing
    def fwd():
        with torch.no_grad(): layer(u)
    def fwdbwd():
        layer.zero_grad(set_to_none=True); u.grad = None
        layer(u)[0].square().mean().backward()
    t_f = timeit(fwd, device, reps)
    uu = u.requires_grad_(True)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    t_b = timeit(fwdbwd, device, reps)
    mem = torch.cuda.max_memory_allocated() / 2**30 if device.type == 'cuda' else float('nan')
    uu.requires_grad_(False)
    return t_f, t_b, mem


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--quick', action='store_true', help='batch 2, H=32, N=16, L in 256, 512: a smoke run')
    ap.add_argument('--lengths', default='1024,4096')
    ap.add_argument('--degrees', default='2,3')
    ap.add_argument('--bases', default='s4d,s4')
    ap.add_argument('--reps', type=int, default=10)
    args = ap.parse_args()
    device = torch.device(args.device)
    B, H, N = (2, 32, 16) if args.quick else (16, 256, 64)
    lengths = [256, 512] if args.quick else [int(x) for x in args.lengths.split(',')]
    degrees = [int(x) for x in args.degrees.split(',')]
    reps = 3 if args.quick else args.reps
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else platform.processor() or platform.machine()
    print(f"# Liquid-S4 overhead on {name} ({device}), torch {torch.__version__}, "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; batch {B}, H={H}, N={N}, float32")
    print(f"{'base':5} {'layer':22} {'L':>6} {'fwd ms':>9} {'x':>6} {'fwd+bwd ms':>11} {'x':>6} {'peak GB':>8}")
    for base in args.bases.split(','):
        for L in lengths:
            torch.manual_seed(0)
            u = torch.randn(B, L, H, device=device)
            ref = (S4D(H, N, disc='bilinear') if base == 's4d' else S4(H, N)).to(device)
            rows = [('plain ' + base.upper(), ref)]
            rows.append(('liquid, degree 1', LiquidS4(H, N, liquid_degree=1, base=base).to(device)))
            for p in degrees:
                rows.append((f'pb, degree {p}', LiquidS4(H, N, liquid_degree=p, liquid_kernel='pb', base=base).to(device)))
                rows.append((f'kb, degree {p}', LiquidS4(H, N, liquid_degree=p, liquid_kernel='kb', base=base).to(device)))
                if base == 's4d':
                    rows.append((f'kb allcombs, degree {p}', LiquidS4(H, N, liquid_degree=p, products='allcombs', base=base).to(device)))
            base_f = base_b = None
            for label, layer in rows:
                f, b, mem = measure(layer, u, device, reps)
                if base_f is None: base_f, base_b = f, b
                print(f"{base:5} {label:22} {L:6d} {f:9.2f} {f / base_f:6.2f} {b:11.2f} {b / base_b:6.2f} {mem:8.2f}", flush=True)
                del layer
            if device.type == 'cuda': torch.cuda.empty_cache()


if __name__ == '__main__':
    main()
