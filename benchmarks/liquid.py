"""Liquid-S4 overhead: the liquid terms' cost over the plain layer (the base layer with the same sizes), same run.

For each base (S4D, S4) the baseline is the base layer itself (`S4D(disc='bilinear')` / `S4`), then `LiquidS4` with
liquid_degree=1 (its own convolution code), 'pb' and 'kb' ('adjacent' products) at --degrees, and 'kb' with 'allcombs'
(S4D only, float64 inside). state-spaces/s4 has no Liquid-S4, so the plain layer is the baseline.

    python benchmarks/liquid.py                       # CUDA: batch 16, H=256, N=64, L in 1024, 4096
    python benchmarks/liquid.py --device cpu --quick  # a small smoke run anywhere

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.sum()), with benchmarks/common.py's helpers. Times are medians over --reps runs after warm-up; peak memory
(CUDA) is torch.cuda.max_memory_allocated() over one fwd+bwd call. Ratios are against the base layer in the same run.
On CUDA every layer is timed a second time replayed from CUDA graphs (`s4lit.model.graphed`; --no-graphs skips this):
at these sizes the eager layers are bound by the host launching their operations, and the graph rows show the cost
on the device alone. The `ops` column counts the top-level aten operations of one eager fwd+bwd (torch.profiler).
"""
import torch
from torch.profiler import profile, ProfilerActivity
from s4lit.liquid import LiquidS4
from s4lit.s4d import S4D
from s4lit.s4 import S4
from common import fmt, header, measure, measure_graphed, parser  # benchmarks/common.py


def count_ops(layer, u):
    "Top-level aten operations in one forward+backward (views included: each costs host time), after one to warm up (compiling)."
    layer(u)[0].sum().backward()
    with profile(activities=[ProfilerActivity.CPU]) as prof: layer(u)[0].sum().backward()
    layer.zero_grad(set_to_none=True); u.grad = None
    return sum(1 for e in prof.events() if e.name.startswith('aten::') and
               (e.cpu_parent is None or not e.cpu_parent.name.startswith('aten::')))


def layers(base, H, N, degrees):
    "(label, constructor) pairs: the plain base layer first."
    rows = [('plain ' + base.upper(), lambda: S4D(H, N, disc='bilinear') if base == 's4d' else S4(H, N)),
            ('liquid, degree 1', lambda: LiquidS4(H, N, liquid_degree=1, base=base))]
    for p in degrees:
        rows.append((f'pb, degree {p}', lambda p=p: LiquidS4(H, N, liquid_degree=p, liquid_kernel='pb', base=base)))
        rows.append((f'kb, degree {p}', lambda p=p: LiquidS4(H, N, liquid_degree=p, liquid_kernel='kb', base=base)))
        if base == 's4d':
            rows.append((f'kb allcombs, degree {p}', lambda p=p: LiquidS4(H, N, liquid_degree=p, products='allcombs', base=base)))
    return rows


def main():
    ap = parser(__doc__, batch=16)
    ap.add_argument('--lengths', default='1024,4096')
    ap.add_argument('--degrees', default='2,3')
    ap.add_argument('--bases', default='s4d,s4')
    ap.add_argument('--no-graphs', action='store_true', help='skip the CUDA graph timings')
    args = ap.parse_args()
    device = torch.device(args.device)
    B, H, N = (2, 32, 16) if args.quick else (args.batch, 256, 64)
    lengths = [256, 512] if args.quick else [int(x) for x in args.lengths.split(',')]
    degrees = [int(x) for x in args.degrees.split(',')]
    reps, warmup = (3, 1) if args.quick else (args.reps, 3)
    graphs = device.type == 'cuda' and not args.no_graphs
    print(header('Liquid-S4 overhead', device))
    print(f"# batch {B}, H={H}, N={N}, float32, median of {reps}; the baseline is s4lit's plain layer "
          "(state-spaces/s4 has no Liquid-S4 to run against)")
    head = f"{'base':5} {'layer':22} {'L':>6} {'ops':>5} {'fwd ms':>8} {'x':>5} {'f+b ms':>8} {'x':>5} {'peak GB':>8}"
    if graphs: head += f" | {'graph fwd':>9} {'x':>5} {'graph f+b':>9} {'x':>5}"
    print(head)
    for base in args.bases.split(','):
        for L in lengths:
            torch.manual_seed(0)
            u = torch.randn(B, L, H, device=device, requires_grad=True)
            ref = None
            for label, make in layers(base, H, N, degrees):
                torch.manual_seed(0)
                layer = make().to(device)
                with torch.no_grad(): layer(u)  # S4 makes its C~ for this length outside the timings
                ops = count_ops(layer, u)
                f, b, mem = measure(layer, u, device, reps, warmup)
                g = measure_graphed(layer, u, device, reps, warmup)[:2] if graphs else None
                if ref is None: ref = (f, b) + (g or ())
                line = f"{base:5} {label:22} {L:6d} {ops:5d} {f:8.2f} {f / ref[0]:5.2f} {b:8.2f} {b / ref[1]:5.2f} {fmt(mem, '8.2f')}"
                if g: line += f" | {g[0]:9.2f} {g[0] / ref[2]:5.2f} {g[1]:9.2f} {g[1] / ref[3]:5.2f}"
                print(line, flush=True)
                del layer
                if device.type == 'cuda': torch.cuda.empty_cache()


if __name__ == '__main__':
    main()
