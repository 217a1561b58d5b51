"""An experiment for the selective scan's forward kernel: a plain loop over time, one Triton program per (sequence,
block of channels), the (channels, N) state in registers, against s4lit's chunked associative-scan forward.

The loop does the same memory traffic as the chunked kernel (u, delta, z, B, C read once; y written once; the state
entering every chunk of `s4lit.mamba._K` steps stored for the backward pass) with no scan and no cross-thread
reduction over time; its cost is one step's latency per step, hidden or not by the programs running beside it and by
Triton's software pipelining of the loop's loads (`--stages`). It writes what s4lit's backward kernel reads, so
forward+backward is timed with s4lit's backward kernel behind either forward.

    python benchmarks/mamba_seq.py                            # GPU: check, then time (batch 16, D 1536, N 16)
    python benchmarks/mamba_seq.py --BD 16 32 64 --warps 2 4 --stages 1 2 3
    TRITON_INTERPRET=1 python benchmarks/mamba_seq.py --check # CPU: the check against the loop only
"""
import argparse, itertools, os, sys
import torch
import triton
import triton.language as tl
from s4lit import mamba
from s4lit.mamba import _scan_bwd, _scan_fwd, selective_scan_ref
from mamba import scan_args, timed   # benchmarks/mamba.py


@triton.jit
def seq_fwd(u_ptr, dl_ptr, A_ptr, B_ptr, C_ptr, D_ptr, z_ptr, h0_ptr, y_ptr, hL_ptr, ck_ptr,
            L, Dm, N, n_chunks, K, HAS_D: tl.constexpr, HAS_Z: tl.constexpr, HAS_H0: tl.constexpr,
            BD: tl.constexpr, NP: tl.constexpr, STAGES: tl.constexpr):
    b, pd = tl.program_id(0), tl.program_id(1)
    d, n = pd * BD + tl.arange(0, BD), tl.arange(0, NP)
    dm, nm = d < Dm, n < N
    mdn = dm[:, None] & nm[None, :]
    dn = (b * Dm + d[:, None]) * N + n[None, :]
    A = tl.load(A_ptr + d[:, None] * N + n[None, :], mask=mdn, other=0.0).to(tl.float32)
    h = tl.zeros((BD, NP), tl.float32)
    if HAS_H0: h = tl.load(h0_ptr + dn, mask=mdn, other=0.0).to(tl.float32)
    Dv = tl.load(D_ptr + d, mask=dm, other=0.0).to(tl.float32) if HAS_D else 0.0
    for t in tl.range(0, L, num_stages=STAGES):
        if t % K == 0:   # the state entering chunk t // K, for the backward pass
            tl.store(ck_ptr + ((b * n_chunks + t // K) * Dm + d[:, None]) * N + n[None, :], h, mask=mdn)
        off = (b * L + t) * Dm + d
        u = tl.load(u_ptr + off, mask=dm, other=0.0).to(tl.float32)
        dl = tl.load(dl_ptr + off, mask=dm, other=0.0).to(tl.float32)
        Bt = tl.load(B_ptr + (b * L + t) * N + n, mask=nm, other=0.0).to(tl.float32)
        Ct = tl.load(C_ptr + (b * L + t) * N + n, mask=nm, other=0.0).to(tl.float32)
        h = tl.exp(dl[:, None] * A) * h + (dl * u)[:, None] * Bt[None, :]
        y = tl.sum(h * Ct[None, :], axis=1) + Dv * u
        if HAS_Z:
            zt = tl.load(z_ptr + off, mask=dm, other=0.0).to(tl.float32)
            y = y * zt * tl.sigmoid(zt)
        tl.store(y_ptr + off, y, mask=dm)
    tl.store(hL_ptr + dn, h, mask=mdn)


def seq_scan_fwd(u, delta, A, B, C, D, z, h0, BD=32, warps=4, stages=1):
    "`(y, h_L, ck)` as `s4lit.mamba._scan_fwd` returns them, by the loop kernel; contiguous inputs."
    b, L, Dm = u.shape
    N, K = A.shape[1], mamba._K
    n_chunks = triton.cdiv(L, K)
    y = torch.empty_like(u)
    hL = u.new_empty(b, Dm, N, dtype=torch.float32)
    ck = u.new_empty(b, n_chunks, Dm, N, dtype=torch.float32)
    dummy = u.new_empty(1)
    seq_fwd[(b, triton.cdiv(Dm, BD))](
        u, delta, A, B, C, D if D is not None else dummy, z if z is not None else dummy,
        h0 if h0 is not None else dummy, y, hL, ck, L, Dm, N, n_chunks, K,
        HAS_D=D is not None, HAS_Z=z is not None, HAS_H0=h0 is not None,
        BD=BD, NP=triton.next_power_of_2(N), STAGES=stages, num_warps=warps)
    return y, hL, ck


def check(device):
    "The loop kernel against the readable loop (outputs, last state) and against the chunked kernel (stored states)."
    for b, L, Dm, N, opt in [(2, 37, 20, 5, True), (1, 16, 16, 16, False), (2, 5, 3, 4, True)]:
        g = torch.Generator().manual_seed(0)
        r = lambda *s: torch.randn(*s, generator=g)
        args = [r(b, L, Dm), torch.rand(b, L, Dm, generator=g) * 0.5, -torch.rand(Dm, N, generator=g) * 2,
                r(b, L, N), r(b, L, N), r(Dm), r(b, L, Dm), r(b, Dm, N)]
        if not opt: args[5:] = [None, None, None]
        args = [None if t is None else t.to(device) for t in args]
        for BD in (4, 16):
            y, hL, ck = seq_scan_fwd(*args, BD=BD)
            y_ref, h_ref = selective_scan_ref(*args)
            torch.testing.assert_close(y, y_ref, rtol=1e-4, atol=1e-4)
            torch.testing.assert_close(hL, h_ref, rtol=1e-4, atol=1e-4)
            torch.testing.assert_close(ck, _scan_fwd(*args)[2], rtol=1e-4, atol=1e-4)
    print('check: the loop kernel computes the readable loop and stores the chunked kernel\'s states')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--check', action='store_true', help='the check only')
    p.add_argument('--BD', type=int, nargs='+', default=[16, 32, 64])
    p.add_argument('--warps', type=int, nargs='+', default=[1, 2, 4])
    p.add_argument('--stages', type=int, nargs='+', default=[1, 2, 3])
    p.add_argument('--L', type=int, nargs='+', default=[2048, 8192])
    p.add_argument('--reps', type=int, default=10)
    a = p.parse_args()
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    check(device)
    if a.check or device == 'cpu': return
    print(f"device {torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}, "
          f"chunk {mamba._K} steps")
    for L in a.L:
        args = scan_args(16, L, 1536, 16, device)
        ins = [args[k].contiguous() for k in ('u', 'delta', 'A', 'B', 'C', 'D', 'z')] + [None]
        dy = torch.randn_like(args['u'])
        chunked = timed(lambda: _scan_fwd(*ins), a.reps, device)
        both = timed(lambda: _scan_bwd(*ins[:7], _scan_fwd(*ins)[2], dy, None), a.reps, device)
        print(f"L={L}: chunked-scan forward {chunked * 1e3:.2f} ms, forward+backward {both * 1e3:.2f} ms")
        rows = []
        for BD, W, S in itertools.product(a.BD, a.warps, a.stages):
            try:
                f = lambda: seq_scan_fwd(*ins, BD=BD, warps=W, stages=S)
                err = (f()[0] - _scan_fwd(*ins)[0]).norm() / _scan_fwd(*ins)[0].norm()
                t = timed(f, a.reps, device)
                tb = timed(lambda: _scan_bwd(*ins[:7], f()[2], dy, None), a.reps, device)
            except Exception as e:
                print(f"  BD={BD} warps={W} stages={S}: failed ({type(e).__name__}: {str(e)[:80]})")
                continue
            rows.append((t, tb, BD, W, S, err.item()))
            print(f"  loop BD={BD:2d} warps={W} stages={S}: forward {t * 1e3:6.2f} ms, with the chunked "
                  f"backward {tb * 1e3:6.2f} ms, rel. difference {err:.1e}", flush=True)
        if rows:
            t, tb, BD, W, S, _ = min(rows)
            print(f"L={L}: fastest loop forward BD={BD} warps={W} stages={S}: {t * 1e3:.2f} ms "
                  f"({t / chunked:.2f}x the chunked forward); forward+backward {tb * 1e3:.2f} ms "
                  f"({tb / both:.2f}x)")


if __name__ == '__main__':
    main()
