"""Generation speed: the recurrence (step mode) against recomputing the convolution over the growing prefix, same model, same run.

    python benchmarks/generate.py                      # CUDA if present: lengths 1k, 4k, 16k, batch 16
    python benchmarks/generate.py --device cpu         # the same on the CPU
    python benchmarks/generate.py --quick              # a small smoke run anywhere

The model is the density model of the generation chapter (`mnist-pixels` in benchmarks/results.py: S4D, 4 layers,
H = 256, 256 levels), untrained: speed does not depend on the weights. For each length L:

- step mode: `s4lit.generate.generate` draws L tokens for each of --batch sequences; the whole call is timed. On CUDA
  twice: stepping eagerly (`graph=False`, one launch per operation) and replaying the step from a CUDA graph.
- convolution: without a state, token t is predicted by running the model over the t tokens before it. Running all L
  of those forwards costs sum_t T(t); we time T(t) (median of --reps forwards under no_grad) at --points prefix lengths
  spread over 1..L and integrate with the trapezoid rule. Each forward returns only the last step's logits, as
  sampling needs, and sampling itself is left out, which favours this side.

Reported: samples (tokens) per second, batch * L / seconds, and how many times faster step mode (the faster way) is.
"""
import torch
from s4lit.model import SequenceModel
from s4lit.generate import generate
from common import header, parser, timed   # benchmarks/common.py


@torch.no_grad()
def conv_seconds(model, L, batch, device, points, reps):
    "Estimated time to generate L tokens by re-running the convolution over each prefix: the integral of T(t) over 1..L."
    ts = sorted({1, *[round(L * k / points) for k in range(1, points + 1)]})
    x = torch.randint(0, 256, (batch, L), device=device)
    T = [timed(lambda t=t: model(x[:, :t])[0][:, -1], device, reps, warmup=1) / 1e3 for t in ts]
    total = sum((ts[i + 1] - ts[i]) * (T[i] + T[i + 1]) / 2 for i in range(len(ts) - 1)) + T[0]
    return total, dict(zip(ts, T))


def main():
    ap = parser(__doc__, batch=16)
    ap.add_argument('--lengths', default='1024,4096,16384')
    ap.add_argument('--d-model', type=int, default=256)
    ap.add_argument('--n-layers', type=int, default=4)
    ap.add_argument('--points', type=int, default=8)
    ap.set_defaults(reps=3)
    a = ap.parse_args()
    if a.quick: a.lengths, a.batch, a.d_model, a.points = '64,256', 2, 32, 4
    device = torch.device(a.device)
    torch.manual_seed(0)
    model = SequenceModel(257, 256, d_model=a.d_model, n_layers=a.n_layers, embedding=True, pool=None).to(device).eval()
    print(header(f"generation speed: S4D {a.n_layers} x {a.d_model}, batch {a.batch}", device))
    print("# both ways are s4lit's (state-spaces/s4 generates through its hydra training code and checkpoints: no official baseline here)")
    modes = {'step': False, 'step (graph)': True} if device.type == 'cuda' else {'step': False}
    print(f"{'L':>6} " + ' '.join(f"{m + ' s':>17} {m + ' samples/s':>25}" for m in modes)
          + f" {'conv s (est.)':>14} {'conv samples/s':>15} {'speed-up':>9}   conv T(t) ms at t = ...")
    for g in modes.values(): generate(model, 16, n=a.batch, graph=g)   # warm-up
    for L in map(int, a.lengths.split(',')):
        t_step = {m: timed(lambda: generate(model, L, n=a.batch, seed=0, graph=g), device, 1, warmup=0) / 1e3 for m, g in modes.items()}
        t_conv, T = conv_seconds(model, L, a.batch, device, a.points, a.reps)
        n = a.batch * L
        print(f"{L:6d} " + ' '.join(f"{t:17.2f} {n / t:25,.0f}" for t in t_step.values())
              + f" {t_conv:14.2f} {n / t_conv:15,.0f} {t_conv / min(t_step.values()):8.1f}x   "
              + ', '.join(f'{t}: {1e3 * s:.2f}' for t, s in T.items()), flush=True)


if __name__ == '__main__':
    main()
