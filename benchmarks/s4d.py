"""S4D speed and memory: s4lit's S4D against the official standalone S4D layer, measured in the same run.

The baseline re-states the forward pass of the official standalone layer (state-spaces/s4, models/s4/s4d.py): its
kernel materializes exp(dt A l) as an (H, N/2, L) complex tensor, then FFT convolution, + D u, GELU, dropout, a 1x1
Conv1d to 2H channels and a GLU; input (B, H, L). s4lit's side is `s4lit.s4d.from_official_s4d` applied to the
baseline's own state_dict, so both compute the same function (checked before timing), with each Vandermonde backend
given in --backends. The S4D layer alone (no head) is timed too, and the standalone layer with `compile_head=True`
(its GELU/convolution/GLU head through torch.compile; compiled during the warm-up, outside the timings).
Rows marked "CUDA graph" run the same s4lit modules through `s4lit.model.graphed` (CUDA only; --no-graphs skips them):
the forward replays a forward-only graph recorded under no_grad, fwd+bwd replays the forward and backward graphs
recorded with gradients; recording happens before the timings. The eager rows are kept, each graph row under its own.

    python benchmarks/s4d.py                       # CUDA: batch 16, H=256, N=64, L in 1024, 4096, 16384
    python benchmarks/s4d.py --device cpu --quick  # a small smoke run anywhere
    python benchmarks/s4d.py --backends matmul,torch,cuda   # also time s4lit.kernels' Vandermonde backends
    python benchmarks/s4d.py --device cpu --L 16384 --reps 1 --cpu-memory  # peak memory estimated on CPU

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.sum()). Peak memory is torch.cuda.max_memory_allocated() over the fwd+bwd call, inputs and parameters
included. Times are medians over --reps runs after warm-up.
"""
import math, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from s4lit.s4d import S4D, from_official_s4d
from common import OfficialS4D, fmt, header, layer_args, layer_parser, measure, measure_graphed, sync, timed  # benchmarks/common.py


def main():
    p = layer_parser(__doc__)
    p.add_argument('--cpu-memory', action='store_true', help="on CPU, estimate the fwd+bwd peak with torch's MemTracker")
    p.add_argument('--backends', default='matmul', help="comma-separated Vandermonde backends for s4lit: matmul (default), "
                   "or s4lit.kernels' auto, torch, cuda, pykeops (auto/cuda may first compile the CUDA extension)")
    p.add_argument('--no-compile', action='store_true', help="skip the row with S4DStandalone(compile_head=True) (torch.compile of the head)")
    a, device, Ls = layer_args(p)
    backends = a.backends.split(',')
    print(header('S4D benchmark', device))
    print(f"# batch {a.batch}, H={a.H}, N={a.N}, float32, median of {a.reps}; fwd under no_grad; peak = max allocated over fwd+bwd")
    official_ref = {1024: (0.91, 2.97), 4096: (1.59, 4.81), 16384: (6.32, 18.9)}

    torch.manual_seed(0)
    base = OfficialS4D(a.H, a.N).to(device)
    models = {'official (re-stated)': base}
    for b in backends:
        m = from_official_s4d({k: v.cpu() for k, v in base.state_dict().items()}).to(device)  # the official keys
        m.s4d.kernel.backend = b
        models[f's4lit standalone [{b}]'] = m
        if b == backends[0]:
            if not a.no_compile:
                mc = from_official_s4d({k: v.cpu() for k, v in base.state_dict().items()}).to(device)
                mc.s4d.kernel.backend, mc.compile_head = b, True
                models[f's4lit standalone [{b}, compile_head]'] = mc
            layer = S4D(a.H, a.N, transposed=True, init='lin', backend=b).to(device)
            models[f's4lit S4D layer only [{b}]'] = layer

    rows = []
    for L in Ls:
        u = torch.randn(a.batch, a.H, L, device=device, requires_grad=True)
        with torch.no_grad():  # the same function, or the comparison means nothing
            y0 = base(u)[0]
            for label, m in models.items():
                if label.startswith('s4lit standalone'):
                    err = ((m(u)[0] - y0).norm() / y0.norm()).item()
                    print(f"# L={L}: {label} vs official, relative error of the outputs {err:.1e}")
                    if not err < 1e-2: raise RuntimeError(f"{label} differs from the official re-statement at L={L}: rel. error {err:.1e}")
        res = {}
        for label, m in models.items():
            try: res[label] = measure(m, u, device, a.reps, 3 if not a.quick else 1, a.cpu_memory)
            except torch.OutOfMemoryError: res[label] = (float('nan'),) * 2 + (None,)
            except RuntimeError as e:
                print(f"# {label} at L={L}: {type(e).__name__}: {str(e)[:200]}"); res[label] = (float('nan'),) * 2 + (None,)
        if device.type == 'cuda' and not a.no_graphs:  # fresh copies per length: each graph is for one shape
            b = backends[0]
            for label, make in ((f's4lit standalone [{b}]', lambda: from_official_s4d({k: v.cpu() for k, v in base.state_dict().items()})),
                                (f's4lit S4D layer only [{b}]', lambda: S4D(a.H, a.N, transposed=True, init='lin'))):
                m = make().to(device)
                (m.s4d.kernel if hasattr(m, 's4d') else m.kernel).backend = b
                try: res[label + ', CUDA graph'] = measure_graphed(m, u, device, a.reps, 3)
                except Exception as e:
                    print(f"# {label}, CUDA graph at L={L}: {type(e).__name__}: {str(e)[:300]}"); res[label + ', CUDA graph'] = (float('nan'),) * 2 + (None,)
                del m; torch.cuda.empty_cache()
        f0, fb0, m0 = res['official (re-stated)']
        order = [l for k in res if not k.endswith(', CUDA graph') for l in (k, k + ', CUDA graph') if l in res]
        for label, (f, fb, mem) in ((l, res[l]) for l in order):
            ratio = f"{f / f0:5.2f}x / {fb / fb0:5.2f}x" + (f" / {mem / m0:5.2f}x" if mem and m0 else '')
            rows.append((L, label, f, fb, mem, ratio))
        del u
        if device.type == 'cuda': torch.cuda.empty_cache()

    print(f"\n| L | model | fwd ms | fwd+bwd ms | peak GB | vs official (fwd / fwd+bwd / mem) |")
    print("|---|---|---|---|---|---|")
    for L, label, f, fb, mem, ratio in rows:
        print(f"| {L} | {label} | {f:.2f} | {fb:.2f} | {'-' if mem is None else f'{mem:.2f}'} | {ratio} |")
    if device.type == 'cuda' and not a.quick:
        print("\nOfficial figures from the issue (H100): " + ", ".join(f"L={L}: {f} / {fb} ms" for L, (f, fb) in official_ref.items())
              + ", 5.25 GB peak at L=16384. Goal: <= 0.7x time, <= 0.5x memory.")


if __name__ == '__main__':
    main()
