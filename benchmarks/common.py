"""Timing and memory helpers shared by the layer benchmarks (s4.py, s4d.py)."""
import time
import torch
from s4lit.model import graphed


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


def timed(fn, device, reps, warmup):
    "Median wall time of `fn()` in ms."
    for _ in range(warmup): fn()
    sync(device)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); sync(device)
        ts.append((time.perf_counter() - t0) * 1e3)
    return sorted(ts)[len(ts) // 2]


def measure(model, u, device, reps, warmup, cpu_memory=False):
    "(forward ms, fwd+bwd ms, peak GB of fwd+bwd or None); `cpu_memory` estimates the peak on CPU with MemTracker."
    def fwd():
        with torch.no_grad(): model(u)
    def fwd_bwd():
        model.zero_grad(set_to_none=True); u.grad = None
        model(u)[0].sum().backward()
    t_f = timed(fwd, device, reps, warmup)
    t_fb = timed(fwd_bwd, device, reps, warmup)
    peak = None
    if device.type == 'cpu' and cpu_memory:  # an estimate: torch's MemTracker follows every tensor allocation
        from torch.distributed._tools.mem_tracker import MemTracker
        model.zero_grad(set_to_none=True); u.grad = None
        mt = MemTracker(); mt.track_external(model, u)
        with mt: fwd_bwd()
        peak = list(mt.get_tracker_snapshot('peak').values())[0]['Total'] / 1e9
    if device.type == 'cuda':
        model.zero_grad(set_to_none=True); u.grad = None
        torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(device)
        fwd_bwd(); sync(device)
        peak = torch.cuda.max_memory_allocated(device) / 1e9
    model.zero_grad(set_to_none=True); u.grad = None
    return t_f, t_fb, peak


def measure_graphed(model, u, device, reps, warmup):
    """measure() for `model` replayed from CUDA graphs: a forward-only graph for fwd, a training graph for fwd+bwd.
    No peak memory: a replay writes into the pool reserved at capture, which max_memory_allocated does not count."""
    with torch.no_grad(): g = graphed(model, u.detach())
    def fwd():
        with torch.no_grad(): g(u.detach())
    t_f = timed(fwd, device, reps, warmup)
    g.release(); del g; torch.cuda.empty_cache()
    g = graphed(model, u)
    def fwd_bwd():
        g.zero_grad(set_to_none=True); u.grad = None
        g(u)[0].sum().backward()
    t_fb = timed(fwd_bwd, device, reps, warmup)
    g.zero_grad(set_to_none=True); u.grad = None; g.release()
    return t_f, t_fb, None


def fmt(x, spec='7.2f'): return f'{x:{spec}}' if x is not None else ' ' * (int(spec.split('.')[0]) - 1) + '-'
