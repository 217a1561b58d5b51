// s4lit Cauchy and Vandermonde kernels (complex64), forward and backward.
// Design (see nbs/02_kernels.ipynb): forward = one thread per few outputs l, looping over the N poles held in
// shared memory; the conjugate pair is folded into one fraction so each term costs one reciprocal and no branch.
// Backward = one lane per pole n, one block per (L-segment, batch row): the block stages its segment of the output
// gradient in shared memory once and every lane reads it by broadcast; partial sums per segment go to global memory.
#include <cuda_runtime.h>
#include "kernels.h"

namespace {

constexpr int FWD_THREADS = 256;
constexpr int FWD_ITEMS = 4;   // outputs per thread
constexpr int FWD_TILE = 256;  // poles staged in shared memory at a time
constexpr int BWD_WARPS = 8;
constexpr int MAX_GRID_Y = 65535;  // batch rows per launch
constexpr double TWO_PI = 6.283185307179586;

__device__ __forceinline__ float rcp(float x) {
  float r;
  asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
  return r;
}

// exp(x l) with the phase reduced in double precision, so that a long L does not lose the phase to rounding.
__device__ __forceinline__ float2 exp_xl(float xr, float xi, int l) {
  double th = (double)xi * (double)l;
  th = fma(-rint(th * (1.0 / TWO_PI)), TWO_PI, th);
  float s, c;
  sincosf((float)th, &s, &c);
  float m = expf(xr * (float)l);
  return make_float2(m * c, m * s);
}

template <bool CONJ>
__global__ void __launch_bounds__(FWD_THREADS)
cauchy_fwd_kernel(const float2* __restrict__ v, const float2* __restrict__ z, const float2* __restrict__ w,
                  float2* __restrict__ y, int N, int L, int zb, int b0) {
  __shared__ float4 coef[FWD_TILE];
  const int b = b0 + blockIdx.y;
  const int lbase = blockIdx.x * FWD_THREADS * FWD_ITEMS + threadIdx.x;
  const float2* zrow = z + (size_t)b * zb;
  float zr[FWD_ITEMS], zi[FWD_ITEMS], zi2[FWD_ITEMS], ar[FWD_ITEMS], ai[FWD_ITEMS];
#pragma unroll
  for (int k = 0; k < FWD_ITEMS; ++k) {
    const int l = lbase + k * FWD_THREADS;
    const float2 zz = l < L ? zrow[l] : make_float2(0.f, 0.f);
    zr[k] = zz.x; zi[k] = zz.y; zi2[k] = 2.f * zz.y; ar[k] = 0.f; ai[k] = 0.f;
  }
  for (int n0 = 0; n0 < N; n0 += FWD_TILE) {
    const int nt = min(FWD_TILE, N - n0);
    __syncthreads();
    for (int i = threadIdx.x; i < nt; i += FWD_THREADS) {
      const float2 vv = v[(size_t)b * N + n0 + i], ww = w[(size_t)b * N + n0 + i];
      // CONJ: v/(z-w) + conj(v)/(z-conj w) = (2 vr dr - 2 vi wi + i 2 vr zi) / ((dr + i a)(dr + i b)),
      // with dr = zr - wr, a = zi - wi, b = zi + wi.
      coef[i] = CONJ ? make_float4(ww.x, ww.y, 2.f * vv.x, -2.f * vv.y * ww.y) : make_float4(ww.x, ww.y, vv.x, vv.y);
    }
    __syncthreads();
    for (int i = 0; i < nt; ++i) {
      const float4 c = coef[i];
#pragma unroll
      for (int k = 0; k < FWD_ITEMS; ++k) {
        if (CONJ) {
          const float dr = zr[k] - c.x, a = zi[k] - c.y, bb = zi[k] + c.y;
          const float qr = fmaf(dr, dr, -a * bb), qi = dr * zi2[k];
          const float pr = fmaf(c.z, dr, c.w), pi = c.z * zi[k];
          const float s = rcp(fmaf(qr, qr, qi * qi));
          ar[k] = fmaf(fmaf(pr, qr, pi * qi), s, ar[k]);
          ai[k] = fmaf(fmaf(pi, qr, -pr * qi), s, ai[k]);
        } else {
          const float dr = zr[k] - c.x, di = zi[k] - c.y;
          const float s = rcp(fmaf(dr, dr, di * di));
          ar[k] = fmaf(fmaf(c.z, dr, c.w * di), s, ar[k]);
          ai[k] = fmaf(fmaf(c.w, dr, -c.z * di), s, ai[k]);
        }
      }
    }
  }
#pragma unroll
  for (int k = 0; k < FWD_ITEMS; ++k) {
    const int l = lbase + k * FWD_THREADS;
    if (l < L) y[(size_t)b * L + l] = make_float2(ar[k], ai[k]);
  }
}

// Sum the per-warp partials of a block and write them for lane n.
__device__ __forceinline__ void block_reduce_write(float4 acc, float4 (*red)[32], float2* s1, float2* s2,
                                                   size_t off, bool valid) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  red[warp][lane] = acc;
  __syncthreads();
  if (warp == 0) {
    float4 t = red[0][lane];
    for (int j = 1; j < BWD_WARPS; ++j) {
      const float4 u = red[j][lane];
      t.x += u.x; t.y += u.y; t.z += u.z; t.w += u.w;
    }
    if (valid) { s1[off] = make_float2(t.x, t.y); s2[off] = make_float2(t.z, t.w); }
  }
}

