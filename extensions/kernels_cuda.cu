// s4lit Cauchy and Vandermonde kernels (complex64), forward and backward.
// Design (see nbs/02_kernels.ipynb): Cauchy forward = one thread per few outputs l, looping over the N poles held in
// shared memory; the conjugate pair is folded into one fraction so each pair costs one reciprocal and no branch;
// sums are grouped and compensated. Cauchy backward = one lane per pole n, blocks over (run of l, pole group, row),
// finished in the kernel (or by a second small kernel adding the runs). Vandermonde: the same layouts, with partial
// sums per L-segment added by the caller.
#include <cstdlib>
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

// ---------------------------------------------------------------------------------------------------------------
// Cauchy forward. One thread owns ITEMS outputs l (stride CF_THREADS), one block a run of CF_THREADS * ITEMS outputs
// of one row b; the poles pass through shared memory in tiles. Sums: terms are added in groups of CF_GROUP poles,
// and the group sums go into a compensated (Kahan) total, so the rounding error does not grow with N.
constexpr int CF_THREADS = 128;
constexpr int CF_TILE = 256;   // poles per shared-memory tile (a multiple of CF_GROUP)
constexpr int CF_UNROLL = 8;   // poles per unrolled step; tiles are padded with null poles to a multiple of it
constexpr int CF_GROUP = 16;   // poles summed plainly before the compensated add

// s += x with compensation c (Kahan); the sum is s - c.
__device__ __forceinline__ void kadd(float& s, float& c, float x) {
  const float y = x - c, t = s + y;
  c = (t - s) - y;
  s = t;
}

// Three ways to add a pole's term (MODE):
// PLAIN (conj=False): v/(z-w); c = (wr, wi, vr, vi).
// PAIR (conj=True): v/(z-w) + conj(v)/(z-conj w) = P/Q with u = z - wr, dr = zr - wr,
//   P = 2 vr u - 2 vi wi,  Q = (z-w)(z-conj w) = u^2 + wi^2:  Re Q = dr^2 + (wi^2 - zi^2), Im Q = 2 dr zi.
//   wi^2 is kept as hi + lo (two floats) so that wi^2 - zi^2 = fma(-zi, zi, hi) + lo stays exact to a few roundings
//   even when zi is close to +-wi (a pole next to z). c = (wr, hi, 2 vr, -2 vi wi), d.x = lo.
// PAIR_IMAG (conj=True, every z of the block on the imaginary axis, z = i y, as S4 uses it): dr = -wr is a constant of
//   the pole, and so is Re P = pr: Re Q = (hi - y^2) + (lo + wr^2), |Q|^2 = (Re Q)^2 + 4 wr^2 y^2,
//   Re(P conj Q) = pr Re Q + 2 (2 vr) dr y^2, Im(P conj Q) = y ((2 vr) Re Q - 2 dr pr): 9 float operations per pair;
//   the factor y of the imaginary part is applied once, at the end. c = (hi, lo + wr^2, pr, 2 vr),
//   d = (4 vr dr, 4 dr^2, -2 dr pr).
enum { PLAIN = 0, PAIR = 1, PAIR_IMAG = 2 };

template <int MODE>
__device__ __forceinline__ void stage_pole(float4* c4, float4* d4, int i, bool real, float2 vv, float2 ww) {
  if (!real) {  // null pole: P = 0 and Q far from any z, so it adds exactly 0
    c4[i] = MODE == PLAIN ? make_float4(0.f, 1e9f, 0.f, 0.f) : make_float4(MODE == PAIR ? 0.f : 1e18f,
                                                                            MODE == PAIR ? 1e18f : 0.f, 0.f, 0.f);
    d4[i] = make_float4(0.f, 1.f, 0.f, 0.f);
    return;
  }
  if (MODE == PLAIN) { c4[i] = make_float4(ww.x, ww.y, vv.x, vv.y); return; }
  const float hi = ww.y * ww.y, lo = fmaf(ww.y, ww.y, -hi), al = 2.f * vv.x, be = -2.f * vv.y * ww.y;
  if (MODE == PAIR) {
    c4[i] = make_float4(ww.x, hi, al, be);
    d4[i] = make_float4(lo, 0.f, 0.f, 0.f);
  } else {
    const float dr = -ww.x, pr = fmaf(al, dr, be);
    c4[i] = make_float4(hi, fmaf(dr, dr, lo), pr, al);
    d4[i] = make_float4(2.f * al * dr, 4.f * dr * dr, -2.f * dr * pr, 0.f);
  }
}

