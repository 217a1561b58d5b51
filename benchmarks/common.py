"""What every benchmark shares: options, the header line, timing and memory helpers, and the official code as baseline.

The baseline is the official state-spaces/s4 code itself, imported in the same process from a checkout named by the
environment variable S4_OFFICIAL_DIR (this repository holds none of its code): its standalone layers
(models/s4/s4.py: S4Block, FFTConv; models/s4/s4d.py: S4D), its CUDA extension (extensions/kernels, the module
`structured_kernels`, used by the official code when it is built and importable) and its example (example.py: S4Model,
setup_optimizer). s4lit's side gets the official module's own weights (`s4lit.official.from_official`), and
`check_same` makes sure both compute the same function before anything is timed. Without S4_OFFICIAL_DIR the
benchmarks say so in one line and time s4lit's side alone.
"""
import argparse, ast, contextlib, copy, datetime, io, logging, os, platform, subprocess, sys, time, types, warnings
from pathlib import Path
import torch
from s4lit.model import graphed
from s4lit.official import from_official, to_official

# The largest relative errors (2-norm) allowed between s4lit's and the official outputs and gradients, in float32.
# Both compute the same function (in float64 they agree to 1e-12: the chapters test it); in float32 they round
# differently (Cauchy sums in another order, FFTs of 2L, sums over batch and length). Measured on an H200 at
# L = 1024 (2026-12-02): S4 output 5.3e-5, S4D parameter gradients 1.2e-4. A wrong computation is off by 1e-1 or more.
REL_TOL = 2e-4
GRAD_TOL = 1e-3


def parser(doc:str, batch:int):
    "An argument parser with the options every benchmark takes: --device, --quick, --batch and --reps."
    p = argparse.ArgumentParser(description=doc.split('\n')[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--quick', action='store_true', help='small sizes, few repetitions (a smoke test, runs on a CPU)')
    p.add_argument('--batch', type=int, default=batch)
    p.add_argument('--reps', type=int, default=20, help='timed repetitions (the median is reported)')
    return p


def layer_parser(doc:str):
    "parser() with the layer benchmarks' sizes: --H, --N, --L (comma-separated lengths), --no-graphs, --tf32."
    p = parser(doc, batch=16)
    p.add_argument('--H', type=int, default=256)
    p.add_argument('--N', type=int, default=64)
    p.add_argument('--L', default='1024,4096,16384')
    p.add_argument('--no-graphs', action='store_true', help="skip the CUDA graph rows (s4lit.model.graphed)")
    p.add_argument('--tf32', action='store_true', help="allow TF32 in matmuls and convolutions while timing (both sides)")
    return p


def layer_args(p):
    "`(args, device, lengths)` from a layer_parser; --quick shrinks the sizes to a smoke run."
    a = p.parse_args()
    if a.quick: quick(p, a, batch=2, H=32, N=16, L='256,1024', reps=3)
    set_tf32(a.tf32)
    return a, torch.device(a.device), [int(l) for l in a.L.split(',')]


def quick(p, a, **sizes):
    "Set the --quick `sizes` on the parsed `a`, except those given on the command line (those that differ from p's default)."
    for k, v in sizes.items():
        if getattr(a, k) == p.get_default(k): setattr(a, k, v)


def set_tf32(on:bool):
    "TF32 tensor cores for float32 matmuls and cuDNN convolutions, on or off (cuDNN's default is on)."
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = on


def commit(path) -> str:
    """The short git commit of the checkout whose top folder is `path`, with ' (files changed)' when its tracked files
    differ from that commit (a copy of a working tree whose history lags behind it names an older commit), or
    'unknown' (a folder that is not the top of a checkout, e.g. an unpacked archive inside another repository, would
    otherwise report that repository's)."""
    try:
        top = subprocess.run(['git', 'rev-parse', '--show-toplevel'], capture_output=True, text=True, cwd=path)
        if Path(top.stdout.strip() or '/nonexistent').resolve() != Path(path).resolve(): return 'unknown'
        r = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=path)
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], capture_output=True,
                               text=True, cwd=path).stdout.strip()
        return (r.stdout.strip() or 'unknown') + (' (files changed)' if dirty else '')
    except Exception: return 'unknown'


def header(title:str, device) -> str:
    "The first line of a benchmark's output: what, when (UTC), on which device, with which torch and s4lit commit."
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else platform.processor() or platform.machine()
    return (f"# {title}  {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC  device: {name}  "
            f"torch {torch.__version__}  s4lit {commit(Path(__file__).resolve().parent.parent)}  {torch.get_num_threads()} CPU threads")