template <bool CONJ>
__global__ void __launch_bounds__(BWD_WARPS * 32)
cauchy_bwd_kernel(const float2* __restrict__ z, const float2* __restrict__ w, const float2* __restrict__ g,
                  float2* __restrict__ s1, float2* __restrict__ s2, int B, int N, int L, int zb, int b0) {
  __shared__ float2 gs[S4LIT_BWD_SEG], zs[S4LIT_BWD_SEG];
  __shared__ float4 red[BWD_WARPS][32];
  const int seg = blockIdx.x, b = b0 + blockIdx.y;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, n = blockIdx.z * 32 + lane;
  const int lbeg = seg * S4LIT_BWD_SEG, cnt = min(S4LIT_BWD_SEG, L - lbeg);
  for (int i = threadIdx.x; i < cnt; i += BWD_WARPS * 32) {
    gs[i] = g[(size_t)b * L + lbeg + i];
    zs[i] = z[(size_t)b * zb + lbeg + i];
  }
  __syncthreads();
  const float2 ww = n < N ? w[(size_t)b * N + n] : make_float2(0.f, 1.f);
  float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);  // (s1, s2)
  for (int i = warp; i < cnt; i += BWD_WARPS) {
    const float2 zz = zs[i], gg = gs[i];
    const float dr = zz.x - ww.x;
    {  // pole w: rho = conj(1/(z-w)), t = g rho, s1 += t, s2 += t rho
      const float a = zz.y - ww.y, s = rcp(fmaf(dr, dr, a * a));
      const float pr = dr * s, pi = a * s;
      const float tr = fmaf(gg.x, pr, -gg.y * pi), ti = fmaf(gg.x, pi, gg.y * pr);
      acc.x += tr; acc.y += ti;
      acc.z = fmaf(tr, pr, fmaf(-ti, pi, acc.z));
      acc.w = fmaf(tr, pi, fmaf(ti, pr, acc.w));
    }
    if (CONJ) {  // pole conj(w): conj(g)/(z - conj w) = conj(g rho2), likewise squared
      const float a = zz.y + ww.y, s = rcp(fmaf(dr, dr, a * a));
      const float pr = dr * s, pi = a * s;
      const float tr = fmaf(gg.x, pr, -gg.y * pi), ti = fmaf(gg.x, pi, gg.y * pr);
      acc.x += tr; acc.y -= ti;
      acc.z = fmaf(tr, pr, fmaf(-ti, pi, acc.z));
      acc.w = fmaf(-tr, pi, fmaf(-ti, pr, acc.w));
    }
  }
  block_reduce_write(acc, red, s1, s2, ((size_t)seg * B + b) * N + n, n < N);
}

