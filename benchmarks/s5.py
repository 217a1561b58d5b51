"""S5 speed and memory: the S5 layer (one MIMO diagonal SSM computed by a scan) against s4lit's S4D layer, same run.

Both layers take (batch, L, H) and return (y, state); S5 with P states shared by all channels (d_state=P, P/2 complex
modes), S4D with H separate SSMs of N states each (its Vandermonde kernel and FFT convolution). The S5 rows are
divided by the S4D row of the same L. Then `linear_scan` (the dispatch of s4lit.s5: the Triton kernel on CUDA, the loop
on CPU, and the doubling scan) is timed against `sequential_scan` (a Python loop over time, autograd through every step)
on one complex recurrence of shape (batch, L, P/2), forward and forward+backward, speedup printed.

    python benchmarks/s5.py                      # CUDA: batch 16, H=256, P=N=64, L in 1024, 4096, 16384
    python benchmarks/s5.py --device cpu --quick # a small smoke run anywhere (batch 2, H=32, P=N=16, L 256, 1024)

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.sum()). Peak memory is the most that one fwd+bwd call allocates beyond what was allocated before it
(`common.peak_extra`, CUDA only). Times are medians over --reps runs after warm-up.
"""
import torch
from s4lit.s4d import S4D
from s4lit.s5 import S5, linear_scan, sequential_scan
from common import fmt, header, layer_args, layer_parser, measure, peak_extra, ratio, timed   # benchmarks/common.py


def layer_table(a, device, Ls):
    "S5 against S4D: fwd and fwd+bwd ms and peak GB per length, ratios to S4D."
    print(f"\n## layers: batch {a.batch}, H={a.H}, S5 P={a.P}, S4D N={a.N}, float32")
    print("| L | layer | fwd ms | fwd+bwd ms | peak GB | fwd+bwd / S4D |")
    print("|---|---|---|---|---|---|")
    for L in Ls:
        u = torch.randn(a.batch, L, a.H, device=device, requires_grad=True)
        rows = {}
        for name, make in (('S4D', lambda: S4D(a.H, a.N)), ('S5', lambda: S5(a.H, a.P)),
                           ('S5 (doubling scan)', lambda: S5(a.H, a.P, backend='doubling'))):
            if name == 'S5 (doubling scan)' and device.type == 'cpu' and L > 1024: continue
            torch.manual_seed(0)
            m = make().to(device)
            rows[name] = measure(m, u, device, a.reps, warmup=2)
            del m
            if device.type == 'cuda': torch.cuda.empty_cache()
        for name, (t_f, t_fb, peak) in rows.items():
            print(f"| {L} | {name} | {fmt(t_f)} | {fmt(t_fb)} | {fmt(peak, '5.3f')} | "
                  f"{ratio(t_fb, rows['S4D'][1])} |")


def scan_table(a, device, Ls):
    "linear_scan against sequential_scan on one complex recurrence (batch, L, P/2)."
    print(f"\n## scan: batch {a.batch}, P/2={a.P // 2} complex states; speedup = sequential / linear_scan")
    print("| L | backend | fwd ms | sequential fwd ms | speedup | fwd+bwd ms | sequential fwd+bwd ms | speedup "
          "| peak GB | sequential peak GB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    backends = ['auto', 'doubling'] if device.type == 'cuda' else ['auto']
    for L in Ls:
        if L > a.max_seq_L: continue
        a_ = torch.exp(torch.complex(-0.01 * torch.rand(a.batch, L, a.P // 2), torch.randn(a.batch, L, a.P // 2)))
        a_ = a_.to(device).requires_grad_()
        b = torch.randn(a.batch, L, a.P // 2, dtype=torch.complex64, device=device, requires_grad=True)
        def fb(f):
            def run():
                a_.grad = b.grad = None
                f(a_, b).real.sum().backward()
            return run
        def fwd(f):
            def run():
                with torch.no_grad(): f(a_, b)
            return run
        def peak(f):   # GB beyond what was allocated before
            mib = peak_extra(fb(f), device)
            return None if mib is None else mib * 2**20 / 1e9
        reps = max(1, a.reps // 4)
        seq_f, seq_fb, seq_peak = timed(fwd(sequential_scan), device, reps, 1), timed(fb(sequential_scan), device, reps, 1), \
            peak(sequential_scan)
        for k in backends:
            f = lambda x, y, k=k: linear_scan(x, y, backend=k)
            t_f, t_fb = timed(fwd(f), device, a.reps, 2), timed(fb(f), device, a.reps, 2)
            print(f"| {L} | {k} | {fmt(t_f)} | {fmt(seq_f)} | {ratio(seq_f, t_f)} | {fmt(t_fb)} | {fmt(seq_fb)} | "
                  f"{ratio(seq_fb, t_fb)} | {fmt(peak(f), '5.3f')} | {fmt(seq_peak, '5.3f')} |")


def check(device):
    "Before timing: linear_scan's default path agrees with the loop on this device."
    torch.manual_seed(0)
    a_ = torch.exp(torch.complex(-0.01 * torch.rand(2, 999, 8), torch.randn(2, 999, 8))).to(device)
    b = torch.randn(2, 999, 8, dtype=torch.complex64, device=device)
    ref = sequential_scan(a_, b)
    err = ((linear_scan(a_, b) - ref).abs().max() / ref.abs().max()).item()
    assert err < 1e-4, f"linear_scan differs from sequential_scan by {err:.2e} (relative)"
    print(f"check: linear_scan == sequential_scan on {device.type} to {err:.1e} (relative, float32)")


def main():
    p = layer_parser(__doc__)
    p.add_argument('--P', type=int, default=64, help='S5 state size (d_state)')
    p.add_argument('--max-seq-L', type=int, default=4096, help='longest L for the sequential_scan comparison')
    a, device, Ls = layer_args(p)
    if a.quick and a.P == p.get_default('P'): a.P = 16
    print(header('S5 benchmark', device))
    check(device)
    layer_table(a, device, Ls)
    scan_table(a, device, Ls)


if __name__ == '__main__':
    main()
