"""Training step of the official S4 example: the official example's own model and optimizer against s4lit's trainer, in one run.

The official example (state-spaces/s4, example.py) trains on sequential CIFAR: a Linear encoder 3 -> 128, four blocks
of [standalone S4D (kernel, + D u, GELU, dropout, 1x1 Conv1d to 2H, GLU), dropout, residual, LayerNorm (post-norm)],
the mean over the length and a Linear decoder to 10 classes; AdamW at lr 0.01 and weight decay 0.01, with the SSM
parameters (log dt, A) at lr 0.001 and no weight decay; batch 64, L = 1024, N = 64, dropout 0.1. With S4_OFFICIAL_DIR
set to a checkout of state-spaces/s4, its `S4Model` and `setup_optimizer` are taken from its example.py itself
(benchmarks/common.py: official_example) and timed in this process; without it, s4lit's rows are timed alone.

s4lit's side is the same model as an `s4lit.model.SequenceModel` (S4D-Lin, prenorm=False, mean pooling), loaded with
the official model's weights and checked to compute the same logits (relative error at most 1e-5, TF32 off) before
anything is timed. It is stepped as
`s4lit.train.train` steps it: `Objective` (loss and correct count, bf16 autocast inside), `make_optimizer` (fused
AdamW on CUDA, the SSM parameters at lr 0.001) and, in the graph rows, `s4lit.model.graphed` (forward and backward
replayed from CUDA graphs; CUDA only).

Part 1 times full optimizer steps (zero_grad, forward, loss, backward, optimizer step) on one fixed batch: the median
over --reps groups of --group steps, after warm-up, per step. Part 2 measures samples/s of `s4lit.train.train` itself
(its `train_time` of the second epoch, --steps steps) with batches from the sCIFAR dataset (s4lit.data 'scifar', the
canonical archive or the JPEG copy, from $S4LIT_DATA or a shared/data folder), kept on the device or copied from the
host batch by batch, against the same trainer fed a synthetic dataset already on the device: if the loader were a
bottleneck, the sCIFAR rows would be slower.

Float32 matrix products and convolutions use TF32 tensor cores in every row, the official's too (cuDNN's default,
which the official 1x1 convolutions already use; s4lit's trainer turns it on for matmuls with tf32=True);
--no-tf32 turns TF32 off everywhere. cudnn.benchmark is on, as the official example sets it.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/train_step.py                        # CUDA: the official shape
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/train_step.py --device cpu --quick   # a small smoke run anywhere
"""
import contextlib, copy, dataclasses, gc, io, tempfile, time
from pathlib import Path
import torch
import torch.nn as nn
from s4lit.data import SeqDataset, find_data, get_task
from s4lit.model import SequenceModel, graphed
from s4lit.s4d import from_official_s4d
from s4lit.train import Objective, TrainConfig, make_optimizer, train
from common import REL_TOL, header, official, official_example, parser, rel_err, set_tf32, timed  # benchmarks/common.py

D_STATE = 64   # the official example's S4D layers keep their default state size


def s4lit_model(d_input, d_output, d_model, n_layers, dropout):
    "The official example's model as an s4lit `SequenceModel` (S4D-Lin, post-norm, mean pooling), freshly initialized."
    return SequenceModel(d_input, d_output, d_model=d_model, n_layers=n_layers, layer='s4d',
                         layer_kwargs=dict(d_state=D_STATE, init='lin'), prenorm=False, norm='layer', dropout=dropout, pool='mean')


def s4lit_from_official(off, d_input, d_output, d_model, n_layers, dropout):
    "A `SequenceModel` computing what the official example's S4Model `off` computes, with its weights."
    m = s4lit_model(d_input, d_output, d_model, n_layers, dropout)
    dev = next(off.parameters()).device
    with torch.no_grad():
        m.encoder.load_state_dict(off.encoder.state_dict()); m.decoder.load_state_dict(off.decoder.state_dict())
        for blk, layer, norm in zip(m.blocks, off.s4_layers, off.norms):
            sd = {k: v.cpu() for k, v in layer.state_dict().items()}
            blk.layer.load_state_dict(from_official_s4d(sd).s4d.state_dict())
            blk.out[0].weight.copy_(sd['output_linear.0.weight'][..., 0]); blk.out[0].bias.copy_(sd['output_linear.0.bias'])
            blk.norm.norm.load_state_dict(norm.state_dict())
    return m.to(dev)