template <bool CONJ>
__global__ void __launch_bounds__(FWD_THREADS)
vandermonde_fwd_kernel(const float2* __restrict__ v, const float2* __restrict__ x, float* __restrict__ y, int N, int L, int b0) {
  __shared__ float4 coef[FWD_TILE];
  const int b = b0 + blockIdx.y;
  const int lbase = blockIdx.x * FWD_THREADS * FWD_ITEMS + threadIdx.x;
  float ar[FWD_ITEMS], ai[FWD_ITEMS];
#pragma unroll
  for (int k = 0; k < FWD_ITEMS; ++k) { ar[k] = 0.f; ai[k] = 0.f; }
  for (int n0 = 0; n0 < N; n0 += FWD_TILE) {
    const int nt = min(FWD_TILE, N - n0);
    __syncthreads();
    for (int i = threadIdx.x; i < nt; i += FWD_THREADS) {
      const float2 vv = v[(size_t)b * N + n0 + i], xx = x[(size_t)b * N + n0 + i];
      coef[i] = make_float4(xx.x, xx.y, vv.x, vv.y);
    }
    __syncthreads();
    for (int i = 0; i < nt; ++i) {
      const float4 c = coef[i];
#pragma unroll
      for (int k = 0; k < FWD_ITEMS; ++k) {
        const int l = lbase + k * FWD_THREADS;
        const float2 e = exp_xl(c.x, c.y, l);
        ar[k] = fmaf(c.z, e.x, fmaf(-c.w, e.y, ar[k]));
        ai[k] = fmaf(c.z, e.y, fmaf(c.w, e.x, ai[k]));
      }
    }
  }
#pragma unroll
  for (int k = 0; k < FWD_ITEMS; ++k) {
    const int l = lbase + k * FWD_THREADS;
    if (l < L) {
      if (CONJ) y[(size_t)b * L + l] = 2.f * ar[k];
      else reinterpret_cast<float2*>(y)[(size_t)b * L + l] = make_float2(ar[k], ai[k]);
    }
  }
}

template <bool CONJ>
__global__ void __launch_bounds__(BWD_WARPS * 32)
vandermonde_bwd_kernel(const float2* __restrict__ x, const float* __restrict__ g,
                       float2* __restrict__ s1, float2* __restrict__ s2, int B, int N, int L, int b0) {
  __shared__ float2 gs[S4LIT_BWD_SEG];
  __shared__ float4 red[BWD_WARPS][32];
  const int seg = blockIdx.x, b = b0 + blockIdx.y;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, n = blockIdx.z * 32 + lane;
  const int lbeg = seg * S4LIT_BWD_SEG, cnt = min(S4LIT_BWD_SEG, L - lbeg);
  for (int i = threadIdx.x; i < cnt; i += BWD_WARPS * 32)
    gs[i] = CONJ ? make_float2(2.f * g[(size_t)b * L + lbeg + i], 0.f)
                 : reinterpret_cast<const float2*>(g)[(size_t)b * L + lbeg + i];
  __syncthreads();
  const float2 xx = n < N ? x[(size_t)b * N + n] : make_float2(0.f, 0.f);
  float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
  for (int i = warp; i < cnt; i += BWD_WARPS) {
    const int l = lbeg + i;
    const float2 gg = gs[i], e = exp_xl(xx.x, xx.y, l);
    const float tr = fmaf(gg.x, e.x, gg.y * e.y), ti = fmaf(gg.y, e.x, -gg.x * e.y);  // g conj(e)
    acc.x += tr; acc.y += ti;
    acc.z = fmaf((float)l, tr, acc.z); acc.w = fmaf((float)l, ti, acc.w);
  }
  block_reduce_write(acc, red, s1, s2, ((size_t)seg * B + b) * N + n, n < N);
}

}  // namespace

