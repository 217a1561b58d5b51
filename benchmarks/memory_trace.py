"""Which allocations are alive at the memory peak of one forward+backward: the official standalone S4D against s4lit's
S4DStandalone with its weights, traced with torch's CUDA memory history (CUDA only).

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/memory_trace.py            # batch 16, H = 256, N = 64, L = 1024
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/memory_trace.py --L 4096

For each side, after warm-up: the peak that one forward+backward allocates beyond what was allocated before it
(`common.peak_extra`, as the layer tables count it), then, from the recorded history, the allocations alive at that
peak, largest first, each with the first frame of s4lit's, the official code's or autograd's that made it.
"""
import torch
from common import official, parser, peak_extra, s4lit_twin   # benchmarks/common.py


def live_at_peak(events):
    "The allocation events alive when the sum of live allocations peaked, and that sum in bytes."
    live, cur, best, at_best = {}, 0, 0, {}
    for e in events:
        if e['action'] == 'alloc': live[e['addr']] = e; cur += e['size']
        elif e['action'] == 'free_requested' and e['addr'] in live: cur -= live.pop(e['addr'])['size']
        if cur > best: best, at_best = cur, dict(live)
    return list(at_best.values()), best


def where(e) -> str:
    "`file:line function` of the first frame of s4lit, the official models or autograd that made allocation `e`."
    frames = e.get('frames') or [{'filename': '?', 'line': 0, 'name': '?'}]
    ours = [f for f in frames if any(k in f['filename'] for k in ('s4lit', 'models', 'torch/autograd'))]
    f = (ours or frames)[0]
    return f"{f['filename'].split('/')[-1]}:{f['line']} {f['name']}"


def main():
    p = parser(__doc__, batch=16)
    p.add_argument('--H', type=int, default=256)
    p.add_argument('--N', type=int, default=64)
    p.add_argument('--L', type=int, default=1024)
    p.add_argument('--top', type=int, default=10, help='allocations listed per side')
    a = p.parse_args()
    if a.device != 'cuda': raise SystemExit("memory_trace.py traces CUDA allocations: run it on a GPU")
    off = official(a.device)
    if off is None: raise SystemExit("set S4_OFFICIAL_DIR to a checkout of state-spaces/s4")
    torch.manual_seed(0)
    theirs = off.s4d.S4D(a.H, d_state=a.N, transposed=True).cuda()
    ours = s4lit_twin(theirs, 'cuda')
    u0 = torch.randn(a.batch, a.H, a.L, device='cuda')
    def step(m):
        u = u0.clone().requires_grad_()
        m(u)[0].sum().backward()
    for side, m in (('official', theirs), ('s4lit', ours)):
        for _ in range(3): step(m)
        m.zero_grad(set_to_none=True)
        torch.cuda.memory._record_memory_history(max_entries=100_000)
        peak = peak_extra(lambda: step(m), 'cuda')
        events = torch.cuda.memory._snapshot()['device_traces'][torch.cuda.current_device()]
        torch.cuda.memory._record_memory_history(enabled=None)
        m.zero_grad(set_to_none=True)
        alive, total = live_at_peak(events)
        print(f"== {side}: peak beyond the start {peak:.1f} MiB (alive at the traced peak: {total / 2**20:.1f} MiB)")
        for e in sorted(alive, key=lambda e: -e['size'])[:a.top]:
            print(f"   {e['size'] / 2**20:8.2f} MiB  {where(e)}")


if __name__ == '__main__':
    main()
