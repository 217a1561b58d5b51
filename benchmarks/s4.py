"""S4 speed and memory: s4lit's S4 layer with each Cauchy backend, against a baseline measured in the same run.

The baseline is the same layer with the naive Cauchy kernel (`backend='naive'`, which materializes the
(4, H, N/2, L/2) pole-by-frequency tensor, as an unfused implementation does). Each row is timed twice: the S4 layer
alone (kernel generation + FFT convolution + D u), and with the head of the official S4 block (GELU, a 1x1 Conv1d to
2H channels, GLU), which is what the official figures below include. Both run channels first, (batch, H, L), which is
the official layer's layout (`transposed=True`), so no transposes enter the timings. Official S4 figures (state-spaces/s4 with its CUDA
Cauchy kernel, H100, same sizes) are printed for comparison; they were measured separately, not in this run.

    python benchmarks/s4.py                       # CUDA: batch 16, H=256, N=64, L in 1024, 4096, 16384
    python benchmarks/s4.py --device cpu --quick  # a small smoke run anywhere

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.sum()). Peak memory is torch.cuda.max_memory_allocated() over the fwd+bwd call, inputs and parameters
included. Times are medians over --reps runs after warm-up. The kernel length is set at construction (l_max = L), so
no C~ doubling happens inside the timed region.

Rows marked "CUDA graph" (CUDA only; --no-graphs skips them) run the same model through `s4lit.model.graphed`: the
forward replays a forward-only graph recorded under no_grad, fwd+bwd replays the forward and backward graphs recorded
with gradients (recording happens before the timings); each follows its eager row.
"""
import time
import torch
import torch.nn as nn
from s4lit.s4 import S4
from s4lit import kernels
from common import fmt, header, layer_args, layer_parser, measure, measure_graphed, sync, timed  # benchmarks/common.py

OFFICIAL = {1024: (1.60, 4.39, None), 4096: (2.50, 6.39, None), 16384: (7.27, 22.1, 4.3)}  # fwd ms, fwd+bwd ms, peak GB


class Block(nn.Module):
    "S4 followed by the official block's head: GELU, 1x1 Conv1d to 2H, GLU; channels first, (B, H, L) in and out, as the official block."
    def __init__(self, layer):
        super().__init__()
        if not layer.transposed: raise ValueError("Block runs channels first, as the official block: build the layer with transposed=True")
        self.layer, self.out = layer, nn.Sequential(nn.Conv1d(layer.H, 2 * layer.H, 1), nn.GLU(dim=-2))

    def forward(self, u):
        y, _ = self.layer(u)
        return self.out(nn.functional.gelu(y)), None


def main():
    p = layer_parser(__doc__)
    p.add_argument('--backends', default='naive,auto', help="Cauchy backends for s4lit's S4 (naive = the baseline, auto, torch, pykeops, cuda)")
    a, device, Ls = layer_args(p)
    backends = a.backends.split(',')
    print(header('S4 benchmark', device))
    print(f"# batch {a.batch}, H={a.H}, N={a.N}, LegS init, float32, median of {a.reps}; fwd under no_grad; peak = max allocated over fwd+bwd")
    print(f"{'L':>6} {'model':<36} {'backend':<8} {'fwd ms':>8} {'fwd+bwd ms':>11} {'peak GB':>8} {'fwd/base':>9} {'f+b/base':>9} {'fwd/off':>8} {'f+b/off':>8}")
    for L in Ls:
        base = {}
        for backend in backends:
            for head in (False, True):
                torch.manual_seed(0)
                layer = S4(a.H, a.N, l_max=L, backend=backend, transposed=True)  # (B, H, L), as the official layer
                model = (Block(layer) if head else layer).to(device)
                u = torch.randn(a.batch, a.H, L, device=device, requires_grad=True)
                try:
                    t_f, t_fb, peak = measure(model, u, device, a.reps, warmup=3)
                except torch.OutOfMemoryError:
                    print(f"{L:>6} {'S4 + head' if head else 'S4 layer':<36} {backend:<8} out of memory"); continue
                used = kernels.last_backend.get('cauchy', backend) if backend != 'naive' else 'naive'
                label = ('S4 + head (official block)' if head else 'S4 layer') + ('' if used == backend else f' [{used}]')
                if backend == backends[0]: base[head] = (t_f, t_fb)
                bf, bfb = base.get(head, (None, None))
                off = OFFICIAL.get(L) if head and device.type == 'cuda' else None
                print(f"{L:>6} {label:<36} {backend:<8} {t_f:8.2f} {t_fb:11.2f} {fmt(peak, '8.2f')} "
                      f"{fmt(t_f / bf if bf else None, '9.2f')} {fmt(t_fb / bfb if bfb else None, '9.2f')} "
                      f"{fmt(t_f / off[0] if off else None, '8.2f')} {fmt(t_fb / off[1] if off else None, '8.2f')}", flush=True)
                if device.type == 'cuda' and not a.no_graphs:
                    try:
                        g_f, g_fb, g_peak = measure_graphed(model, u, device, a.reps, warmup=3)
                        print(f"{L:>6} {label + ', CUDA graph':<36} {backend:<8} {g_f:8.2f} {g_fb:11.2f} {fmt(g_peak, '8.2f')} "
                              f"{fmt(g_f / bf if bf else None, '9.2f')} {fmt(g_fb / bfb if bfb else None, '9.2f')} "
                              f"{fmt(g_f / off[0] if off else None, '8.2f')} {fmt(g_fb / off[1] if off else None, '8.2f')}", flush=True)
                    except Exception as e:
                        print(f"{L:>6} {label + ', CUDA graph':<36} {backend:<8} {type(e).__name__}: {str(e)[:200]}", flush=True)
                del model, layer, u
                if device.type == 'cuda': torch.cuda.empty_cache()
        if L in OFFICIAL and device.type == 'cuda':
            o = OFFICIAL[L]
            print(f"{L:>6} {'official S4 block (issue #4)':<36} {'cuda':<8} {o[0]:8.2f} {o[1]:11.2f} {fmt(o[2], '8.2f')}   (measured separately)")
    print("# fwd/base, f+b/base: time over the first backend's (the baseline) in this run; fwd/off, f+b/off: over the official figures (goal <= 0.7)")


if __name__ == '__main__':
    main()
