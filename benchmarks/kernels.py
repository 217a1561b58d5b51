"""s4lit's Cauchy and Vandermonde backends against the official kernels (state-spaces/s4), in the same run.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/kernels.py            # CUDA: batch 1024, 32 pairs, L = 16384
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/kernels.py --batch 256 --length 4096
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/kernels.py --device cpu --quick   # a small smoke run anywhere

The baseline (with S4_OFFICIAL_DIR set to a checkout of state-spaces/s4) is the official kernel the official layers
call: on CUDA its extension (extensions/kernels: `cauchy_mult`, `log_vandermonde_cuda`; build it first, see
extensions/kernels/setup.py), else its torch code (models/s4/s4.py: `cauchy_naive`, `log_vandermonde_naive`). Every
method runs on the same inputs (`s4lit.kernels.random_inputs`, complex64, conj=True); before timing, each output is
compared with a float64 evaluation of the definition on the first 4 rows (the `rel. error` column), and the official
row must be within 1e-4 of it, or the two sides would not compute the same thing. s4lit's methods: the naive
definition, the memory-bounded torch path (as configured: torch.compile'd on CUDA; `torch-eager`: its eager blocks),
pykeops, the CUDA extension and torch.compile of the definition. Rows that fail (out of memory, unavailable) say why.
Times are medians of --reps runs after warm-up; `peak extra` is the memory allocated by forward+backward beyond the
inputs (CUDA). Ratios are s4lit / official.
"""
import sys
import torch
from s4lit import kernels as K
from common import header, markdown, official, official_cauchy, official_vandermonde, parser, peak_extra, ratio, timed   # benchmarks/common.py


def main():
    p = parser(__doc__, batch=1024)
    p.add_argument('--pairs', type=int, default=32, help='N: conjugate pairs (the state size is 2N)')
    p.add_argument('--length', type=int, default=16384)
    p.add_argument('--ops', default='cauchy,log_vandermonde')
    p.add_argument('--methods', default='naive,torch,torch-eager,pykeops,cuda,compile',
                   help="s4lit's: torch: the torch backend as configured (compiled on CUDA); torch-eager: with torch.compile off")
    p.set_defaults(reps=10)
    a = p.parse_args()
    if a.quick: a.batch, a.pairs, a.length, a.reps, a.methods = 8, 16, 512, 3, 'naive,torch,torch-eager'
    device = torch.device(a.device)
    B, N, L = a.batch, a.pairs, a.length
    off = official(device)
    print(header('kernels benchmark', device))
    print(f"# batch {B}, N = {N} conjugate pairs, L = {L}, complex64, conj=True; median of {a.reps}; output {B * L * 8 / 2**20:.0f} MiB")
    v, z, w, x = (t.to(device) for t in K.random_inputs(B, N, L, dtype=torch.complex64))
    v64, z64, w64, x64 = (t[:4].to(torch.complex128) if t.dim() > 1 else t.to(torch.complex128) for t in (v, z, w, x))
    refs = {'cauchy': K.cauchy_naive(v64, z64, w64), 'log_vandermonde': K.log_vandermonde_naive(v64, x64, L)}
    theirs = {'cauchy': official_cauchy(off, device), 'log_vandermonde': official_vandermonde(off, device)} if off else {}
    compiled, compile_devices = {}, K.compile_devices

    def run(op, method, vv, ww):
        if method == 'official':
            f = theirs[op][0]
            return f(vv, z, ww) if op == 'cauchy' else f(vv, ww, L)
        if method == 'compile':
            if op not in compiled:
                compiled[op] = torch.compile(K.cauchy_naive if op == 'cauchy' else K.log_vandermonde_naive)
            return compiled[op](vv, z, ww) if op == 'cauchy' else compiled[op](vv, ww, L)
        K.compile_devices = () if method == 'torch-eager' else compile_devices
        backend = 'torch' if method == 'torch-eager' else method
        if op == 'cauchy': return K.cauchy(vv, z, ww, backend=backend)
        return K.log_vandermonde(vv, ww, L, backend=backend)

    rows, base = [], {}
    for op in a.ops.split(','):
        second = w if op == 'cauchy' else x
        for m in (['official'] if off else []) + a.methods.split(','):
            row = dict(op=op, method=theirs[op][1] if m == 'official' else f's4lit {m}')
            try:
                vv, ww = v.clone().requires_grad_(), second.clone().requires_grad_()
                with torch.no_grad(): y = run(op, m, v, second)
                row['err'] = K._rel_err(y[:4].to(refs[op].dtype), refs[op]); del y
                if m == 'official' and not row['err'] <= 1e-4:
                    raise SystemExit(f"the official {op} differs from the definition by {row['err']:.1e}: not the same computation")
                row['fwd'] = timed(lambda: run(op, m, v, second), device, a.reps, 2)
                def fb():
                    y = run(op, m, vv, ww)
                    torch.autograd.grad(y, (vv, ww), torch.ones_like(y))
                row['fwdbwd'] = timed(fb, device, a.reps, 2)
                row['mem'] = peak_extra(fb, device)
            except Exception as e:
                row['note'] = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
            if device.type == 'cuda': torch.cuda.empty_cache()
            rows.append(row)
            print('  measured', row, file=sys.stderr, flush=True)
            if m == 'official' and 'fwd' in row: base[op] = row

    f = lambda r, k, spec: format(r[k], spec) if r.get(k) is not None else '-'
    print(markdown(['op', 'method', 'forward ms', 'fwd+bwd ms', 'fwd / official', 'fwd+bwd / official', 'peak extra MiB',
                    'rel. error', 'note'],
                   [(r['op'], r['method'], f(r, 'fwd', '.3f'), f(r, 'fwdbwd', '.3f'),
                     ratio(r.get('fwd'), base.get(r['op'], {}).get('fwd')) if r is not base.get(r['op']) else '-',
                     ratio(r.get('fwdbwd'), base.get(r['op'], {}).get('fwdbwd')) if r is not base.get(r['op']) else '-',
                     f(r, 'mem', '.0f'), f(r, 'err', '.1e'), r.get('note', '')) for r in rows]))
    if not off: print("\nNo official code (S4_OFFICIAL_DIR unset): s4lit's side only.")


if __name__ == '__main__':
    main()
