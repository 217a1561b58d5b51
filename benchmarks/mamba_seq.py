"""An experiment for the selective scan's forward kernel: a plain loop over time, one Triton program per (sequence,
block of channels), the (channels, N) state in registers, against s4lit's chunked associative-scan forward.

The loop does the same memory traffic as the chunked kernel (u, delta, z, B, C read once; y written once; the state
entering every chunk of `s4lit.mamba._K` steps stored for the backward pass) with no scan and no cross-thread
reduction over time; its cost is one step's latency per step, hidden or not by the programs running beside it and by
Triton's software pipelining of the loop's loads (`--stages`). It writes what s4lit's backward kernel reads, so
forward+backward is timed with s4lit's backward kernel behind either forward, and with a loop backward: per chunk,
backwards, the chunk's states recomputed forward into a small scratch, then the adjoint walked back step by step;
and the chunked forward with the loop backward.

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
from mamba import mamba_ssm_scan, scan_args, timed   # benchmarks/mamba.py


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


@triton.jit
def seq_bwd(u_ptr, dl_ptr, A_ptr, B_ptr, C_ptr, D_ptr, z_ptr, ck_ptr, dy_ptr, dhL_ptr, hs_ptr,
            du_ptr, ddl_ptr, dA_ptr, dB_ptr, dC_ptr, dD_ptr, dz_ptr, dh0_ptr,
            L, Dm, N, n_chunks, K, HAS_D: tl.constexpr, HAS_Z: tl.constexpr, HAS_DHL: tl.constexpr,
            BD: tl.constexpr, NP: tl.constexpr):
    b, pd = tl.program_id(0), tl.program_id(1)
    d, n = pd * BD + tl.arange(0, BD), tl.arange(0, NP)
    dm, nm = d < Dm, n < N
    mdn = dm[:, None] & nm[None, :]
    dn = (b * Dm + d[:, None]) * N + n[None, :]
    # this program's scratch: the K states of the chunk in hand, (K, BD, NP)
    hs = hs_ptr + (b * tl.num_programs(1) + pd) * K * BD * NP + tl.arange(0, BD)[:, None] * NP + n[None, :]
    A = tl.load(A_ptr + d[:, None] * N + n[None, :], mask=mdn, other=0.0).to(tl.float32)
    Dv = tl.load(D_ptr + d, mask=dm, other=0.0).to(tl.float32) if HAS_D else 0.0
    carry = tl.zeros((BD, NP), tl.float32)      # exp(delta_{t+1} A) g_{t+1}: what step t+1 passes back
    if HAS_DHL: carry = tl.load(dhL_ptr + dn, mask=mdn, other=0.0).to(tl.float32)
    dA = tl.zeros((BD, NP), tl.float32)
    dD = tl.zeros((BD,), tl.float32)
    for i in range(n_chunks):
        c = n_chunks - 1 - i
        h_in = tl.load(ck_ptr + ((b * n_chunks + c) * Dm + d[:, None]) * N + n[None, :], mask=mdn, other=0.0)
        # the chunk's states again, forward, into the scratch
        h = h_in
        for k in range(K):
            t = c * K + k
            mt = dm & ((t + 0 * d) < L)
            off = (b * L + t) * Dm + d
            u = tl.load(u_ptr + off, mask=mt, other=0.0).to(tl.float32)
            dl = tl.load(dl_ptr + off, mask=mt, other=0.0).to(tl.float32)
            Bt = tl.load(B_ptr + (b * L + t) * N + n, mask=nm & ((t + 0 * n) < L), other=0.0).to(tl.float32)
            h = tl.exp(dl[:, None] * A) * h + (dl * u)[:, None] * Bt[None, :]
            tl.store(hs + k * BD * NP, h)
        tl.debug_barrier()
        # then backwards through it: g_t = C_t dy_t + exp(delta_{t+1} A) g_{t+1}
        for j in range(K):
            k = K - 1 - j
            t = c * K + k
            live = (t + 0 * d) < L           # past the end of the sequence: nothing to do
            mt = dm & live
            mtn = nm & ((t + 0 * n) < L)
            off = (b * L + t) * Dm + d
            u = tl.load(u_ptr + off, mask=mt, other=0.0).to(tl.float32)
            dl = tl.load(dl_ptr + off, mask=mt, other=0.0).to(tl.float32)
            Bt = tl.load(B_ptr + (b * L + t) * N + n, mask=mtn, other=0.0).to(tl.float32)
            Ct = tl.load(C_ptr + (b * L + t) * N + n, mask=mtn, other=0.0).to(tl.float32)
            dy = tl.load(dy_ptr + off, mask=mt, other=0.0).to(tl.float32)
            h_t = tl.load(hs + k * BD * NP)
            h_prev = h_in
            if k > 0: h_prev = tl.load(hs + (k - 1) * BD * NP)
            if HAS_Z:
                zt = tl.load(z_ptr + off, mask=mt, other=0.0).to(tl.float32)
                sz = tl.sigmoid(zt)
                y = tl.sum(h_t * Ct[None, :], axis=1) + Dv * u
                tl.store(dz_ptr + off, dy * y * sz * (1 + zt * (1 - sz)), mask=mt)
                dy = dy * zt * sz
            a = tl.exp(dl[:, None] * A)
            g = tl.where(live[:, None], dy[:, None] * Ct[None, :] + carry, carry)
            ah = a * h_prev
            dA += g * dl[:, None] * ah
            dD += dy * u
            tl.store(du_ptr + off, tl.sum(g * Bt[None, :], axis=1) * dl + Dv * dy, mask=mt)
            tl.store(ddl_ptr + off, tl.sum(g * (A * ah + u[:, None] * Bt[None, :]), axis=1), mask=mt)
            tl.atomic_add(dB_ptr + (b * L + t) * N + n, tl.sum(g * (dl * u)[:, None], axis=0), mask=mtn)
            tl.atomic_add(dC_ptr + (b * L + t) * N + n, tl.sum(h_t * dy[:, None], axis=0), mask=mtn)
            carry = tl.where(live[:, None], a * g, carry)
        tl.debug_barrier()
    tl.store(dA_ptr + dn, dA, mask=mdn)
    tl.store(dD_ptr + b * Dm + d, dD, mask=dm)
    tl.store(dh0_ptr + dn, carry, mask=mdn)


def seq_scan_bwd(u, delta, A, B, C, D, z, ck, dy, dhL, BD=32, warps=4):
    "The gradients `s4lit.mamba._scan_bwd` returns, by the loop kernel, from the forward's stored states `ck`."
    b, L, Dm = u.shape
    N, K = A.shape[1], mamba._K
    n_chunks, NP, nd = ck.shape[1], triton.next_power_of_2(N), triton.cdiv(Dm, BD)
    f32 = lambda *s: u.new_zeros(*s, dtype=torch.float32)
    du, ddelta, dz = f32(b, L, Dm), f32(b, L, Dm), f32(b, L, Dm)
    dA, dh0, dB, dC, dD = f32(b, Dm, N), f32(b, Dm, N), f32(b, L, N), f32(b, L, N), f32(b, Dm)
    hs = u.new_empty(b * nd * K * BD * NP, dtype=torch.float32)
    dummy = u.new_empty(1)
    seq_bwd[(b, nd)](u, delta, A, B, C, D if D is not None else dummy, z if z is not None else dummy,
                     ck, dy.contiguous(), dhL.contiguous() if dhL is not None else dummy, hs,
                     du, ddelta, dA, dB, dC, dD, dz, dh0, L, Dm, N, n_chunks, K,
                     HAS_D=D is not None, HAS_Z=z is not None, HAS_DHL=dhL is not None,
                     BD=BD, NP=NP, num_warps=warps)
    return (du, ddelta, dA.sum(0), dB, dC, None if D is None else dD.sum(0), None if z is None else dz, dh0)


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
            dy, dhL = torch.randn_like(y), torch.randn_like(hL)
            ours = seq_scan_bwd(*args[:7], ck, dy, dhL, BD=BD)
            ref = _scan_bwd(*args[:7], ck, dy, dhL)
            for name, g, r_ in zip(('u', 'delta', 'A', 'B', 'C', 'D', 'z', 'h0'), ours, ref):
                if r_ is not None: torch.testing.assert_close(g, r_.float(), rtol=1e-3, atol=1e-3, msg=name)
    print('check: the loop kernels compute the readable loop, and the gradients of the chunked kernels')


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
    peer = mamba_ssm_scan()   # mamba-ssm's kernel, when built (MAMBA_SSM_DIR)
    for L in a.L:
        args = scan_args(16, L, 1536, 16, device)
        ins = [args[k].contiguous() for k in ('u', 'delta', 'A', 'B', 'C', 'D', 'z')] + [None]
        dy = torch.randn_like(args['u'])
        chunked = timed(lambda: _scan_fwd(*ins), a.reps, device)
        both = timed(lambda: _scan_bwd(*ins[:7], _scan_fwd(*ins)[2], dy, None), a.reps, device)
        ref = timed(peer(args), a.reps, device) if peer else None
        print(f"L={L}: chunked-scan forward {chunked * 1e3:.2f} ms, forward+backward {both * 1e3:.2f} ms"
              + (f"; mamba-ssm forward+backward {ref * 1e3:.2f} ms" if ref else ''))
        rows = []
        for BD, W, S in itertools.product(a.BD, a.warps, a.stages):
            try:
                f = lambda: seq_scan_fwd(*ins, BD=BD, warps=W, stages=S)
                y_ref = _scan_fwd(*ins)[0]
                err = (f()[0] - y_ref).norm() / y_ref.norm()
                t = timed(f, a.reps, device)
                tb = timed(lambda: _scan_bwd(*ins[:7], f()[2], dy, None), a.reps, device)
                tl_ = timed(lambda: seq_scan_bwd(*ins[:7], f()[2], dy, None, BD=BD, warps=W), a.reps, device)
                # the chunked forward (it stores the same chunk states) with the loop backward
                tcl = timed(lambda: seq_scan_bwd(*ins[:7], _scan_fwd(*ins)[2], dy, None, BD=BD, warps=W),
                            a.reps, device)
            except Exception as e:
                print(f"  BD={BD} warps={W} stages={S}: failed ({type(e).__name__}: {str(e)[:80]})")
                continue
            rows.append((t, tb, tl_, tcl, BD, W, S))
            print(f"  loop BD={BD:2d} warps={W} stages={S}: forward {t * 1e3:6.2f} ms; forward+backward with "
                  f"the chunked backward {tb * 1e3:6.2f} ms, with the loop backward {tl_ * 1e3:6.2f} ms; "
                  f"chunked forward + loop backward {tcl * 1e3:6.2f} ms; rel. difference of y {err:.1e}",
                  flush=True)
        if rows:
            t, *_ = min(rows)
            best = min(min(r[1:4]) for r in rows)
            print(f"L={L}: fastest loop forward {t * 1e3:.2f} ms ({t / chunked:.2f}x the chunked forward); "
                  f"fastest forward+backward with a loop kernel {best * 1e3:.2f} ms ({best / both:.2f}x)"
                  + (f", {best / ref:.2f}x mamba-ssm's" if ref else ''))

if __name__ == '__main__':
    main()
