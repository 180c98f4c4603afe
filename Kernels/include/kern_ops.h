// Row-wise operations of the transformer forward pass. All buffers are row-major
// float32 and contiguous; in-place use (y == x) is allowed where noted.
#ifndef KERN_OPS_H
#define KERN_OPS_H

#include <stdint.h>

// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w, for every row r. In place allowed.
//   x: [m, n]   w: [n]   y: [m, n]
void kern_rows_rmsnorm(const float *x, const float *w, float *y, int64_t m, int64_t n, float eps);

// Rotary position embedding, in place, on the first rope_dim elements of each head.
// mode 0 ("normal", llama): rotates pairs (2i, 2i+1); mode 2 ("neox", qwen2): (i, i + rope_dim/2).
// theta_i = pos * freq_base^(-2i/rope_dim) / freq_factors[i], built by repeated
// multiplication as ggml does.
//   x: [m, n_heads, head_dim]   pos: [m]   freq_factors: [rope_dim/2] or NULL (all 1)
void kern_rows_rope(float *x, const int32_t *pos, int64_t m, int n_heads, int head_dim, int rope_dim,
                    float freq_base, const float *freq_factors, int mode);

// out = silu(gate) * up, elementwise. In place (out == gate) allowed.
// exp is the polynomial of Arm's optimized-routines expf (≤ 2 ulp), as ggml's
// vectorized SiLU uses it; the scalar level runs the same FMA sequence, so all
// levels agree bit for bit.
//   gate: [n]   up: [n]   out: [n]
void kern_swiglu(int isa, const float *gate, const float *up, float *out, int64_t n);

// y += x, elementwise.
//   x: [n]   y: [n]
void kern_vec_add(const float *x, float *y, int64_t n);

// y[r] += b for every row r (a bias).
//   b: [n]   y: [m, n]
void kern_rows_add_bias(const float *b, float *y, int64_t m, int64_t n);

// log(Σ exp(x[i])), computed stably (max subtracted first, sum in double).
//   x: [n]
float kern_logsumexp(const float *x, int64_t n);

#endif
