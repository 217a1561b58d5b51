"""S4 / S4D vs Liquid-S4 (pb and kb) on one real task, same model size, budget and seed: accuracy and time per epoch.

Each run is `s4lit.train.train(TrainConfig(...))` with model 's4d', 's4' or 'liquid' (the liquid layer's options go
through TrainConfig.layer_args); only the layer differs. Liquid-S4 on S4D uses bilinear discretization, so that
baseline is S4D with disc='bilinear' as well; on S4 (base 's4') the baseline is the S4 layer.

    python benchmarks/liquid_experiment.py --task fsdd --epochs 20            # GPU: raw 8 kHz spoken digits, L = 8000
    python benchmarks/liquid_experiment.py --task smnist --epochs 10
    python benchmarks/liquid_experiment.py --task fsdd --models s4,liquid-s4-pb2,liquid-s4-kb2
    python benchmarks/liquid_experiment.py --task fsdd --quick --device cpu   # a smoke run on a few examples

Prints one row per model: best validation accuracy, test accuracy (of the best-validation checkpoint), mean seconds
per epoch (evaluation included, and the first epoch's compiling) and the median seconds of training per epoch.
Logs and checkpoints go to <--out-root>/<task>-<label>/ (default runs/liquid-exp).
"""
import argparse, datetime, json, statistics
import torch
from s4lit.train import TrainConfig, train

MODELS = {  # label: (model, layer options)
    's4d': ('s4d', {'disc': 'bilinear'}),
    'liquid-pb2': ('liquid', {'liquid_kernel': 'pb', 'liquid_degree': 2}),
    'liquid-kb2': ('liquid', {'liquid_kernel': 'kb', 'liquid_degree': 2}),
    'liquid-kb3': ('liquid', {'liquid_kernel': 'kb', 'liquid_degree': 3}),
    'liquid-kb2-allcombs': ('liquid', {'liquid_kernel': 'kb', 'liquid_degree': 2, 'products': 'allcombs'}),
    's4': ('s4', {}),
    'liquid-s4-pb2': ('liquid', {'base': 's4', 'liquid_kernel': 'pb', 'liquid_degree': 2}),
    'liquid-s4-kb2': ('liquid', {'base': 's4', 'liquid_kernel': 'kb', 'liquid_degree': 2}),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--task', default='fsdd')
    ap.add_argument('--models', default='s4d,liquid-pb2,liquid-kb2', help=f"comma-separated, from: {', '.join(MODELS)}")
    ap.add_argument('--epochs', type=int, default=20)
    ap.add_argument('--d-model', type=int, default=64)
    ap.add_argument('--n-layers', type=int, default=4)
    ap.add_argument('--d-state', type=int, default=64)
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--lr', type=float, default=4e-3)
    ap.add_argument('--data', default='', help='data root (see s4lit.data)')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--bf16', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out-root', default='runs/liquid-exp')
    ap.add_argument('--quick', action='store_true', help='2 epochs on 64 training / 32 evaluation examples, small model')
    args = ap.parse_args()
    labels = args.models.split(',')
    if bad := [m for m in labels if m not in MODELS]: ap.error(f"unknown models {bad}; known: {', '.join(MODELS)}")
    common = dict(task=args.task, epochs=args.epochs, d_model=args.d_model, n_layers=args.n_layers, d_state=args.d_state,
                  batch_size=args.batch_size, lr=args.lr, data=args.data, device=args.device, bf16=args.bf16, seed=args.seed)
    if args.quick: common.update(epochs=2, d_model=16, n_layers=2, d_state=16, limit=64, eval_limit=32, batch_size=16)
    rows = []
    for label in labels:
        model, opts = MODELS[label]
        cfg = TrainConfig(model=model, layer_args=json.dumps(opts), out=f'{args.out_root}/{{task}}-{label}', **common)
        print(f"== {label}: {cfg.model} {opts}", flush=True)
        hist = train(cfg)
        epochs, final = [h for h in hist if 'epoch' in h], hist[-1]
        rows.append((label, json.dumps(opts), final['best_val_acc'], final['test_acc'],
                     sum(h['epoch_time'] for h in epochs) / len(epochs), statistics.median(h['train_time'] for h in epochs)))
    dev = torch.cuda.get_device_name() if torch.cuda.is_available() and args.device in ('auto', 'cuda') else 'cpu'
    print(f"\n# {args.task}: {common['epochs']} epochs, d_model {common['d_model']}, {common['n_layers']} layers, "
          f"N={common['d_state']}, batch {common['batch_size']}, seed {args.seed}; {dev}, "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"| model | layer options | best val acc | test acc | s / epoch (mean, with evaluation and compiling) | "
          f"training s / epoch (median) |\n|---|---|---|---|---|---|")
    for label, opts, val, test, t, tm in rows: print(f"| {label} | `{opts}` | {val:.4f} | {test:.4f} | {t:.1f} | {tm:.2f} |")


if __name__ == '__main__':
    main()
