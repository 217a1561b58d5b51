"""The selective scan, forward + backward: s4lit's Triton kernel, the readable loop, Mamba-2's SSD form and
mamba-ssm's CUDA kernel; then Mamba generation step by step against recomputing the whole sequence.

    python benchmarks/mamba.py             # on a GPU: batch 16, D 1536, N 16, L 2048 and 8192 (~1-2 min)
    python benchmarks/mamba.py --quick     # small sizes on the CPU: a smoke test
    python benchmarks/mamba.py --sweep     # the Triton kernel's launch settings (steps per chunk, channels
                                           # per program, warps), each checked against the default, then timed

mamba-ssm's kernel is timed when its compiled extension `selective_scan_cuda` can be imported: installed, or
built in a checkout named by MAMBA_SSM_DIR (added to sys.path). This script builds nothing of it.
The loop takes L sequential steps: it is timed at a short length and scaled linearly to L (printed as such).
"""
import argparse, os, sys, time
import torch
import torch.nn.functional as F
from s4lit.mamba import selective_scan_ref, selective_scan_triton, ssd
from s4lit.model import SequenceModel

def timed(f, reps, device):
    "Median seconds of `f()` over `reps` runs, after two warm-up runs."
    for _ in range(2): f()
    ts = []
    for _ in range(reps):
        if device == 'cuda': torch.cuda.synchronize()
        t = time.perf_counter(); f()
        if device == 'cuda': torch.cuda.synchronize()
        ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts) // 2]

def scan_args(b, L, D, N, device, seed=0):
    g = torch.Generator(device).manual_seed(seed)
    r = lambda *s: torch.randn(*s, device=device, generator=g)
    return dict(u=r(b, L, D), delta=F.softplus(r(b, L, D) - 3), A=-torch.rand(D, N, device=device) - 0.5,
                B=r(b, L, N), C=r(b, L, N), D=r(D), z=r(b, L, D))

def fwd_bwd(fn, args):
    "A function running `fn` forward and backward on fresh leaves of `args`."
    leaves = {k: v.clone().requires_grad_() for k, v in args.items()}
    def run():
        y = fn(**leaves)[0]
        y.backward(torch.ones_like(y))
    return run

def mamba_ssm_scan():
    """mamba-ssm's compiled selective scan, forward + backward, as `prepare(args) -> run`, or None.

    `prepare` puts the inputs into mamba-ssm's own layout, (batch, D, L) and (batch, 1, N, L), once, outside the
    timing: the kernel is timed on its layout as s4lit's is on (batch, L, D), with no copies on either side."""
    if d := os.environ.get('MAMBA_SSM_DIR'): sys.path.insert(0, d)
    try: import selective_scan_cuda
    except ImportError as e:
        print(f"mamba-ssm: selective_scan_cuda not importable ({e}): not timed")
        return None
    def prepare(args):
        t = lambda v: v.transpose(1, 2).contiguous().requires_grad_()
        u, delta, z = (t(args[k]) for k in ('u', 'delta', 'z'))
        B, C = (t(args[k])[:, None].detach().requires_grad_() for k in ('B', 'C'))
        A, D = (args[k].clone().requires_grad_() for k in ('A', 'D'))
        def run():
            out, x, *rest = selective_scan_cuda.fwd(u, delta, A, B, C, D, z, None, False)
            dy = torch.ones_like(rest[0])
            selective_scan_cuda.bwd(u, delta, A, B, C, D, z, None, dy, x, out, None, False, False)
        # the same function as s4lit's: the gated output, compared before anything is timed
        with torch.no_grad():
            y = selective_scan_cuda.fwd(u, delta, A, B, C, D, z, None, False)[2].transpose(1, 2)
            ours = selective_scan_triton(**args)[0]
        err = ((y - ours).norm() / ours.norm()).item()
        print(f"  mamba-ssm against s4lit's kernel: relative error {err:.1e}")
        if not err <= 1e-4: raise SystemExit("mamba-ssm and s4lit compute different functions: no ratio")
        return run
    return prepare

def ssd_fn(H, P):
    "The SSD form on the same sizes: D = H * P channels, one scalar decay per head."
    def run(u, delta, A, B, C, D, z):
        b, L, _ = u.shape
        y, h = ssd(u.view(b, L, H, P), delta.view(b, L, H, P)[..., 0], A[::P, 0], B, C)
        return y.flatten(2), h
    return run

