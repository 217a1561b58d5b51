"""GPU time of the Cauchy kernels alone (the extension calls, no autograd or Python wrapper), s4lit and official.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/cauchy_kernel_time.py            # (1024, 16384) and (256, 4096)
    S4LIT_CAUCHY_ITEMS=4 python benchmarks/cauchy_kernel_time.py                   # the forward with 4 outputs per thread
    python benchmarks/cauchy_kernel_time.py --profile 256x4096     # and where a whole forward+backward call spends

conj=True, 32 pairs, complex64, z one row on the imaginary axis (s4lit.kernels.random_inputs, as S4 uses it). Times
are CUDA-event medians of --reps calls after warm-up (each call includes its launches and, for the backward, its
allocations and reductions). The forward's arithmetic rate counts the float operations of s4lit's formula per pair
(an FMA as 2, the reciprocal as 1): 18 on its path for points on the imaginary axis, 24 on the general path
(S4LIT_CAUCHY_IMAG=0), against the H200's ~67 TFLOP/s fp32 peak (--peak); the official row is rated with the same
count (an effective rate: its own formula, two complex divisions per pair, does more).
"""
import argparse, os, sys
import torch
from s4lit import kernels as K

FLOPS_PER_PAIR = 24 if os.environ.get('S4LIT_CAUCHY_IMAG', '1') == '0' else 18


def event_ms(fn, reps):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        ts.append(a.elapsed_time(b))
    return sorted(ts)[len(ts) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sizes', default='1024x16384,256x4096')
    p.add_argument('--pairs', type=int, default=32)
    p.add_argument('--reps', type=int, default=30)
    p.add_argument('--peak', type=float, default=67e12)
    p.add_argument('--profile', default='', help="BxL: profile 5 forward+backward calls through autograd at this size")
    a = p.parse_args()
    ext = K._extension()
    off = None
    if os.environ.get('S4_OFFICIAL_DIR'):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from common import official   # benchmarks/common.py: puts the official checkout on sys.path
        if official(torch.device('cuda')) is not None:
            try: import structured_kernels as off
            except ImportError as e: print(f"# official extension not importable: {e}")
    items = os.environ.get('S4LIT_CAUCHY_ITEMS', '8')
    print(f"# Cauchy kernels alone, conj=True, {a.pairs} pairs; s4lit forward with {items} outputs per thread, "
          f"{FLOPS_PER_PAIR} flops per pair; {torch.cuda.get_device_name()}")
    print("| B | L | kernel | forward ms | backward ms | forward TFLOP/s | of fp32 peak |")
    print("|---|---|---|---|---|---|---|")
    for size in a.sizes.split(','):
        B, L = map(int, size.split('x'))
        v, z, w, _ = (t.cuda() for t in K.random_inputs(B, a.pairs, L, dtype=torch.complex64))
        z2 = z[None].contiguous()
        g = torch.randn(B, L, dtype=torch.complex64, device='cuda')
        flops = FLOPS_PER_PAIR * B * L * a.pairs
        rows = [('s4lit', lambda: ext.cauchy_fwd(v, z2, w, True), lambda: ext.cauchy_bwd(v, z2, w, g, True))]
        if off is not None:
            rows.append(('official', lambda: off.cauchy_mult_sym_fwd(v, z, w),
                         lambda: off.cauchy_mult_sym_bwd(v, z, w, g)))
        for name, fwd, bwd in rows:
            tf, tb = event_ms(fwd, a.reps), event_ms(bwd, a.reps)
            rate = flops / (tf * 1e-3)
            print(f"| {B} | {L} | {name} | {tf:.4f} | {tb:.4f} | {rate / 1e12:.1f} | {rate / a.peak:.0%} |", flush=True)
    if a.profile: profile(a, off)


def profile(a, off):
    "Top operations (CPU and CUDA time) of 5 forward+backward calls through autograd, s4lit and official."
    B, L = map(int, a.profile.split('x'))
    v, z, w, _ = (t.cuda() for t in K.random_inputs(B, a.pairs, L, dtype=torch.complex64))
    v.requires_grad_(); w.requires_grad_()
    calls = [('s4lit cauchy(backend=cuda)', lambda: K.cauchy(v, z, w, backend='cuda'))]
    if off is not None:
        from extensions.kernels.cauchy import cauchy_mult
        calls.append(('official cauchy_mult', lambda: cauchy_mult(v, z, w)))
    from torch.profiler import profile as prof, ProfilerActivity
    for name, f in calls:
        def step():
            y = f()
            torch.autograd.grad(y, (v, w), torch.ones_like(y))
        for _ in range(3): step()
        torch.cuda.synchronize()
        with prof(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as p:
            for _ in range(5): step()
            torch.cuda.synchronize()
        print(f"\n## {name}, B={B}, L={L}: 5 forward+backward calls")
        print(p.key_averages().table(sort_by='cpu_time_total', row_limit=14, max_name_column_width=60))


if __name__ == '__main__':
    main()
