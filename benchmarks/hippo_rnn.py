"""One training step of the `psmnist-hippo-legs` recipe's model (one HiPPO-LegS RNN layer, hidden 512, memory 512),
as s4lit-train takes it, and the epoch time that follows.

    python benchmarks/hippo_rnn.py                        # CUDA if there is one: eager and CUDA-graph steps
    python benchmarks/hippo_rnn.py --device cpu --reps 1 --threads 1   # the CPU (slow: seconds to minutes a step)
    python benchmarks/hippo_rnn.py --d-model 64 --d-state 64 --device cpu   # a small smoke run anywhere

A step is the trainer's: `Objective` (forward, cross-entropy), backward, AdamW (fused on CUDA), on random pixels of
the task's shape (batch 100, L = 784, one channel). Prints the time to make the table of LegS's memory matrices
(once per run), the median step time over --reps steps after one warm-up step, eager and (on CUDA) replayed from
CUDA graphs as `--graph` does, and the epoch estimate: 540 steps of training (54000 examples at batch 100) plus the
validation and test passes (16000 examples at batch 200, eager, forward only).
"""
import argparse, statistics, time
import torch
import torch.nn.functional as F
from s4lit.model import graphed
from s4lit.train import Objective, TrainConfig, build_model, make_optimizer, recipes


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def timed(fn, reps, device):
    "Median seconds of `fn()` over `reps` calls after one warm-up call: wall clock, and this process's CPU time."
    fn(); sync(device)
    ts, cs = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(); sync(device)
        ts.append(time.perf_counter() - t0); cs.append(time.process_time() - c0)
    return statistics.median(ts), statistics.median(cs)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--d-model', type=int, default=512)
    p.add_argument('--d-state', type=int, default=512)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--length', type=int, default=784)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=0, help='CPU threads (0: torch default)')
    a = p.parse_args()
    device = torch.device(a.device)
    if a.threads: torch.set_num_threads(a.threads)
    if device.type == 'cuda': torch.backends.cuda.matmul.allow_tf32 = True
    cfg = TrainConfig(**{**recipes()['psmnist-hippo-legs']['config'], 'd_model': a.d_model,
                         'd_state': a.d_state, 'batch_size': a.batch, 'device': a.device})
    torch.manual_seed(0)
    model = build_model(cfg).to(device)
    layer = model.blocks[0].layer
    x = torch.rand(a.batch, a.length, 1, device=device)
    y = torch.randint(0, 10, (a.batch,), device=device)
    print(f"{device} ({torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU'}), "
          f"torch {torch.__version__}, threads {torch.get_num_threads()}; {layer.extra_repr()}; "
          f"batch {a.batch}, L {a.length}")
    t0 = time.perf_counter(); layer.matrices(0, a.length, x); sync(device)
    print(f"LegS table of {a.length} steps: {time.perf_counter() - t0:.2f} s (once per run)")
    opt = make_optimizer(model, cfg, device)
    rows = [('eager', Objective(model.train()))]
    if device.type == 'cuda': rows.append(('CUDA graphs', graphed(Objective(model.train()), x, y)))
    with torch.no_grad():
        t_eval, c_eval = timed(lambda: model.eval()(torch.rand(2 * a.batch, a.length, 1, device=device)),
                               1, device)
    model.train()
    for name, obj in rows:
        def step():
            opt.zero_grad(set_to_none=False)
            loss, _ = obj(x, y)
            loss.backward()
            opt.step()
        t, c = timed(step, a.reps, device)
        epoch = 540 * t + 80 * t_eval
        print(f"{name:12s} training step {t * 1e3:9.1f} ms (CPU time {c * 1e3:9.1f} ms); eval batch of "
              f"{2 * a.batch} {t_eval * 1e3:8.1f} ms; epoch ~ {epoch:8.1f} s ({epoch / 60:.1f} min); "
              f"epochs in 4 min: {int(240 // epoch)}")


if __name__ == '__main__':
    main()
