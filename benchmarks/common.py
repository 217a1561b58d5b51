"""Options, headers, timing and memory helpers shared by the benchmarks, and the official S4D layer and example model, re-stated.

The re-statements follow state-spaces/s4: the standalone S4D layer (models/s4/s4d.py, with DropoutNd from
src/models/nn/dropout.py) and the S4Model and optimizer setup of its example.py. They are used as the baselines that
s4lit is timed against in the same run (s4d.py, train_step.py).
"""
import argparse, datetime, math, platform, time
import torch
import torch.nn as nn
from s4lit.model import graphed


def parser(doc:str, batch:int):
    "An argument parser with the options every benchmark takes: --device, --quick and --batch."
    p = argparse.ArgumentParser(description=doc.split('\n')[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--quick', action='store_true', help='small sizes, few repetitions (a smoke test)')
    p.add_argument('--batch', type=int, default=batch)
    return p


def layer_parser(doc:str):
    "parser() with the layer benchmarks' sizes: --H, --N, --L (comma-separated lengths), --reps, --no-graphs."
    p = parser(doc, batch=16)
    p.add_argument('--H', type=int, default=256)
    p.add_argument('--N', type=int, default=64)
    p.add_argument('--L', default='1024,4096,16384')
    p.add_argument('--reps', type=int, default=20)
    p.add_argument('--no-graphs', action='store_true', help="skip the CUDA graph rows (s4lit.model.graphed)")
    return p


def layer_args(p):
    "`(args, device, lengths)` from a layer_parser; --quick shrinks the sizes to a smoke run."
    a = p.parse_args()
    if a.quick: a.batch, a.H, a.L, a.reps = 2, 32, '256,1024', 3
    return a, torch.device(a.device), [int(l) for l in a.L.split(',')]


def header(title:str, device) -> str:
    "The first line of a benchmark's output: what, when (UTC), on which device, with which torch."
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else platform.processor() or 'cpu'
    return f"# {title}  {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC  device: {name}  torch {torch.__version__}"


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


class OfficialDropoutNd(nn.Module):
    "The official DropoutNd, re-stated: one mask per (sample, channel), tied over the length; input (B, H, L)."
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, X):
        if not self.training: return X
        mask = torch.rand(*X.shape[:2], *(1,) * (X.ndim - 2), device=X.device) < 1.0 - self.p
        return X * mask * (1.0 / (1 - self.p))


class OfficialS4DKernel(nn.Module):
    """The official standalone S4D kernel, re-stated: ZOH, B = 1, A = -exp(log_A_real) + i A_imag, K = 2 Re(...).
    log_dt, log_A_real and A_imag carry the official `_optim` setting: no weight decay, and learning rate `lr` if given."""
    def __init__(self, H, N=64, dt_min=1e-3, dt_max=1e-1, lr=None):
        super().__init__()
        log_dt = torch.rand(H) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min)
        C = torch.randn(H, N // 2, dtype=torch.cfloat)
        self.C = nn.Parameter(torch.view_as_real(C))
        self.log_dt = nn.Parameter(log_dt)
        self.log_A_real = nn.Parameter(torch.log(0.5 * torch.ones(H, N // 2)))
        self.A_imag = nn.Parameter(math.pi * torch.arange(N // 2).repeat(H, 1).float())
        for p in (self.log_dt, self.log_A_real, self.A_imag):
            p._optim = {'weight_decay': 0.0, **({'lr': lr} if lr is not None else {})}

    def forward(self, L):
        dt = torch.exp(self.log_dt)
        C = torch.view_as_complex(self.C)
        A = -torch.exp(self.log_A_real) + 1j * self.A_imag
        dtA = A * dt.unsqueeze(-1)
        K = dtA.unsqueeze(-1) * torch.arange(L, device=A.device)  # (H, N/2, L)
        C = C * (torch.exp(dtA) - 1.0) / A
        return 2 * torch.einsum('hn,hnl->hl', C, torch.exp(K)).real


class OfficialS4D(nn.Module):
    "The official standalone S4D layer, re-stated: input and output (B, H, L); dropout (DropoutNd) after the GELU."
    def __init__(self, d_model, d_state=64, dropout=0.0, lr=None):
        super().__init__()
        self.h = d_model
        self.D = nn.Parameter(torch.randn(self.h))
        self.kernel = OfficialS4DKernel(self.h, N=d_state, lr=lr)
        self.activation = nn.GELU()
        self.dropout = OfficialDropoutNd(dropout) if dropout > 0.0 else nn.Identity()
        self.output_linear = nn.Sequential(nn.Conv1d(self.h, 2 * self.h, kernel_size=1), nn.GLU(dim=-2))

    def forward(self, u):
        L = u.size(-1)
        k = self.kernel(L=L)
        k_f = torch.fft.rfft(k, n=2 * L)
        u_f = torch.fft.rfft(u, n=2 * L)
        y = torch.fft.irfft(u_f * k_f, n=2 * L)[..., :L]
        y = y + u * self.D.unsqueeze(-1)
        y = self.dropout(self.activation(y))
        return self.output_linear(y), None


class OfficialS4Model(nn.Module):
    """The official example's S4Model (example.py), re-stated: Linear encoder, `n_layers` blocks of S4D, dropout (as
    nn.Dropout1d there), residual and LayerNorm (post-norm unless `prenorm`), mean over the length, Linear decoder."""
    def __init__(self, d_input, d_output=10, d_model=256, n_layers=4, dropout=0.2, prenorm=False, d_state=64, lr=0.001):
        super().__init__()
        self.prenorm = prenorm
        self.encoder = nn.Linear(d_input, d_model)
        self.s4_layers = nn.ModuleList([OfficialS4D(d_model, d_state, dropout=dropout, lr=lr) for _ in range(n_layers)])
        self.norms = nn.ModuleList([nn.LayerNorm(d_model) for _ in range(n_layers)])
        self.dropouts = nn.ModuleList([nn.Dropout1d(dropout) for _ in range(n_layers)])
        self.decoder = nn.Linear(d_model, d_output)

    def forward(self, x):
        x = self.encoder(x).transpose(-1, -2)  # (B, L, d_input) -> (B, d_model, L)
        for layer, norm, dropout in zip(self.s4_layers, self.norms, self.dropouts):
            z = x
            if self.prenorm: z = norm(z.transpose(-1, -2)).transpose(-1, -2)
            z, _ = layer(z)
            x = dropout(z) + x
            if not self.prenorm: x = norm(x.transpose(-1, -2)).transpose(-1, -2)
        return self.decoder(x.transpose(-1, -2).mean(dim=1))


def official_optimizer(model, lr=0.01, weight_decay=0.01):
    "The official example's setup_optimizer, re-stated (without its scheduler): AdamW, plus one group per `_optim` setting."
    params = list(model.parameters())
    opt = torch.optim.AdamW([p for p in params if not hasattr(p, '_optim')], lr=lr, weight_decay=weight_decay)
    hps = [dict(s) for s in sorted(dict.fromkeys(frozenset(p._optim.items()) for p in params if hasattr(p, '_optim')))]
    for hp in hps: opt.add_param_group({'params': [p for p in params if getattr(p, '_optim', None) == hp], **hp})
    return opt
