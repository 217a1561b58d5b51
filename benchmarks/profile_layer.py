"""Where the eager time of one call goes: s4lit's S4 and S4D layers and standalone blocks against the official ones.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/profile_layer.py              # CUDA: batch 16, H=256, N=64, L=1024
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/profile_layer.py --forward    # the forward under no_grad
    python benchmarks/profile_layer.py --device cpu --quick                      # a small smoke run anywhere

For each module, after warm-up, `torch.profiler` records --reps forward+backward calls (loss y.sum()) and prints, per
call: the wall time, the GPU time (the sum of the kernels' durations), the number of kernels launched, of host-device
copies and of synchronizations, and the CPU time spent in torch operators; then the kernels that take the most GPU
time. Wall time far above the GPU time means the GPU waits for the host (launch overhead, Python, synchronizations).
On CUDA it also splits the GPU time into cuFFT's kernels and the rest, and ends with each module's ratios s4lit /
official and a floor: the ratio s4lit's GPU time would reach if all its kernels but the FFTs took no time.
"""
import collections
import torch
from torch.profiler import ProfilerActivity, profile
from s4lit.s4 import S4
from s4lit.official import S4Standalone
from s4lit.s4d import S4D, S4DStandalone
from common import header, official, s4lit_twin, parser, set_tf32, sync, timed   # benchmarks/common.py


def _is_fft(kernel:str) -> bool:
    "Is this one of cuFFT's kernels (the FFTs of the convolution, which both sides launch alike)?"
    k = kernel.lower()
    return 'fft' in k or k.startswith(('regular_fft', 'vector_fft', 'void vector_fft', 'void regular_fft'))


def modules(a, device, off):
    "(name, side, module) to profile: the official S4 and S4D layers and their s4lit twins (or s4lit's alone)."
    H, N, L = a.H, a.N, a.L
    out = []
    makers = {'S4 layer': (lambda: off.s4.FFTConv(H, d_state=N, l_max=L, mode='dplr', activation=None,
                                                  transposed=True, backend=off.backend),
                           lambda: S4(H, N, l_max=L, transposed=True), {}),
              'S4D layer': (lambda: off.s4.FFTConv(H, d_state=N, mode='diag', init='diag-lin', disc='zoh',
                                                   activation=None, transposed=True, backend=off.backend),
                            lambda: S4D(H, N, transposed=True, init='lin'), {'disc': 'zoh'}),
              # the standalone blocks: the layers with their head (GELU, 1x1 convolution to 2H, GLU)
              'S4D standalone': (lambda: off.s4d.S4D(H, d_state=N, transposed=True),
                                 lambda: S4DStandalone(H, N, transposed=True), {}),
              'S4 block': (lambda: off.s4.S4Block(H, d_state=N, l_max=L, mode='dplr', transposed=True,
                                                  backend=off.backend),
                           lambda: S4Standalone(H, N, l_max=L, transposed=True), {})}
    for name, (make_off, make_ours, kw) in makers.items():
        if a.modules and name not in a.modules.split(','): continue
        torch.manual_seed(0)
        if off:
            o = make_off().to(device)
            with torch.no_grad(): o(torch.randn(a.batch, H, L, device=device))
            out += [(name, 'official', o), (name, 's4lit', s4lit_twin(o, device, **kw))]
        else: out.append((name, 's4lit', make_ours().to(device)))
    return out


def main():
    p = parser(__doc__, batch=16)
    p.add_argument('--H', type=int, default=256)
    p.add_argument('--N', type=int, default=64)
    p.add_argument('--L', type=int, default=1024)
    p.add_argument('--top', type=int, default=12)
    p.add_argument('--forward', action='store_true', help='profile the forward under no_grad instead')
    p.add_argument('--modules', default='', help="comma-separated, of 'S4 layer', 'S4D layer', 'S4D standalone', 'S4 block' (default: all)")
    a = p.parse_args()
    if a.quick: a.batch, a.H, a.N, a.L, a.reps = 2, 16, 8, 256, 3
    device = torch.device(a.device)
    set_tf32(False)   # float32 throughout, as the other benchmarks (cuDNN's convolutions default to TF32)
    off = official(device)
    if off and device.type == 'cuda' and not off.cuda_ext:
        print("# WARNING: the official CUDA extension is not importable: the official S4 layer and block (and its"
              " S4D layer) run its naive torch code, not the comparison of record")
    print(header('eager profile', device))
    what = 'forward (no_grad)' if a.forward else 'fwd+bwd'
    print(f"# batch {a.batch}, H={a.H}, N={a.N}, L={a.L}, float32, channels first; {a.reps} profiled {what} calls")
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == 'cuda' else [])
    seen = {}
    for name, side, m in modules(a, device, off):
        u = torch.randn(a.batch, a.H, a.L, device=device, requires_grad=True)
        def step():
            if a.forward:
                with torch.no_grad(): m(u)
            else:
                m.zero_grad(set_to_none=True)
                m(u)[0].sum().backward()
        wall = timed(step, device, a.reps, 3)
        with profile(activities=acts) as prof:
            for _ in range(a.reps): step()
            sync(device)
        ev = prof.events()
        kernels = [e for e in ev if e.device_type == torch.autograd.DeviceType.CUDA]
        count = collections.Counter(e.name for e in ev)
        calls = lambda *keys: sum(n for k, n in count.items() if any(s in k for s in keys)) / a.reps
        gpu_ms = sum(e.device_time for e in kernels) / 1e3 / a.reps
        aten_ms = sum(e.self_cpu_time_total for e in ev if e.name.startswith('aten::')) / 1e3 / a.reps
        print(f"\n## {name}, {side}: wall {wall:.3f} ms, GPU {gpu_ms:.3f} ms, {len(kernels) / a.reps:.0f} kernels, "
              f"{calls('cudaLaunchKernel', 'cuLaunchKernel'):.0f} launches, "
              f"{calls('Memcpy', 'memcpy'):.0f} copies, {calls('Synchronize'):.0f} syncs, "
              f"{calls('aten::') :.0f} aten ops, aten self CPU {aten_ms:.3f} ms (per {what})")
        fft = sum(e.device_time for e in kernels if _is_fft(e.name)) / 1e3 / a.reps
        seen[name, side] = wall, gpu_ms, fft
        if device.type == 'cuda':
            print(f"  FFT kernels {fft:.3f} ms of the GPU time ({fft / max(gpu_ms, 1e-9):.0%}); the rest {gpu_ms - fft:.3f} ms")
        by = collections.defaultdict(lambda: [0, 0.0])
        for e in kernels: by[e.name][0] += 1; by[e.name][1] += e.device_time
        for k, (n, t) in sorted(by.items(), key=lambda kv: -kv[1][1])[:a.top]:
            print(f"  {t / 1e3 / a.reps:8.3f} ms  {n / a.reps:5.1f}x  {k[:110]}")
        if device.type != 'cuda':
            print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=a.top))
    if off and device.type == 'cuda':
        print("\n# s4lit / official: wall, GPU time; and the GPU-time ratio s4lit would reach if every kernel but its")
        print("# FFTs took no time (its FFT time over the official GPU time): a floor for the same convolution")
        for name in dict.fromkeys(n for n, _ in seen):
            (w1, g1, f1), (w0, g0, _) = seen[name, 's4lit'], seen[name, 'official']
            print(f"{name:15} wall {w1 / w0:.2f}  GPU {g1 / g0:.2f}  FFT floor {f1 / g0:.2f}")


if __name__ == '__main__':
    main()
