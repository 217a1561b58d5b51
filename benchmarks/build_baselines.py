"""Build the two baselines the GPU benchmarks time s4lit against, from their own sources, with their own flags.

    S4_OFFICIAL_DIR=/path/to/s4 MAMBA_SRC=/path/to/mamba MAMBA_SSM_DIR=/tmp/mamba-build \\
        python benchmarks/build_baselines.py            # about 60 s (official) and 150 s (mamba-ssm) on 16 cores

- The official S4 extension (`structured_kernels`: its Cauchy and Vandermonde kernels): `python setup.py build_ext
  --inplace` in `$S4_OFFICIAL_DIR/extensions/kernels`, as its README says, and a copy of the module in
  `$S4_EXT_DIR` (default /tmp/s4-official-ext); put either folder on PYTHONPATH.
- mamba-ssm's selective scan (`selective_scan_cuda`): the sources and nvcc flags of its setup.py, compiled with
  torch.utils.cpp_extension.load into `$MAMBA_SSM_DIR`, which `benchmarks/mamba.py` adds to sys.path. Only sm_90
  (`TORCH_CUDA_ARCH_LIST`, default 9.0) is built, where its setup.py builds every architecture it knows.
Either is skipped when its variable is unset. Both builds run at once.
"""
import glob, os, shutil, subprocess, sys, threading

def build_official(root):
    d = os.path.join(root, 'extensions', 'kernels')
    r = subprocess.run([sys.executable, 'setup.py', 'build_ext', '--inplace'], cwd=d, capture_output=True, text=True)
    print(f"official S4 extension in {d}: {'built' if r.returncode == 0 else 'FAILED'}")
    if r.returncode: print(r.stdout[-2000:], r.stderr[-2000:]); return
    # a copy outside the checkout: a tool that copies the checkout again (a new working tree) does not remove it
    out = os.environ.get('S4_EXT_DIR', '/tmp/s4-official-ext')
    os.makedirs(out, exist_ok=True)
    for f in glob.glob(os.path.join(d, 'structured_kernels*.so')): shutil.copy2(f, out)
    print(f"official S4 extension also in {out} (put it on PYTHONPATH)")

def build_mamba(src, out):
    import torch.utils.cpp_extension as ce
    d = os.path.join(src, 'csrc', 'selective_scan')
    files = [os.path.join(d, 'selective_scan.cpp')] + sorted(glob.glob(os.path.join(d, 'selective_scan_*.cu')))
    arch = os.environ.get('TORCH_CUDA_ARCH_LIST', '9.0').replace('.', '')
    flags = ['-O3', '-std=c++17', '-U__CUDA_NO_HALF_OPERATORS__', '-U__CUDA_NO_HALF_CONVERSIONS__',
             '-U__CUDA_NO_BFLOAT16_OPERATORS__', '-U__CUDA_NO_BFLOAT16_CONVERSIONS__',
             '-U__CUDA_NO_BFLOAT162_OPERATORS__', '-U__CUDA_NO_BFLOAT162_CONVERSIONS__',
             '--expt-relaxed-constexpr', '--expt-extended-lambda', '--use_fast_math', '-lineinfo',
             '-gencode', f'arch=compute_{arch},code=sm_{arch}']
    os.makedirs(out, exist_ok=True)
    ce.load('selective_scan_cuda', files, extra_cflags=['-O3', '-std=c++17'], extra_cuda_cflags=flags,
            extra_include_paths=[d], build_directory=out, verbose=False)
    print(f"mamba-ssm selective_scan_cuda in {out}: built")

if __name__ == '__main__':
    jobs = []
    if os.environ.get('S4_OFFICIAL_DIR'):
        jobs.append(threading.Thread(target=build_official, args=(os.environ['S4_OFFICIAL_DIR'],)))
    else: print('S4_OFFICIAL_DIR unset: the official extension is not built')
    if os.environ.get('MAMBA_SRC') and os.environ.get('MAMBA_SSM_DIR'):
        jobs.append(threading.Thread(target=build_mamba, args=(os.environ['MAMBA_SRC'], os.environ['MAMBA_SSM_DIR'])))
    else: print('MAMBA_SRC or MAMBA_SSM_DIR unset: mamba-ssm is not built')
    for j in jobs: j.start()
    for j in jobs: j.join()
