"""Host overhead of s4lit's S4 and S4D layers and standalone blocks against the official ones, measured on a CPU: tiny tensors, one thread.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/host_overhead.py            # batch 1, H=4, N=4, L=64
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/host_overhead.py --real     # the CPU kernels, not the stand-ins
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/host_overhead.py --cauchy   # and the Cauchy call alone

At this size the arithmetic costs next to nothing, so the wall time of a call is what a GPU run spends on the host:
Python, autograd and the dispatch of each torch operator. On a GPU both sides call their CUDA extensions for the
Cauchy (S4) and Vandermonde (official S4D) reductions, which are not there on a CPU; by default they are replaced here,
on both sides, by stand-ins of the same signature that only allocate their outputs (one operator each), so that the
counts match what a GPU run dispatches. The printed numbers: the shortest wall time per call (ms, of --reps) of the forward under
no_grad and of forward+backward of y.sum(), and the number of aten operators each dispatches (torch.profiler).
"""
import argparse, collections, os, sys, types
import torch
from torch.profiler import ProfilerActivity, profile
from s4lit import kernels
import time
from common import official, s4lit_twin   # benchmarks/common.py


def stub_kernels(off):
    "Replace both sides' CUDA-extension entry points by allocation-only stand-ins that run on a CPU."
    e = lambda *s, dtype: torch.empty(*s, dtype=dtype)
    kernels._ext = types.SimpleNamespace(
        cauchy_fwd=lambda v, z, w, conj: e(v.shape[0], z.shape[-1], dtype=v.dtype),
        cauchy_bwd=lambda v, z, w, g, conj: (torch.empty_like(v), torch.empty_like(v)),
        vandermonde_fwd=lambda v, x, L, conj: e(v.shape[0], L, dtype=v.real.dtype if conj else v.dtype),
        vandermonde_bwd=lambda v, x, g, conj: (torch.empty_like(v), torch.empty_like(v)))
    choose = kernels._choose
    kernels._choose = lambda b, device, dtype, size: 'cuda' if b in ('auto', 'cuda') else choose(b, device, dtype, size)
    if off is None: return
    sk = types.ModuleType('structured_kernels')
    sk.cauchy_mult_sym_fwd = lambda v, z, w: e(v.shape[0], z.shape[-1], dtype=v.dtype)
    sk.cauchy_mult_sym_bwd = lambda v, z, w, g: (torch.empty_like(v), torch.empty_like(w))
    sk.vand_log_mult_sym_fwd = lambda v, x, L: e(v.shape[0], L, dtype=v.real.dtype)
    sk.vand_log_mult_sym_bwd = lambda v, x, g: (torch.empty_like(v), torch.empty_like(x))
    sys.modules['structured_kernels'] = sk
    from extensions.kernels import cauchy, vandermonde
    # their forwards refuse CPU tensors (a Python check): the same, minus that check
    def fwd(f):
        def forward(ctx, *args):
            ctx.save_for_backward(*args[:2 if f is sk.vand_log_mult_sym_fwd else 3]); return f(*args)
        return staticmethod(forward)
    cauchy.CauchyMultiplySymmetric.forward = fwd(sk.cauchy_mult_sym_fwd)
    vandermonde.LogVandMultiplySymmetric.forward = fwd(sk.vand_log_mult_sym_fwd)
    off.s4.cauchy_naive, off.s4.log_vandermonde_naive = cauchy.cauchy_mult, vandermonde.log_vandermonde_cuda
    off.s4.has_pykeops = False   # its keops path needs a GPU


def fastest(fn, reps:int, warmup:int=20):
    "The shortest wall time of `fn()` in ms over `reps` calls: on a busy machine, the least disturbed one."
    for _ in range(warmup): fn()
    best = float('inf')
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); best = min(best, time.perf_counter() - t0)
    return best * 1e3