def sync(device):
    if torch.device(device).type == 'cuda': torch.cuda.synchronize()


def timed(fn, device, reps, warmup):
    "Median wall time of `fn()` in ms (synchronized after each call on CUDA), after `warmup` calls."
    for _ in range(warmup): fn()
    sync(device)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); sync(device)
        ts.append((time.perf_counter() - t0) * 1e3)
    return sorted(ts)[len(ts) // 2]


def peak_extra(fn, device):
    "Peak memory (MiB) allocated by `fn()` beyond what was allocated before; CUDA only, else None."
    if torch.device(device).type != 'cuda': fn(); return None
    torch.cuda.synchronize(device); torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    fn(); torch.cuda.synchronize(device)
    return (torch.cuda.max_memory_allocated(device) - base) / 2**20


def measure(model, u, device, reps, warmup, cpu_memory=False):
    """(forward ms, fwd+bwd ms, peak GB of fwd+bwd or None): on CUDA the most that one fwd+bwd allocates beyond what was
    allocated before it (activations, gradients, temporaries); `cpu_memory` estimates the peak on CPU with MemTracker."""
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
    if device.type == 'cuda':   # beyond what is allocated before the call: not the modules, inputs and leftovers
        # of the other side, which share the process
        model.zero_grad(set_to_none=True); u.grad = None
        torch.cuda.empty_cache()
        peak = peak_extra(fwd_bwd, device) * 2**20 / 1e9
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


def fmt(x, spec='7.2f'):
    "`x` formatted with `spec`, or a right-aligned '-' of the same width when it is None."
    return f'{x:{spec}}' if x is not None else ' ' * (int(spec.split('.')[0] or 1) - 1) + '-'


def ratio(a, b, spec='5.2f'):
    "a / b formatted, or '-' when either is missing."
    return fmt(a / b if a is not None and b else None, spec)


def markdown(cols, rows) -> str:
    "A Markdown table with header `cols` and `rows` (sequences of already formatted cells)."
    lines = ['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
    return '\n'.join(lines + ['| ' + ' | '.join(str(c).strip() for c in r) + ' |' for r in rows])


# The official code, imported from S4_OFFICIAL_DIR

def _lightning_stub():
    "The official s4.py imports pytorch_lightning only for `rank_zero_only` (a logging decorator): a no-op if it is absent."
    try: import pytorch_lightning  # noqa: F401
    except ImportError:
        pl, ut = types.ModuleType('pytorch_lightning'), types.ModuleType('pytorch_lightning.utilities')
        ut.rank_zero_only = lambda f: f
        pl.utilities = ut
        sys.modules.update({'pytorch_lightning': pl, 'pytorch_lightning.utilities': ut})
        return 'pytorch_lightning absent: its rank_zero_only logging decorator replaced by a no-op'
    return 'pytorch_lightning present'


def official(device) -> types.SimpleNamespace | None:
    "The official code from $S4_OFFICIAL_DIR (modules `s4`, `s4d`, facts in `note`), or None after printing why."
    root = os.environ.get('S4_OFFICIAL_DIR')
    if not root:
        print("# official baseline: S4_OFFICIAL_DIR is not set (a checkout of state-spaces/s4): s4lit's side only, no ratios")
        return None
    root = Path(root).resolve()
    if not (root / 'models' / 's4' / 's4.py').exists():
        raise SystemExit(f"S4_OFFICIAL_DIR={root} has no models/s4/s4.py: not a checkout of state-spaces/s4")
    stub = _lightning_stub()
    if str(root) not in sys.path: sys.path.insert(0, str(root))   # its own imports: models.*, src.*, extensions.*
    logging.getLogger('models.s4.s4').setLevel(logging.ERROR)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        from models.s4 import s4, s4d
    device = torch.device(device)
    backend = 'cuda' if device.type == 'cuda' else 'naive'   # its keops path runs on GPUs only
    if device.type == 'cuda':
        path = ('its CUDA extension (structured_kernels)' if s4.has_cuda_extension
                else 'pykeops (its CUDA extension is not built or not importable)' if s4.has_pykeops
                else 'its naive torch code (neither its CUDA extension nor pykeops is importable)')
    else: path = 'its naive torch code (its CUDA extension and keops paths run on GPUs only)'
    note = f"official code from {root} (commit {commit(root)}); its Cauchy and Vandermonde: {path}; {stub}"
    print(f"# {note}")
    return types.SimpleNamespace(root=root, s4=s4, s4d=s4d, backend=backend, note=note, cuda_ext=s4.has_cuda_extension)


def official_cauchy(off, device):
    "The official Cauchy kernel `f(v, z, w)` for `device` and its name: the CUDA extension, else its torch code."
    if torch.device(device).type == 'cuda' and off.cuda_ext:
        from extensions.kernels.cauchy import cauchy_mult
        return cauchy_mult, 'official CUDA extension (cauchy_mult)'
    return off.s4.cauchy_naive, 'official torch code (s4.cauchy_naive)'


def official_vandermonde(off, device):
    "The official log-Vandermonde kernel `f(v, x, L)` for `device` and its name."
    if torch.device(device).type == 'cuda' and off.cuda_ext:
        from extensions.kernels.vandermonde import log_vandermonde_cuda
        return log_vandermonde_cuda, 'official CUDA extension (log_vandermonde_cuda)'
    return off.s4.log_vandermonde_naive, 'official torch code (s4.log_vandermonde_naive)'


def official_example(off, lr:float=0.01):
    """The official example's `S4Model` class and `setup_optimizer` function, run from its example.py: only their
    definitions and the module-level choice of `dropout_fn` are executed (the file loads data sets and trains at import)."""
    src = (off.root / 'example.py').read_text()
    tree = ast.parse(src)
    keep = [n for n in tree.body if (isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name in ('S4Model', 'setup_optimizer'))
            or (isinstance(n, ast.If) and 'dropout_fn' in ast.unparse(n))]
    ns = dict(torch=torch, nn=torch.nn, optim=torch.optim, S4D=off.s4d.S4D, args=types.SimpleNamespace(lr=lr))
    exec(compile(ast.Module(keep, type_ignores=[]), str(off.root / 'example.py'), 'exec'), ns)
    return ns['S4Model'], ns['setup_optimizer']


def s4lit_twin(official_module, device, **kw):
    "The s4lit module that computes what `official_module` computes, with its weights (`s4lit.official.from_official`)."
    sd = {k: v.detach().cpu() for k, v in official_module.state_dict().items()}
    return from_official(sd, **kw).to(device)


def rel_err(a, b) -> float:
    "Relative error of `a` against `b` in the 2-norm."
    return ((a.detach().double() - b.detach().double()).norm() / b.detach().double().norm().clamp_min(1e-30)).item()


def check_same(ours, theirs, u, label:str, grads:bool=True) -> dict:
    """Run both modules on `u` (fwd, and fwd+bwd of sum(y) when `grads`), in float32 without TF32, and raise unless the
    outputs agree to REL_TOL and the input's and every official parameter's gradients to GRAD_TOL (relative, 2-norm),
    or, where they do not, `float64_arbiter` finds the difference is the official code's rounding."""
    tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    set_tf32(False)
    try:
        theirs_ = _outputs(theirs, u, grads)
        res = [_outputs(ours, u, grads, theirs_.get('grad params')), theirs_]
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32
    errs = {k: _err(res[0][k], res[1][k]) for k in res[1]}
    line = ', '.join(f'{k} {v:.1e}' for k, v in errs.items())
    print(f"# same function: {label}: relative errors {line} (limits: y {REL_TOL:.0e}, gradients {GRAD_TOL:.0e})", flush=True)
    bad = {k for k, v in errs.items() if not v <= (REL_TOL if k == 'y' else GRAD_TOL)}
    if bad and float64_arbiter(ours, u, res, bad, label): bad = set()
    if bad: raise AssertionError(f"{label}: s4lit and the official code differ ({line}); a ratio of two computations means nothing")
    return errs


def _outputs(m, u, grads:bool, official_grads:dict|None=None) -> dict:
    """`m`'s output on `u` and, with `grads`, the gradients of sum(y) for `u` and `m`'s parameters by name; for s4lit's
    module, named and shaped as the official module's gradients `official_grads`."""
    m.zero_grad(set_to_none=True)
    x = u.detach().clone().requires_grad_(grads)
    y = m(x)[0]
    out = dict(y=y.detach())
    if grads:
        y.sum().backward()
        out['grad u'] = x.grad
        if official_grads is None:
            out['grad params'] = {k: p.grad for k, p in m.named_parameters() if p.grad is not None}
        else:
            mine = to_official(m, grad=True)
            out['grad params'] = {k: mine[k].reshape(g.shape) for k, g in official_grads.items()}
    m.zero_grad(set_to_none=True)
    return out


def _err(a, b) -> float:
    "Relative error of `a` against `b`; for dicts of gradients, the largest over their entries."
    return max(rel_err(a[k], b[k]) for k in b) if isinstance(b, dict) else rel_err(a, b)


def float64_arbiter(ours, u, res, bad:set, label:str) -> bool:
    """When s4lit's and the official float32 results (`res`: s4lit's, the official one's) differ by more than the
    limits in the entries `bad`: whether that is rounding. s4lit's module in float64 (a copy) is the reference; it is
    rounding when, in every bad entry, s4lit's float32 result is no further from it than twice the official one's
    (both compute the function the reference computes, s4lit at least as accurately)."""
    try:
        ref = copy.deepcopy(ours).double()
        r64 = _outputs(ref, u.double(), bad != {'y'}, res[1].get('grad params'))
    except Exception as e:   # a module that cannot run in float64 here: no arbiter
        print(f"# same function: {label}: no float64 reference ({type(e).__name__}: {str(e)[:120]})", flush=True)
        return False
    ok = True
    for k in sorted(bad):
        e_ours, e_theirs = _err(res[0][k], r64[k]), _err(res[1][k], r64[k])
        fine = e_ours <= max(REL_TOL if k == 'y' else GRAD_TOL, 2 * e_theirs)
        ok &= fine
        print(f"# same function: {label}: {k} against s4lit in float64: s4lit's float32 is off by {e_ours:.1e}, the "
              f"official one's by {e_theirs:.1e}: {'rounding' if fine else 'not rounding'}", flush=True)
    return ok


# The layer benchmarks (s4.py, s4d.py): each official module against its s4lit twin, row by row

def layer_rows(a, device, Ls, off, cases, title:str):
    """Time every case at every length and print one table. A case is `(name, make_official(L), make_s4lit(L, backend),
    twin(official, backend))`: with the official code, s4lit's module is `twin` of the official one (its weights),
    checked to compute the same function, and each s4lit row gets its ratios to the official row of the same case."""
    print(header(title, device))
    print(f"# batch {a.batch}, H={a.H}, N={a.N}, float32 (TF32 {'on' if a.tf32 else 'off'}), channels first (B, H, L), "
          f"eager unless marked; median of {a.reps}; fwd under no_grad; fwd+bwd of y.sum(); peak = most allocated by one fwd+bwd beyond what was allocated before it")
    graphs = device.type == 'cuda' and not a.no_graphs
    rows = []
    for L in Ls:
        for name, make_off, make_ours, twin in cases:
            torch.manual_seed(0)
            u = torch.randn(a.batch, a.H, L, device=device)
            ref, mods = None, []
            if off:
                o = make_off(L).to(device)
                with torch.no_grad(): o(u)   # S4: the official C~ for this length, before its weights are copied
                mods.append(('official', o))
            for b in a.backends.split(','):
                m = twin(o, b) if off else make_ours(L, b).to(device)
                if off: check_same(m, o, u, f"{name}, L={L}, s4lit [{b}]")
                mods.append((f's4lit [{b}]', m))
            u.requires_grad_(True)
            for side, m in mods:
                for mode in ('eager', 'CUDA graph') if graphs else ('eager',):
                    try:
                        if mode == 'eager': t = measure(m, u, device, a.reps, 2 if a.quick else 3, getattr(a, 'cpu_memory', False))
                        else: t = measure_graphed(m, u, device, a.reps, 3)
                    except Exception as e:   # out of memory, or a module that cannot be captured in a graph
                        print(f"# {name}, L={L}, {side}, {mode}: {type(e).__name__}: {str(e).splitlines()[0][:200]}", flush=True)
                        t = None
                    if side == 'official': ref = dict(ref or {}, **{mode: t})
                    r = (ref or {}).get(mode) if side != 'official' else None
                    cells = [L, name, side, mode] + ([fmt(x, '.2f') for x in t] if t else ['failed', '', '']) + \
                            ([ratio(t[i], r[i]) for i in range(3)] if t and r else ['-'] * 3)
                    rows.append(cells)
                    print('  ' + '  '.join(str(c) for c in cells), flush=True)
            del mods, u
            if device.type == 'cuda': torch.cuda.empty_cache()
    print()
    print(markdown(['L', 'module', 'side', 'mode', 'fwd ms', 'fwd+bwd ms', 'peak GB', 'fwd / official',
                    'fwd+bwd / official', 'peak / official'], rows))
    if off: print(f"\n{off.note}.\nRatios are s4lit / official in this run, same inputs and weights (below 1: s4lit is faster).")
    else: print("\nNo official code (S4_OFFICIAL_DIR unset): s4lit's side only.")
