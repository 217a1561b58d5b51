// s4lit CUDA kernels: plain-CUDA launchers (no torch headers), shared by kernels.cpp and kernels_cuda.cu.
// All complex arrays are interleaved float32 pairs (torch complex64), row-major and contiguous.
#pragma once
#include <cuda_runtime.h>

// Length of the L-segment that one Vandermonde backward block reduces; that launcher writes one partial sum
// per segment: s1, s2 have shape (ceil(L / S4LIT_BWD_SEG), B, N) complex.
#define S4LIT_BWD_SEG 1024

// y[b,l] = sum_n v[b,n] / (z[b',l] - w[b,n]) (+ conj(v)/(z - conj(w)) if conj); z row stride z_bstride (0 or L).
void s4lit_cauchy_fwd(const float* v, const float* z, const float* w, float* y,
                      int B, int N, int L, int z_bstride, bool conj, cudaStream_t stream);
// grad_v = s1 and grad_w = conj(v) s2 (each (B, N)), with s1 = sum_l g conj(r1) (+ conj(g) r2),
// s2 = sum_l g conj(r1)^2 (+ conj(g) r2^2), r1 = 1/(z - w), r2 = 1/(z - conj w). `work` holds
// s4lit_cauchy_bwd_runs(B, N, L) * B * N * 4 floats when that count is above 1 (else it may be null).
int s4lit_cauchy_bwd_runs(int B, int N, int L);
void s4lit_cauchy_bwd(const float* v, const float* z, const float* w, const float* g, float* dv, float* dw,
                      float* work, int B, int N, int L, int z_bstride, bool conj, cudaStream_t stream);
// y[b,l] = sum_n v[b,n] exp(x[b,n] l); if conj, y is real (float) and holds 2 Re of that sum.
void s4lit_vandermonde_fwd(const float* v, const float* x, float* y, int B, int N, int L, bool conj, cudaStream_t stream);
// Partial sums over L-segments of s1 = sum_l g conj(e), s2 = sum_l g l conj(e), e = exp(x l); g is real
// (and counted twice: the gradient of 2 Re) if conj, complex otherwise. grad_v = s1, grad_x = conj(v) s2.
void s4lit_vandermonde_bwd(const float* v, const float* x, const float* g, float* s1, float* s2,
                           int B, int N, int L, bool conj, cudaStream_t stream);
