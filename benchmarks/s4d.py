"""S4D speed and memory: s4lit's S4D layer and standalone layer against the official ones (state-spaces/s4), same run.

With S4_OFFICIAL_DIR set to a checkout of state-spaces/s4, two official modules are the baselines: the standalone
layer of models/s4/s4d.py, `S4D` (its kernel materializes exp(dt A l) as an (H, N/2, L) complex tensor; FFT
convolution, + D u, GELU, a 1x1 Conv1d to 2H and a GLU), and the bare diagonal layer of models/s4/s4.py,
`FFTConv(mode='diag', init='diag-lin', disc='zoh', activation=None)` (its Vandermonde kernel: its CUDA extension when
built, else pykeops; on CPU its naive torch code). Input (batch, H, L). s4lit's `S4DStandalone` and `S4D` get each
official module's weights (`s4lit.official.from_official`), are checked to compute the same outputs and gradients,
then both are timed with each Vandermonde backend in --backends; each s4lit row is divided by the official row of the
same module. Without S4_OFFICIAL_DIR, s4lit's modules are timed alone.

    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/s4d.py              # CUDA: batch 16, H=256, N=64, L in 1024, 4096, 16384
    S4_OFFICIAL_DIR=/path/to/s4 python benchmarks/s4d.py --device cpu --quick   # a small smoke run anywhere
    python benchmarks/s4d.py --backends matmul,torch,cuda            # also s4lit.kernels' Vandermonde backends
    python benchmarks/s4d.py --device cpu --L 16384 --reps 1 --cpu-memory   # peak memory estimated on CPU

Forward is timed under torch.no_grad(); forward+backward with the input and all parameters requiring gradients
(loss = y.sum()). Peak memory (CUDA) is the most one fwd+bwd call allocates beyond what was allocated before it
(torch.cuda.max_memory_allocated(): activations, gradients, temporaries). Times are medians over --reps runs after
warm-up. Rows marked "CUDA graph" (CUDA; --no-graphs skips them)
replay the same module from `s4lit.model.graphed` graphs, the official one too where it can be captured.
"""
from s4lit.s4d import S4D, S4DStandalone
from common import layer_args, layer_parser, layer_rows, official, s4lit_twin   # benchmarks/common.py


def with_backend(m, b):
    "`m` (an s4lit S4D or S4DStandalone) with its Vandermonde backend set to `b`."
    (m.s4d if isinstance(m, S4DStandalone) else m).kernel.backend = b
    return m


def main():
    p = layer_parser(__doc__)
    p.add_argument('--cpu-memory', action='store_true', help="on CPU, estimate the fwd+bwd peak with torch's MemTracker")
    p.add_argument('--backends', default='matmul', help="comma-separated Vandermonde backends for s4lit: matmul (default), "
                   "or s4lit.kernels' auto, torch, cuda, pykeops (auto/cuda may first compile the CUDA extension)")
    a, device, Ls = layer_args(p)
    off = official(device)
    H, N = a.H, a.N
    cases = [
        ('S4D standalone', lambda L: off.s4d.S4D(H, d_state=N, transposed=True),
         lambda L, b: with_backend(S4DStandalone(H, N, init='lin'), b),
         lambda o, b: with_backend(s4lit_twin(o, device), b)),
        ('S4D layer', lambda L: off.s4.FFTConv(H, d_state=N, mode='diag', init='diag-lin', disc='zoh', activation=None,
                                               transposed=True, backend=off.backend),
         lambda L, b: with_backend(S4D(H, N, transposed=True, init='lin'), b),
         lambda o, b: with_backend(s4lit_twin(o, device, disc='zoh'), b)),
    ]
    layer_rows(a, device, Ls, off, cases, 'S4D benchmark')


if __name__ == '__main__':
    main()
