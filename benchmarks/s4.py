"""S4 speed and memory: s4lit's S4 layer and block against the official ones (state-spaces/s4), in the same run.

With S4_OFFICIAL_DIR set to a checkout of state-spaces/s4, two official modules of models/s4/s4.py are the baselines:
the bare layer, `FFTConv(mode='dplr', activation=None)` (the kernel from the DPLR SSM by its Cauchy kernel, FFT
convolution, + D u), and the standalone block, `S4Block(mode='dplr')` (the same, then GELU, a linear map to 2H and a
GLU). Both run channels first, (batch, H, L), with `l_max = L`, and the official Cauchy kernel is what its code picks:
its CUDA extension when built, else pykeops; on CPU its naive torch code. s4lit's `S4` and `S4Standalone` get each
official module's weights (`s4lit.official.from_official`, after one official call has made its C~ for L), are checked
to compute the same outputs and gradients, then both are timed; each s4lit row is divided by the official row above
it. Without S4_OFFICIAL_DIR, s4lit's modules are timed alone.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/s4.py              # CUDA: batch 16, H=256, N=64, L in 1024, 4096, 16384
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/s4.py --device cpu --quick   # a small smoke run anywhere
    python benchmarks/s4.py --backends auto,cuda,torch                # s4lit's Cauchy backends, one row each

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.sum()). Peak memory (CUDA) is the most one fwd+bwd call allocates beyond what was allocated before it
(torch.cuda.max_memory_allocated(): activations, gradients, temporaries). Times are medians over --reps runs after
warm-up. Rows marked "CUDA graph" (CUDA; --no-graphs skips them)
replay the same module from `s4lit.model.graphed` graphs, the official one too where it can be captured.
"""
from s4lit.s4 import S4
from s4lit.official import S4Standalone
from common import layer_args, layer_parser, layer_rows, official, s4lit_twin   # benchmarks/common.py


def main():
    p = layer_parser(__doc__)
    p.add_argument('--backends', default='auto', help="s4lit's Cauchy backends, comma-separated: auto, cuda, torch, pykeops, naive")
    a, device, Ls = layer_args(p)
    off = official(device)
    H, N = a.H, a.N
    cases = [
        ('S4 layer', lambda L: off.s4.FFTConv(H, d_state=N, l_max=L, mode='dplr', activation=None, transposed=True, backend=off.backend),
         lambda L, b: S4(H, N, l_max=L, transposed=True, backend=b),
         lambda o, b: s4lit_twin(o, device, backend=b)),
        ('S4 block', lambda L: off.s4.S4Block(H, d_state=N, l_max=L, mode='dplr', transposed=True, backend=off.backend),
         lambda L, b: S4Standalone(H, N, l_max=L, backend=b),
         lambda o, b: s4lit_twin(o, device, backend=b)),
    ]
    layer_rows(a, device, Ls, off, cases, 'S4 benchmark')


if __name__ == '__main__':
    main()