def count_ops(fn, reps=5):
    "aten operators dispatched per call of `fn` (nested ones included, as torch.profiler lists them)."
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(reps): fn()
    return sum(1 for e in prof.events() if e.name.startswith('aten::')) / reps


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--H', type=int, default=4)
    p.add_argument('--N', type=int, default=4)
    p.add_argument('--L', type=int, default=64)
    p.add_argument('--reps', type=int, default=1000)
    p.add_argument('--rounds', type=int, default=10, help='the sides take turns, --reps/--rounds calls each')
    p.add_argument('--real', action='store_true', help='run the CPU kernels instead of the stand-ins')
    p.add_argument('--cauchy', action='store_true', help='also the Cauchy call alone (B = 4, 8 pairs, L = 64)')
    p.add_argument('--only', default='', help="'S4', 'S4D', 'S4D standalone' or 'S4 block': one module only")
    a = p.parse_args()
    torch.set_num_threads(1); torch.set_flush_denormal(True)   # stand-ins return uninitialized memory
    off = official('cpu')
    if not a.real: stub_kernels(off)
    H, N, L = a.H, a.N, a.L
    makers = {'S4': lambda: off.s4.FFTConv(H, d_state=N, l_max=L, mode='dplr', activation=None, transposed=True,
                                            backend='cuda'),
              'S4D': lambda: off.s4.FFTConv(H, d_state=N, mode='diag', init='diag-lin', disc='zoh', activation=None,
                                             transposed=True, backend='cuda'),
              # the standalone blocks, with the head (GELU, 1x1 convolution to 2H, GLU) of s4d.py's S4D and S4Block
              'S4D standalone': lambda: off.s4d.S4D(H, d_state=N, transposed=True),
              'S4 block': lambda: off.s4.S4Block(H, d_state=N, l_max=L, mode='dplr', transposed=True,
                                                 backend='cuda')}
    print(f"# host overhead, CPU, 1 thread, batch {a.batch}, H={H}, N={N}, L={L}, float32; "
          f"{'CPU kernels' if a.real else 'extension stand-ins'}; shortest of {a.reps} calls")
    print(f"{'module':14} {'side':8} {'fwd ms':>8} {'fwd+bwd ms':>11} {'fwd ops':>8} {'fwd+bwd ops':>12}")
    for name, make in makers.items():
        if a.only and name != a.only: continue
        torch.manual_seed(0)
        u = torch.randn(a.batch, H, L)
        o = make()
        with torch.no_grad(): o(u)
        mods = [('official', o), ('s4lit', s4lit_twin(o, 'cpu', **({'disc': 'zoh'} if name == 'S4D' else {})))]
        mods[1][1].train(o.training)
        u.requires_grad_(True)
        calls = {}
        for side, m in mods:
            def fwd(m=m):
                with torch.no_grad(): m(u)
            def fwd_bwd(m=m):
                m.zero_grad(set_to_none=True); u.grad = None
                m(u)[0].sum().backward()
            calls[side] = fwd, fwd_bwd
        report(name, calls, a.reps, a.rounds)
    if a.cauchy: report('Cauchy call', cauchy_calls(), a.reps, a.rounds)


def report(name:str, calls:dict, reps:int, rounds:int):
    """Print, for each side, the shortest forward and forward+backward times of `calls` (side: (fwd, fwd_bwd)) and
    their operator counts. The sides take turns, so that a busy spell of the machine does not favour one."""
    best = {side: [float('inf')] * 2 for side in calls}
    for _ in range(rounds):
        for side, fns in calls.items():
            best[side] = [min(b, fastest(f, reps // rounds)) for b, f in zip(best[side], fns)]
    for side, (fwd, fwd_bwd) in calls.items():
        tf, tfb = best[side]
        print(f"{name:14} {side:8} {tf:8.3f} {tfb:11.3f} {count_ops(fwd):8.0f} {count_ops(fwd_bwd):12.0f}",
              flush=True)


def cauchy_calls() -> dict:
    "Both sides' Cauchy call as `report` takes them, B = 4, 8 pairs, L = 64: forward, and forward+backward for v, w."
    from extensions.kernels.cauchy import cauchy_mult
    v, z, w, _ = kernels.random_inputs(4, 8, 64, dtype=torch.complex64)
    vv, ww = v.clone().requires_grad_(), w.clone().requires_grad_()
    calls = {}
    for side, f in (('official', cauchy_mult), ('s4lit', lambda a, b, c: kernels.cauchy(a, b, c, backend='cuda'))):
        def fwd_bwd(f=f):
            y = f(vv, z, ww)
            torch.autograd.grad(y, (vv, ww), torch.ones_like(y))
        calls[side] = (lambda f=f: f(v, z, w)), fwd_bwd
    return calls

if __name__ == '__main__':
    main()