def per_step(step, device, reps, group, warmup):
    "Median ms per step over `reps` groups of `group` steps, after `warmup` steps."
    def steps():
        for _ in range(group): step()
    return timed(steps, device, reps, max(1, warmup // group)) / group


def time_official(off, setup_optimizer, x, y, device, a, bf16=False):
    "ms per step of the official example's model with its own optimizer setup (its scheduler is not stepped)."
    with contextlib.redirect_stdout(io.StringIO()):   # it prints its parameter groups
        opt, _ = setup_optimizer(off, lr=0.01, weight_decay=0.01, epochs=1)
    crit = nn.CrossEntropyLoss()
    def step():
        opt.zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = crit(off(x), y)
        loss.backward()
        opt.step()
    return per_step(step, device, a.reps, a.group, a.warmup)


def time_s4lit(model, cfg, x, y, device, a, bf16, graph):
    obj = Objective(model.train(), bf16=bf16)
    fn = graphed(obj, x, y) if graph else obj
    opt = make_optimizer(model, cfg, device)
    def step():  # as s4lit.train.train steps
        loss, _ = fn(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    try: return per_step(step, device, a.reps, a.group, a.warmup)
    finally:
        if graph: fn.release()


def free(device):
    gc.collect()
    if device.type == 'cuda': torch.cuda.empty_cache()


def trainer_rate(data, cfg):
    "Training samples/s of `s4lit.train.train` in its second epoch (the first warms up); no test evaluation (until=2)."
    h = train(cfg, data, until=2)
    return cfg.limit // cfg.batch_size * cfg.batch_size / h[1]['train_time']


def main():
    p = parser(__doc__, batch=64)
    p.add_argument('--L', type=int, default=1024)
    p.add_argument('--d-model', type=int, default=128)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--dropout', type=float, default=0.1)
    p.add_argument('--group', type=int, default=5, help='steps per timed group')
    p.add_argument('--warmup', type=int, default=10, help='steps before timing')
    p.add_argument('--steps', type=int, default=150, help='trainer steps per epoch in part 2')
    p.add_argument('--no-tf32', action='store_true', help='no TF32 tensor cores for float32 matmuls and convolutions, in every row')
    p.add_argument('--no-data', action='store_true', help='skip part 2 (the trainer with the sCIFAR loader)')
    a = p.parse_args()
    if a.quick: a.batch, a.L, a.d_model, a.layers, a.reps, a.group, a.warmup, a.steps = 8, 256, 32, 2, 3, 2, 2, 4
    device = torch.device(a.device)
    cuda = device.type == 'cuda'
    torch.backends.cudnn.benchmark = True
    off_code = official(device)
    print(header('training step benchmark', device))
    print(f"# S4D x {a.layers} layers, d_model {a.d_model}, N {D_STATE}, batch {a.batch}, L {a.L}, 3 input channels, 10 classes, "
          f"dropout {a.dropout}, post-norm, AdamW (lr 0.01, wd 0.01; SSM lr 0.001, wd 0); TF32 {'off' if a.no_tf32 else 'on'}; "
          f"median of {a.reps} x {a.group} steps")

    torch.manual_seed(0)
    if off_code:
        S4Model, setup_optimizer = official_example(off_code, lr=0.01)
        off = S4Model(3, 10, d_model=a.d_model, n_layers=a.layers, dropout=a.dropout).to(device)
        off0 = copy.deepcopy(off)  # the initial weights, for each s4lit model
        mk = lambda: s4lit_from_official(off0, 3, 10, a.d_model, a.layers, a.dropout)
    else:
        mk = lambda: (torch.manual_seed(0), s4lit_model(3, 10, a.d_model, a.layers, a.dropout).to(device))[1]
    cfg = TrainConfig(task='scifar', d_model=a.d_model, n_layers=a.layers, d_state=D_STATE, layer_args='{"init": "lin"}',
                      dropout=a.dropout, prenorm=False, batch_size=a.batch, lr=0.01, ssm_lr=0.001, weight_decay=0.01,
                      warmup=0.0, tf32=not a.no_tf32, device=str(device), progress=False)
    x = torch.randn(a.batch, a.L, 3, device=device)
    y = torch.randint(0, 10, (a.batch,), device=device)
    rows = []
    if off_code:
        set_tf32(False)
        with torch.no_grad():  # the same function, or the comparison means nothing
            m = mk().eval(); off.eval()
            err = rel_err(m(x)[0], off(x))
            print(f"# same function: s4lit SequenceModel vs the official S4Model, same weights, eval mode: relative error of the logits {err:.1e} (limit {REL_TOL:.0e})")
            if not err <= REL_TOL: raise AssertionError(f"s4lit's model differs from the official example's: relative error {err:.1e}")
            del m
        off.train()
        set_tf32(not a.no_tf32)
        rows.append(('official example, fp32', time_official(off, setup_optimizer, x, y, device, a)))
        try: rows.append(('official example, bf16 autocast', time_official(off, setup_optimizer, x, y, device, a, bf16=True)))
        except Exception as e:  # the official FFTs reject bfloat16 inputs on CUDA
            rows.append(('official example, bf16 autocast', f"fails: {type(e).__name__}: {str(e).splitlines()[0][:90]}"))
        del off; free(device)
    set_tf32(not a.no_tf32)
    for graph in ((False, True) if cuda else (False,)):
        for bf16 in (False, True):
            label = f"s4lit {'CUDA graph' if graph else 'eager'}, {'bf16 autocast' if bf16 else 'fp32'}"
            rows.append((label, time_s4lit(mk(), cfg, x, y, device, a, bf16, graph)))
            free(device)
    base = rows[0][1] if off_code else None
    print("\n| training step | ms/step | samples/s | vs official |")
    print("|---|---|---|---|")
    for label, ms in rows:
        if isinstance(ms, str): print(f"| {label} | {ms} | | |")
        else: print(f"| {label} | {ms:.2f} | {a.batch / ms * 1e3:,.0f} | {f'{ms / base:.2f}x' if base else '-'} |")
    print(f"\n{off_code.note}." if off_code else "\nNo official code (S4_OFFICIAL_DIR unset): s4lit's side only.")
    del x, y; free(device)
    if a.no_data: return

    # Part 2: the trainer itself, batches from the sCIFAR dataset or from a synthetic one already on the device
    with contextlib.redirect_stdout(io.StringIO()): roots = {f: find_data(f) for f in ('cifar10', 'cifar10-jpeg')}
    root = roots['cifar10'] or roots['cifar10-jpeg']
    if root is None: print("\n# part 2 skipped: no sCIFAR data (put cifar10/ or cifar10-jpeg/ under $S4LIT_DATA)"); return
    t0 = time.time()
    scifar = {s: get_task('scifar', s, root=root) for s in ('train', 'val', 'test')}
    tr = scifar['train']
    print(f"\n# sCIFAR from {root/('cifar10' if roots['cifar10'] else 'cifar10-jpeg')}: {len(tr)} training sequences of "
          f"{tr.L} x {tr.d_input} {tr.x.dtype} (read and decoded, or taken from the cache, in {time.time() - t0:.1f} s, once)")
    n = a.steps * a.batch
    syn = {s: SeqDataset(torch.randn(k, 1024, 3), torch.randint(0, 10, (k,)), name='synthetic', d_input=3, n_classes=10)
           for s, k in (('train', n), ('val', 2 * a.batch), ('test', 2 * a.batch))}
    out, runs = Path(tempfile.mkdtemp()), []
    for bf16 in (False, True):
        prec = 'bf16 autocast' if bf16 else 'fp32'
        for label, data, frac in ((f'synthetic, already on the {device.type}', syn, 0.5),
                                  (f'sCIFAR, kept on the {device.type}', scifar, 0.5),
                                  ('sCIFAR, on the host, copied batch by batch', scifar, 0.0)):
            if frac == 0.0 and not cuda: continue
            c = dataclasses.replace(cfg, epochs=3, limit=n, eval_limit=2 * a.batch, bf16=bf16, device_data=frac,
                                    out=str(out/f'{len(runs)}'))
            runs.append((label, prec, trainer_rate(data, c)))
            free(device)
    print(f"\n| s4lit.train.train{' (CUDA graphs)' if cuda else ''}, L 1024, {a.steps} steps of {a.batch} "
          "| precision | samples/s | vs synthetic |")
    print("|---|---|---|---|")
    for label, prec, rate in runs:
        syn_rate = next(r for l, pr, r in runs if pr == prec and l.startswith('synthetic'))
        print(f"| {label} | {prec} | {rate:,.0f} | {rate / syn_rate:.2f}x |")


if __name__ == '__main__':
    main()