def scans(a):
    dev = a.device
    sizes = [(2, 64, 32, 16)] if a.quick else [(16, L, 1536, 16) for L in (2048, 8192)]
    ref_L = 32 if a.quick else 256
    cuda_ref = mamba_ssm_scan() if dev == 'cuda' else None
    for b, L, D, N in sizes:
        args = scan_args(b, L, D, N, dev)
        res = {}
        if dev == 'cuda' or a.quick and os.environ.get('TRITON_INTERPRET') == '1':
            res['triton'] = timed(fwd_bwd(selective_scan_triton, args), a.reps, dev)
        res['ssd'] = timed(fwd_bwd(ssd_fn(D // 64 if D % 64 == 0 else D, 64 if D % 64 == 0 else 1),
                                   args), a.reps, dev)
        short = {k: (v[:, :ref_L] if v.dim() == 3 else v) for k, v in args.items()}
        res['loop'] = timed(fwd_bwd(selective_scan_ref, short), 2, dev) * L / ref_L
        if cuda_ref is not None: res['mamba-ssm'] = timed(cuda_ref(args), a.reps, dev)
        line = ', '.join(f"{k} {v * 1e3:.2f} ms" for k, v in res.items())
        print(f"scan fwd+bwd b={b} L={L} D={D} N={N}: {line} (loop: timed at L={ref_L}, x{L // ref_L})")
        base = res.get('triton')
        if base:
            print('  ratios to triton: ' + ', '.join(f"{k} {v / base:.2f}x" for k, v in res.items()))

def sweep(a):
    "Time the Triton kernel's fwd+bwd for each launch setting, after checking it against the default's."
    import itertools
    from s4lit import mamba
    dev = a.device
    sizes = [(2, 64, 32, 16)] if a.quick else [(16, L, 1536, 16) for L in a.L]
    default = mamba._K, mamba._BD, mamba._WARPS
    def grads(args):
        leaves = {k: v.clone().requires_grad_() for k, v in args.items()}
        y = selective_scan_triton(**leaves)[0]
        y.backward(torch.ones_like(y))
        return [y.detach()] + [leaves[k].grad for k in ('u', 'delta', 'A', 'B', 'C')]
    for b, L, D, N in sizes:
        args = scan_args(b, L, D, N, dev)
        ref = grads(args)
        rows = []
        settings = ([(16, 16, 4), (8, 8, 2)] if a.quick else
                    itertools.product(a.K, a.BD, a.warps))
        for K, BD, W in settings:
            mamba._K, mamba._BD, mamba._WARPS = K, BD, W
            try:
                err = max(((g - r).norm() / r.norm()).item() for g, r in zip(grads(args), ref))
                t = timed(fwd_bwd(selective_scan_triton, args), a.reps, dev)
            except Exception as e:   # e.g. out of shared memory or registers at this setting
                print(f"  K={K} BD={BD} warps={W}: failed ({type(e).__name__}: {str(e)[:80]})")
                continue
            rows.append((t, K, BD, W, err))
            print(f"  K={K:2d} BD={BD:2d} warps={W}: fwd+bwd {t * 1e3:7.3f} ms, error {err:.1e}", flush=True)
        mamba._K, mamba._BD, mamba._WARPS = default
        print(f"sweep b={b} L={L} D={D} N={N} (default K={default[0]} BD={default[1]} "
              f"warps={default[2]}), fastest first:")
        for t, K, BD, W, err in sorted(rows)[:12]:
            print(f"  K={K:2d} BD={BD:2d} warps={W}: fwd+bwd {t * 1e3:7.3f} ms, "
                  f"max rel. error against the default {err:.1e}")

@torch.no_grad()
def generation(a):
    dev = a.device
    d, n_layers, V, T = (32, 2, 16, 32) if a.quick else (512, 4, 256, 1024)
    model = SequenceModel(V + 1, V, d_model=d, n_layers=n_layers, layer='mamba', embedding=True,
                          pool=None).to(dev).eval()
    x = torch.randint(0, V, (1, T), device=dev)
    def stepped():
        s = model.default_state(1, device=dev)
        for t in range(T): _, s = model.step(x[:, t], s)
    step = timed(stepped, 1, dev)
    full = timed(lambda: model(x)[0], 3, dev)  # recomputing: one pass over T tokens per new token
    print(f"generation, Mamba {n_layers} x {d}, {T} tokens: step mode {T / step:.0f} tokens/s; "
          f"recomputing the sequence for each token ~{1 / full:.1f} tokens/s at length {T} "
          f"(one full pass: {full * 1e3:.1f} ms)")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--quick', action='store_true')
    p.add_argument('--reps', type=int, default=10)
    p.add_argument('--sweep', action='store_true', help="time the Triton kernel's launch settings, then stop")
    p.add_argument('--K', type=int, nargs='+', default=[8, 16, 32], help='--sweep: steps per chunk')
    p.add_argument('--BD', type=int, nargs='+', default=[8, 16, 32, 64], help='--sweep: channels per program')
    p.add_argument('--warps', type=int, nargs='+', default=[1, 2, 4, 8], help='--sweep: warps per program')
    p.add_argument('--L', type=int, nargs='+', default=[2048, 8192], help='--sweep: lengths')
    a = p.parse_args()
    print(f"device {torch.cuda.get_device_name() if a.device == 'cuda' else 'cpu'}, torch {torch.__version__}")
    if a.sweep:
        sweep(a)
        sys.exit()
    scans(a)
    generation(a)