void s4lit_cauchy_fwd(const float* v, const float* z, const float* w, float* y,
                      int B, int N, int L, int z_bstride, bool conj, cudaStream_t stream) {
  for (int b0 = 0; b0 < B; b0 += MAX_GRID_Y) {
    const dim3 grid((L + FWD_THREADS * FWD_ITEMS - 1) / (FWD_THREADS * FWD_ITEMS), min(B - b0, MAX_GRID_Y));
    auto v2 = reinterpret_cast<const float2*>(v); auto z2 = reinterpret_cast<const float2*>(z);
    auto w2 = reinterpret_cast<const float2*>(w); auto y2 = reinterpret_cast<float2*>(y);
    if (conj) cauchy_fwd_kernel<true><<<grid, FWD_THREADS, 0, stream>>>(v2, z2, w2, y2, N, L, z_bstride, b0);
    else cauchy_fwd_kernel<false><<<grid, FWD_THREADS, 0, stream>>>(v2, z2, w2, y2, N, L, z_bstride, b0);
  }
}

void s4lit_cauchy_bwd(const float* v, const float* z, const float* w, const float* g, float* s1, float* s2,
                      int B, int N, int L, int z_bstride, bool conj, cudaStream_t stream) {
  (void)v;
  for (int b0 = 0; b0 < B; b0 += MAX_GRID_Y) {
    const dim3 grid((L + S4LIT_BWD_SEG - 1) / S4LIT_BWD_SEG, min(B - b0, MAX_GRID_Y), (N + 31) / 32);
    auto z2 = reinterpret_cast<const float2*>(z); auto w2 = reinterpret_cast<const float2*>(w);
    auto g2 = reinterpret_cast<const float2*>(g);
    auto a = reinterpret_cast<float2*>(s1); auto c = reinterpret_cast<float2*>(s2);
    if (conj) cauchy_bwd_kernel<true><<<grid, BWD_WARPS * 32, 0, stream>>>(z2, w2, g2, a, c, B, N, L, z_bstride, b0);
    else cauchy_bwd_kernel<false><<<grid, BWD_WARPS * 32, 0, stream>>>(z2, w2, g2, a, c, B, N, L, z_bstride, b0);
  }
}

void s4lit_vandermonde_fwd(const float* v, const float* x, float* y, int B, int N, int L, bool conj, cudaStream_t stream) {
  for (int b0 = 0; b0 < B; b0 += MAX_GRID_Y) {
    const dim3 grid((L + FWD_THREADS * FWD_ITEMS - 1) / (FWD_THREADS * FWD_ITEMS), min(B - b0, MAX_GRID_Y));
    auto v2 = reinterpret_cast<const float2*>(v); auto x2 = reinterpret_cast<const float2*>(x);
    if (conj) vandermonde_fwd_kernel<true><<<grid, FWD_THREADS, 0, stream>>>(v2, x2, y, N, L, b0);
    else vandermonde_fwd_kernel<false><<<grid, FWD_THREADS, 0, stream>>>(v2, x2, y, N, L, b0);
  }
}

void s4lit_vandermonde_bwd(const float* v, const float* x, const float* g, float* s1, float* s2,
                           int B, int N, int L, bool conj, cudaStream_t stream) {
  (void)v;
  for (int b0 = 0; b0 < B; b0 += MAX_GRID_Y) {
    const dim3 grid((L + S4LIT_BWD_SEG - 1) / S4LIT_BWD_SEG, min(B - b0, MAX_GRID_Y), (N + 31) / 32);
    auto x2 = reinterpret_cast<const float2*>(x);
    auto a = reinterpret_cast<float2*>(s1); auto c = reinterpret_cast<float2*>(s2);
    if (conj) vandermonde_bwd_kernel<true><<<grid, BWD_WARPS * 32, 0, stream>>>(x2, g, a, c, B, N, L, b0);
    else vandermonde_bwd_kernel<false><<<grid, BWD_WARPS * 32, 0, stream>>>(x2, g, a, c, B, N, L, b0);
  }
}
