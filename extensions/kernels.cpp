// Torch bindings of the s4lit CUDA kernels (kernels_cuda.cu). Shapes are checked again in Python with better messages;
// these checks guard direct use of the extension.
#include <torch/extension.h>
#include <c10/cuda/CUDAGuard.h>
#include <ATen/cuda/CUDAContext.h>
#include "kernels.h"

namespace {

void check(const torch::Tensor& t, const char* name, int dim) {
  TORCH_CHECK(t.is_cuda(), "s4lit CUDA kernel: ", name, " must be a CUDA tensor, got device ", t.device());
  TORCH_CHECK(t.scalar_type() == torch::kComplexFloat, "s4lit CUDA kernel: ", name, " must be complex64, got ", t.scalar_type());
  TORCH_CHECK(t.dim() == dim, "s4lit CUDA kernel: ", name, " must have ", dim, " dims, got shape ", t.sizes());
  TORCH_CHECK(t.is_contiguous(), "s4lit CUDA kernel: ", name, " must be contiguous");
}

const float* f(const torch::Tensor& t) { return reinterpret_cast<const float*>(t.data_ptr()); }
float* f(torch::Tensor& t) { return reinterpret_cast<float*>(t.data_ptr()); }

// v, w: (B, N); z: (Bz, L) with Bz 1 or B. Returns y (B, L).
torch::Tensor cauchy_fwd(torch::Tensor v, torch::Tensor z, torch::Tensor w, bool conj) {
  check(v, "v", 2); check(z, "z", 2); check(w, "w", 2);
  TORCH_CHECK(v.sizes() == w.sizes(), "s4lit CUDA kernel: v and w shapes differ: ", v.sizes(), " vs ", w.sizes());
  const int64_t B = v.size(0), N = v.size(1), L = z.size(1);
  TORCH_CHECK(z.size(0) == 1 || z.size(0) == B, "s4lit CUDA kernel: z must have 1 or ", B, " rows, got ", z.size(0));
  const c10::cuda::CUDAGuard guard(v.device());
  auto y = torch::empty({B, L}, v.options());
  if (B * L == 0) return y;
  s4lit_cauchy_fwd(f(v), f(z), f(w), f(y), B, N, L, z.size(0) == 1 ? 0 : L, conj, at::cuda::getCurrentCUDAStream());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return y;
}

// Returns (grad_v, grad_w), each (B, N).
std::vector<torch::Tensor> cauchy_bwd(torch::Tensor v, torch::Tensor z, torch::Tensor w, torch::Tensor g, bool conj) {
  check(v, "v", 2); check(z, "z", 2); check(w, "w", 2); check(g, "grad", 2);
  const int64_t B = v.size(0), N = v.size(1), L = z.size(1);
  TORCH_CHECK(g.size(0) == B && g.size(1) == L, "s4lit CUDA kernel: grad must be (", B, ", ", L, "), got ", g.sizes());
  const c10::cuda::CUDAGuard guard(v.device());
  if (B * L * N == 0) return {torch::zeros_like(v), torch::zeros_like(v)};
  auto dv = torch::empty_like(v), dw = torch::empty_like(v);
  const int64_t runs = s4lit_cauchy_bwd_runs(B, N, L);
  torch::Tensor work;
  if (runs > 1) work = torch::empty({runs * B * N * 4}, v.options().dtype(torch::kFloat));
  s4lit_cauchy_bwd(f(v), f(z), f(w), f(g), f(dv), f(dw), runs > 1 ? work.data_ptr<float>() : nullptr,
                   B, N, L, z.size(0) == 1 ? 0 : L, conj, at::cuda::getCurrentCUDAStream());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return {dv, dw};
}

// v, x: (B, N). Returns (B, L): complex64, or float32 holding 2 Re if conj.
torch::Tensor vandermonde_fwd(torch::Tensor v, torch::Tensor x, int64_t L, bool conj) {
  check(v, "v", 2); check(x, "x", 2);
  TORCH_CHECK(v.sizes() == x.sizes(), "s4lit CUDA kernel: v and x shapes differ: ", v.sizes(), " vs ", x.sizes());
  TORCH_CHECK(L >= 1, "s4lit CUDA kernel: L must be >= 1, got ", L);
  const int64_t B = v.size(0), N = v.size(1);
  const c10::cuda::CUDAGuard guard(v.device());
  auto y = conj ? torch::empty({B, L}, v.options().dtype(torch::kFloat)) : torch::empty({B, L}, v.options());
  if (B == 0) return y;
  s4lit_vandermonde_fwd(f(v), f(x), f(y), B, N, L, conj, at::cuda::getCurrentCUDAStream());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return y;
}

// g: (B, L), float32 if conj else complex64. Returns (s1, s2): grad_v = s1, grad_x = conj(v) * s2.
std::vector<torch::Tensor> vandermonde_bwd(torch::Tensor v, torch::Tensor x, torch::Tensor g, bool conj) {
  check(v, "v", 2); check(x, "x", 2);
  TORCH_CHECK(g.is_cuda() && g.is_contiguous() && g.dim() == 2, "s4lit CUDA kernel: grad must be a contiguous 2-d CUDA tensor");
  TORCH_CHECK(g.scalar_type() == (conj ? torch::kFloat : torch::kComplexFloat), "s4lit CUDA kernel: grad has dtype ", g.scalar_type());
  const int64_t B = v.size(0), N = v.size(1), L = g.size(1);
  const c10::cuda::CUDAGuard guard(v.device());
  const int64_t P = (L + S4LIT_BWD_SEG - 1) / S4LIT_BWD_SEG;
  auto s1 = torch::empty({P, B, N}, v.options()), s2 = torch::empty({P, B, N}, v.options());
  if (B * L * N == 0) return {torch::zeros_like(v), torch::zeros_like(v)};
  s4lit_vandermonde_bwd(f(v), f(x), reinterpret_cast<const float*>(g.data_ptr()), f(s1), f(s2), B, N, L, conj,
                        at::cuda::getCurrentCUDAStream());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return {s1.sum(0), s2.sum(0)};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("cauchy_fwd", &cauchy_fwd, "Cauchy kernel forward (complex64)");
  m.def("cauchy_bwd", &cauchy_bwd, "Cauchy kernel backward: (grad_v, grad_w) (complex64)");
  m.def("vandermonde_fwd", &vandermonde_fwd, "Vandermonde kernel forward (complex64)");
  m.def("vandermonde_bwd", &vandermonde_bwd, "Vandermonde kernel backward partial sums (complex64)");
}
