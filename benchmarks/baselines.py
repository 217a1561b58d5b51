"""Training-step time of the baseline recipes (LSTM, GRU, CKConv) beside the S4D recipes of the same tasks, and the
epochs that fit in a time budget.

For each recipe, the model `s4lit-train --recipe NAME` builds (s4lit.train.build_model) is stepped as the trainer
steps it: `Objective` (loss and correct count), `make_optimizer` (AdamW, fused on CUDA) and, on CUDA, the forward and
backward replayed from CUDA graphs (`s4lit.model.graphed`, as `--graph`, the default; eager if recording fails). The
batches are random inputs of the task's shape (batch size and length of the recipe), so no data is read. Printed per
recipe: parameters, ms per training step and per evaluation batch (eager forward under no_grad, twice the batch
size, as the trainer's `evaluate`), the estimated seconds per epoch (the training steps of the training split plus the
evaluation of the validation and test splits), the recipe's epochs and the epochs that fit in --budget seconds.

    python benchmarks/baselines.py                              # on a GPU: all eight recipes, about a minute
    python benchmarks/baselines.py --device cpu --quick         # a smoke run anywhere (batch 2)
    python benchmarks/baselines.py smnist-lstm psmnist-lstm     # some recipes only
"""
import argparse, math, statistics, time, warnings
import torch
from s4lit.data import TASKS
from s4lit.model import graphed
from s4lit.train import Objective, build_model, make_optimizer, parse_config

RECIPES = ['smnist', 'smnist-lstm', 'smnist-gru', 'smnist-ckconv',
           'psmnist', 'psmnist-lstm', 'psmnist-gru', 'psmnist-ckconv']


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def timed(f, device, reps:int) -> float:
    "Median seconds of `f()` over `reps` calls, after one or two warm-up calls."
    for _ in range(1 if reps < 3 else 2): f()
    ts = []
    for _ in range(reps):
        sync(device); t0 = time.perf_counter(); f(); sync(device)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def measure(name:str, device, reps:int, graph:bool, batch:int=0) -> dict:
    "Parameters, training-step and evaluation-batch seconds of recipe `name`."
    cfg = parse_config(['--recipe', name, '--device', str(device)])
    task = TASKS[cfg.task]
    torch.manual_seed(0)
    model = build_model(cfg).to(device)
    B = batch or cfg.batch_size
    x = torch.rand(B, task.L, task.d_input, device=device)
    y = torch.randint(0, task.n_classes, (B,), device=device)
    x_eval = torch.rand(2 * B, task.L, task.d_input, device=device)
    step_fn = Objective(model)
    is_graph = False
    if graph and device.type == 'cuda':
        try:
            step_fn, is_graph = graphed(step_fn.train(), x, y), True
        except Exception as e:
            warnings.warn(f"{name}: recording failed ({type(e).__name__}: {str(e)[:200]}); eager")
    opt = make_optimizer(model, cfg, device)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss, _ = step_fn(x, y)
        loss.backward()
        opt.step()

    def eval_batch():
        with torch.no_grad(): model.eval()(x_eval); model.train()

    n_params = sum(p.numel() for p in model.parameters())
    return dict(name=name, model=f"{cfg.model} {cfg.n_layers} x {cfg.d_model}", params=n_params,
                epochs=cfg.epochs, graph=is_graph, step=timed(train_step, device, reps),
                eval=timed(eval_batch, device, reps), batch=B, sizes=task.sizes)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('recipes', nargs='*', default=RECIPES)
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--reps', type=int, default=20, help='timed steps (the median is reported)')
    p.add_argument('--budget', type=float, default=180.0, help='seconds of training per run')
    p.add_argument('--no-graph', action='store_true', help='eager steps on CUDA too')
    p.add_argument('--quick', action='store_true', help='batch 2, 1 timed step (a smoke run; its epochs mean nothing)')
    a = p.parse_args()
    device = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = True   # as the trainer's default --tf32
    reps = 1 if a.quick else a.reps
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU'
    print(f"{name}, torch {torch.__version__}, {reps} timed steps each")
    print(f"{'recipe':16s} {'model':18s} {'params':>9s} {'graph':>5s} {'ms/step':>8s} {'ms/eval':>8s} "
          f"{'s/epoch':>8s} {'epochs':>6s} {'fit':>5s}")
    for r in a.recipes:
        m = measure(r, device, reps, not a.no_graph, batch=2 if a.quick else 0)
        n_train, n_val, n_test = m['sizes']
        epoch = (n_train // m['batch']) * m['step'] + math.ceil((n_val + n_test) / (2 * m['batch'])) * m['eval']
        print(f"{r:16s} {m['model']:18s} {m['params']:9,d} {'yes' if m['graph'] else 'no':>5s} "
              f"{1e3 * m['step']:8.2f} {1e3 * m['eval']:8.2f} {epoch:8.1f} {m['epochs']:6d} "
              f"{int(a.budget // epoch):5d}", flush=True)


if __name__ == '__main__':
    main()
