"""Build steps for s4lit; the project's metadata is in pyproject.toml.

- Every build copies the CUDA extension's sources (`extensions/`) into the package as `s4lit/extensions/`, so a wheel
  carries them and `s4lit.kernels` can build the extension just in time wherever nvcc exists.
- `S4LIT_CUDA_EXT=1 pip install --no-build-isolation .` (or `S4LIT_CUDA_EXT=1 python setup.py build_ext --inplace`)
  also compiles the extension now, ahead of time, as `s4lit._kernels_cuda`: torch with CUDA and nvcc are needed at
  build time only, and `s4lit.kernels` loads the prebuilt module before trying a just-in-time build.
"""
import os, shutil
from pathlib import Path
from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SOURCES = ['kernels.cpp', 'kernels_cuda.cu', 'kernels.h']


class build_py_with_sources(build_py):
    "build_py, plus the CUDA sources copied into the built package."
    def run(self):
        super().run()
        dst = Path(self.build_lib)/'s4lit'/'extensions'
        dst.mkdir(parents=True, exist_ok=True)
        for f in SOURCES: shutil.copy(HERE/'extensions'/f, dst/f)


def cuda_extension():
    "The ahead-of-time build of the CUDA kernels, when S4LIT_CUDA_EXT=1."
    from torch.utils.cpp_extension import BuildExtension, CUDAExtension
    ext = CUDAExtension('s4lit._kernels_cuda', [f'extensions/{f}' for f in SOURCES if f != 'kernels.h'],
                        include_dirs=[str(HERE/'extensions')], extra_compile_args={'cxx': ['-O3'], 'nvcc': ['-O3']})
    return [ext], {'build_ext': BuildExtension}


ext_modules, cmdclass = [], {'build_py': build_py_with_sources}
if os.environ.get('S4LIT_CUDA_EXT') == '1':
    ext_modules, extra = cuda_extension()
    cmdclass.update(extra)
setup(ext_modules=ext_modules, cmdclass=cmdclass)