// Adds the terms of the block's poles to the sums (sr, cr), (si, ci) of this thread's ITEMS outputs.
// PLAIN, PAIR: z = (zr, zi), e = 2 zi; PAIR_IMAG: z = i zi, e = zi^2, and si collects Im / y.
template <int MODE, int ITEMS>
__device__ __forceinline__ void cauchy_fwd_sums(const float2* __restrict__ v, const float2* __restrict__ w, size_t b,
                                                int N, const float* zr, const float* zi, const float* e, float* sr,
                                                float* si, float* cr, float* ci, float4* c4, float4* d4) {
  for (int n0 = 0; n0 < N; n0 += CF_TILE) {
    const int nt = min(CF_TILE, N - n0), ntp = (nt + CF_UNROLL - 1) / CF_UNROLL * CF_UNROLL;
    __syncthreads();
    for (int i = threadIdx.x; i < ntp; i += CF_THREADS) {
      const bool real = i < nt;
      const size_t j = b * N + n0 + (real ? i : 0);
      stage_pole<MODE>(c4, d4, i, real, v[j], w[j]);
    }
    __syncthreads();
    for (int g0 = 0; g0 < ntp; g0 += CF_GROUP) {
      float ar[ITEMS], ai[ITEMS];
#pragma unroll
      for (int k = 0; k < ITEMS; ++k) { ar[k] = 0.f; ai[k] = 0.f; }
      const int gend = min(g0 + CF_GROUP, ntp);
      for (int i0 = g0; i0 < gend; i0 += CF_UNROLL) {
#pragma unroll
        for (int j = 0; j < CF_UNROLL; ++j) {
          const float4 c = c4[i0 + j];
          const float4 d = MODE == PLAIN ? make_float4(0.f, 0.f, 0.f, 0.f) : d4[i0 + j];
#pragma unroll
          for (int k = 0; k < ITEMS; ++k) {
            if (MODE == PAIR_IMAG) {
              const float qr = fmaf(-zi[k], zi[k], c.x) + c.y;
              const float s = rcp(fmaf(qr, qr, d.y * e[k]));
              ar[k] = fmaf(fmaf(c.z, qr, d.x * e[k]), s, ar[k]);
              ai[k] = fmaf(fmaf(c.w, qr, d.z), s, ai[k]);
            } else if (MODE == PAIR) {
              const float dr = zr[k] - c.x;
              const float qr = fmaf(dr, dr, fmaf(-zi[k], zi[k], c.y) + d.x), qi = dr * e[k];
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
      for (int k = 0; k < ITEMS; ++k) { kadd(sr[k], cr[k], ar[k]); kadd(si[k], ci[k], ai[k]); }
    }
  }
}

// IMAG_PATH: blocks whose points z all lie on the imaginary axis take PAIR_IMAG (checked per block, so the branch is
// uniform); otherwise PAIR. S4LIT_CAUCHY_IMAG=0 turns it off (for timing the general path).
template <bool CONJ, int ITEMS>
__global__ void __launch_bounds__(CF_THREADS)
cauchy_fwd_kernel(const float2* __restrict__ v, const float2* __restrict__ z, const float2* __restrict__ w,
                  float2* __restrict__ y, int N, int L, int zb, int lblocks, bool imag_path) {
  __shared__ float4 c4[CF_TILE], d4[CF_TILE];
  const int lb = blockIdx.x % lblocks;
  const size_t b = blockIdx.x / lblocks;
  const int lbase = lb * CF_THREADS * ITEMS + threadIdx.x;
  const float2* zrow = z + b * zb;
  float zr[ITEMS], zi[ITEMS], sr[ITEMS], si[ITEMS], cr[ITEMS], ci[ITEMS], e[ITEMS];
  bool on_axis = true;
#pragma unroll
  for (int k = 0; k < ITEMS; ++k) {
    const int l = lbase + k * CF_THREADS;
    const float2 zz = l < L ? zrow[l] : make_float2(0.f, 0.f);
    zr[k] = zz.x; zi[k] = zz.y;
    on_axis = on_axis && zz.x == 0.f;
    sr[k] = 0.f; si[k] = 0.f; cr[k] = 0.f; ci[k] = 0.f;
  }
  const bool imag = __syncthreads_and(CONJ && imag_path && on_axis);
  if (imag) {
#pragma unroll
    for (int k = 0; k < ITEMS; ++k) e[k] = zi[k] * zi[k];
    cauchy_fwd_sums<PAIR_IMAG, ITEMS>(v, w, b, N, zr, zi, e, sr, si, cr, ci, c4, d4);
#pragma unroll
    for (int k = 0; k < ITEMS; ++k) { si[k] = zi[k] * (si[k] - ci[k]); ci[k] = 0.f; }
  } else {
#pragma unroll
    for (int k = 0; k < ITEMS; ++k) e[k] = 2.f * zi[k];
    if (CONJ) cauchy_fwd_sums<PAIR, ITEMS>(v, w, b, N, zr, zi, e, sr, si, cr, ci, c4, d4);
    else cauchy_fwd_sums<PLAIN, ITEMS>(v, w, b, N, zr, zi, e, sr, si, cr, ci, c4, d4);
  }
#pragma unroll
  for (int k = 0; k < ITEMS; ++k) {
    const int l = lbase + k * CF_THREADS;
    if (l < L) y[b * L + l] = make_float2(sr[k] - cr[k], si[k] - ci[k]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cauchy backward. One lane per pole n (32 poles per block), eight warps share the block's run of l: the block stages
// a tile of (z, g) in shared memory once and every lane reads it by broadcast. Each lane sums its terms in groups
// (compensated across groups), the eight warps are added in a fixed order. With one run per (row, pole group) the
// block writes grad_v, grad_w itself; with several runs it writes its partial sums and a second small kernel adds
// them in a fixed order (deterministic: no atomics).
constexpr int CB_WARPS = 8;
constexpr int CB_TILE = 1024;   // l per shared-memory stage
constexpr int CB_GROUP = 8;     // l per lane summed plainly (16 terms with conj) before the compensated add

__device__ __forceinline__ void kadd4(float4& s, float4& c, float4 x) {
  kadd(s.x, c.x, x.x); kadd(s.y, c.y, x.y); kadd(s.z, c.z, x.z); kadd(s.w, c.w, x.w);
}

// g conj(r) (t) and its sums, r = 1/(z - w): s1 += t, s2 += t conj(r)   [for the pole w]
// conj(g) r2 with r2 = 1/(z - conj w): s1 += conj(g conj(r2)), s2 += conj(g conj(r2) conj(r2))   [pole conj w]
template <bool CONJ>
__device__ __forceinline__ void bwd_terms(float2 zz, float2 gg, float2 ww, float4& a) {
  const float dr = zz.x - ww.x;
  {
    const float di = zz.y - ww.y, s = rcp(fmaf(dr, dr, di * di));
    const float pr = dr * s, pi = di * s;  // conj(r)
    const float tr = fmaf(gg.x, pr, -gg.y * pi), ti = fmaf(gg.x, pi, gg.y * pr);
    a.x += tr; a.y += ti;
    a.z = fmaf(tr, pr, fmaf(-ti, pi, a.z));
    a.w = fmaf(tr, pi, fmaf(ti, pr, a.w));
  }
  if (CONJ) {
    const float di = zz.y + ww.y, s = rcp(fmaf(dr, dr, di * di));
    const float pr = dr * s, pi = di * s;  // conj(r2)
    const float tr = fmaf(gg.x, pr, -gg.y * pi), ti = fmaf(gg.x, pi, gg.y * pr);
    a.x += tr; a.y -= ti;
    a.z = fmaf(tr, pr, fmaf(-ti, pi, a.z));
    a.w = fmaf(-tr, pi, fmaf(-ti, pr, a.w));
  }
}

// grad_v = s1, grad_w = conj(v) s2.
__device__ __forceinline__ void write_grads(float4 t, float2 vv, float2* dv, float2* dw, size_t j) {
  dv[j] = make_float2(t.x, t.y);
  dw[j] = make_float2(fmaf(vv.x, t.z, vv.y * t.w), fmaf(vv.x, t.w, -vv.y * t.z));
}

template <bool CONJ, bool FINAL>
__global__ void __launch_bounds__(CB_WARPS * 32)
cauchy_bwd_kernel(const float2* __restrict__ v, const float2* __restrict__ z, const float2* __restrict__ w,
                  const float2* __restrict__ g, float2* __restrict__ dv, float2* __restrict__ dw,
                  float4* __restrict__ part, int B, int N, int L, int zb, int groups, int runs, int run_len) {
  __shared__ float2 gs[CB_TILE], zs[CB_TILE];
  __shared__ float4 red[CB_WARPS][32];
  const int run = blockIdx.x % runs, grp = (blockIdx.x / runs) % groups;
  const size_t b = blockIdx.x / runs / groups;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, n = grp * 32 + lane;
  const int lbeg = run * run_len, lend = min(L, lbeg + run_len);
  const float2 ww = n < N ? w[b * N + n] : make_float2(0.f, 1.f);
  float4 s = make_float4(0.f, 0.f, 0.f, 0.f), c = s;
  for (int t0 = lbeg; t0 < lend; t0 += CB_TILE) {
    const int cnt = min(CB_TILE, lend - t0);
    __syncthreads();
    for (int i = threadIdx.x; i < cnt; i += CB_WARPS * 32) {
      gs[i] = g[b * L + t0 + i];
      zs[i] = z[b * zb + t0 + i];
    }
    __syncthreads();
    for (int i0 = warp; i0 < cnt; i0 += CB_WARPS * CB_GROUP) {
      float4 a = make_float4(0.f, 0.f, 0.f, 0.f);
      const int iend = min(cnt, i0 + CB_WARPS * CB_GROUP);
#pragma unroll 4
      for (int i = i0; i < iend; i += CB_WARPS) bwd_terms<CONJ>(zs[i], gs[i], ww, a);
      kadd4(s, c, a);
    }
  }
  red[warp][lane] = make_float4(s.x - c.x, s.y - c.y, s.z - c.z, s.w - c.w);
  __syncthreads();
  if (warp == 0) {
    float4 t = red[0][lane];
    for (int j = 1; j < CB_WARPS; ++j) {
      const float4 u = red[j][lane];
      t.x += u.x; t.y += u.y; t.z += u.z; t.w += u.w;
    }
    if (n < N) {
      if (FINAL) write_grads(t, v[b * N + n], dv, dw, b * N + n);
      else part[(size_t)run * B * N + b * N + n] = t;
    }
  }
}

// Adds the runs' partial sums (runs, B*N) in order and writes grad_v, grad_w.
__global__ void __launch_bounds__(256)
cauchy_bwd_finish(const float2* __restrict__ v, const float4* __restrict__ part, float2* __restrict__ dv,
                  float2* __restrict__ dw, size_t BN, int runs) {
  const size_t j = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= BN) return;
  float4 s = part[j], c = make_float4(0.f, 0.f, 0.f, 0.f);
  for (int r = 1; r < runs; ++r) kadd4(s, c, part[(size_t)r * BN + j]);
  write_grads(make_float4(s.x - c.x, s.y - c.y, s.z - c.z, s.w - c.w), v[j], dv, dw, j);
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

namespace {

int sm_count() {
  static int counts[64] = {0};
  int dev = 0;
  cudaGetDevice(&dev);
  if (dev < 0 || dev >= 64) return 132;
  if (counts[dev] == 0) {
    int n = 0;
    cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev);
    counts[dev] = n > 0 ? n : 132;
  }
  return counts[dev];
}

// Outputs per thread of the Cauchy forward: S4LIT_CAUCHY_ITEMS=4 or 8 (default 8), read once.
int fwd_items() {
  static int items = 0;
  if (items == 0) {
    const char* e = getenv("S4LIT_CAUCHY_ITEMS");
    items = (e != nullptr && atoi(e) == 4) ? 4 : 8;
  }
  return items;
}

// The forward's path for points on the imaginary axis: on unless S4LIT_CAUCHY_IMAG=0, read once.
bool imag_path() {
  static int on = -1;
  if (on < 0) {
    const char* e = getenv("S4LIT_CAUCHY_IMAG");
    on = (e != nullptr && atoi(e) == 0) ? 0 : 1;
  }
  return on == 1;
}

template <bool CONJ, int ITEMS>
void launch_cauchy_fwd(const float2* v, const float2* z, const float2* w, float2* y, int B, int N, int L, int zb,
                       cudaStream_t stream) {
  const int lblocks = (L + CF_THREADS * ITEMS - 1) / (CF_THREADS * ITEMS);
  cauchy_fwd_kernel<CONJ, ITEMS><<<(unsigned)((size_t)B * lblocks), CF_THREADS, 0, stream>>>(v, z, w, y, N, L, zb,
                                                                                             lblocks, imag_path());
}

}  // namespace

void s4lit_cauchy_fwd(const float* v, const float* z, const float* w, float* y,
                      int B, int N, int L, int z_bstride, bool conj, cudaStream_t stream) {
  if ((size_t)B * L == 0) return;
  auto v2 = reinterpret_cast<const float2*>(v); auto z2 = reinterpret_cast<const float2*>(z);
  auto w2 = reinterpret_cast<const float2*>(w); auto y2 = reinterpret_cast<float2*>(y);
  if (fwd_items() == 4) {
    if (conj) launch_cauchy_fwd<true, 4>(v2, z2, w2, y2, B, N, L, z_bstride, stream);
    else launch_cauchy_fwd<false, 4>(v2, z2, w2, y2, B, N, L, z_bstride, stream);
  } else {
    if (conj) launch_cauchy_fwd<true, 8>(v2, z2, w2, y2, B, N, L, z_bstride, stream);
    else launch_cauchy_fwd<false, 8>(v2, z2, w2, y2, B, N, L, z_bstride, stream);
  }
}

int s4lit_cauchy_bwd_runs(int B, int N, int L) {
  if ((size_t)B * N * L == 0) return 1;
  const size_t blocks = (size_t)B * ((N + 31) / 32);
  const size_t target = 8 * (size_t)sm_count();   // blocks for about one full wave
  const size_t want = (target + blocks - 1) / blocks, most = (L + 255) / 256;
  const int runs = (int)(want < most ? want : most);
  const int run_len = (L + runs - 1) / runs;
  return (L + run_len - 1) / run_len;
}

void s4lit_cauchy_bwd(const float* v, const float* z, const float* w, const float* g, float* dv, float* dw,
                      float* work, int B, int N, int L, int z_bstride, bool conj, cudaStream_t stream) {
  const int runs = s4lit_cauchy_bwd_runs(B, N, L), run_len = (L + runs - 1) / runs, groups = (N + 31) / 32;
  auto v2 = reinterpret_cast<const float2*>(v); auto z2 = reinterpret_cast<const float2*>(z);
  auto w2 = reinterpret_cast<const float2*>(w); auto g2 = reinterpret_cast<const float2*>(g);
  auto dv2 = reinterpret_cast<float2*>(dv); auto dw2 = reinterpret_cast<float2*>(dw);
  auto part = reinterpret_cast<float4*>(work);
  const unsigned grid = (unsigned)((size_t)B * groups * runs);
  if (grid == 0) return;
  const int T = CB_WARPS * 32;
  if (runs == 1) {
    if (conj) cauchy_bwd_kernel<true, true><<<grid, T, 0, stream>>>(v2, z2, w2, g2, dv2, dw2, part, B, N, L,
                                                                     z_bstride, groups, runs, run_len);
    else cauchy_bwd_kernel<false, true><<<grid, T, 0, stream>>>(v2, z2, w2, g2, dv2, dw2, part, B, N, L,
                                                                 z_bstride, groups, runs, run_len);
    return;
  }
  if (conj) cauchy_bwd_kernel<true, false><<<grid, T, 0, stream>>>(v2, z2, w2, g2, dv2, dw2, part, B, N, L,
                                                                    z_bstride, groups, runs, run_len);
  else cauchy_bwd_kernel<false, false><<<grid, T, 0, stream>>>(v2, z2, w2, g2, dv2, dw2, part, B, N, L,
                                                                z_bstride, groups, runs, run_len);
  const size_t BN = (size_t)B * N;
  cauchy_bwd_finish<<<(unsigned)((BN + 255) / 256), 256, 0, stream>>>(v2, part, dv2, dw2, BN, runs);
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
