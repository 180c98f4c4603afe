#include "kern_ops.h"
#include "kern_cpu.h"

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <math.h>

void kern_rows_rmsnorm(const float *x, const float *w, float *y, int64_t m, int64_t n, float eps) {
    for (int64_t r = 0; r < m; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        double ss = 0;                                   // as ggml: squares in float, summed in double
        for (int64_t i = 0; i < n; i++) ss += (double)(xr[i] * xr[i]);
        const float scale = 1.0f / sqrtf((float)(ss / n) + eps);
        for (int64_t i = 0; i < n; i++) yr[i] = xr[i] * scale * w[i];
    }
}

void kern_rows_rope(float *x, const int32_t *pos, int64_t m, int n_heads, int head_dim, int rope_dim,
                    float freq_base, const float *freq_factors, int mode) {
    const float theta_scale = powf(freq_base, -2.0f / (float)rope_dim);
    float cache[2 * 512];                                 // [rope_dim/2] (cos, sin) pairs; rope_dim <= 1024
    const int half = rope_dim / 2 <= 512 ? rope_dim / 2 : 512;
    for (int64_t r = 0; r < m; r++) {
        float theta = (float)pos[r];
        for (int i = 0; i < half; i++) {
            const float t = freq_factors ? theta / freq_factors[i] : theta;
            cache[2 * i] = cosf(t);
            cache[2 * i + 1] = sinf(t);
            theta *= theta_scale;
        }
        for (int h = 0; h < n_heads; h++) {
            float *v = x + (r * n_heads + h) * (int64_t)head_dim;
            for (int i = 0; i < half; i++) {
                const float c = cache[2 * i], s = cache[2 * i + 1];
                float *a, *b;
                if (mode == 2) { a = &v[i]; b = &v[i + half]; }
                else { a = &v[2 * i]; b = &v[2 * i + 1]; }
                const float x0 = *a, x1 = *b;
                // Fused as an FMA-contracting compiler fuses ggml's x0*c - x1*s and x0*s + x1*c.
                *a = fmaf(x0, c, -(x1 * s));
                *b = fmaf(x0, s, x1 * c);
            }
        }
    }
}

// exp(x) = 2^n · (1 + p(b)), n = round(x / ln2), b = x - n·ln2 (ln2 in two parts).
#define KERN_EXP_SHIFT   0x1.8p23f
#define KERN_EXP_LOG2E   0x1.715476p+0f
#define KERN_EXP_LN2_HI  0x1.62e4p-1f
#define KERN_EXP_LN2_LO  0x1.7f7d1cp-20f
#define KERN_EXP_C1      0x1.ffffecp-1f
#define KERN_EXP_C2      0x1.fffdb6p-2f
#define KERN_EXP_C3      0x1.555e66p-3f
#define KERN_EXP_C4      0x1.573e2ep-5f
#define KERN_EXP_C5      0x1.0e4020p-7f

static float kern_expf_poly(float x) {
    const float z = fmaf(x, KERN_EXP_LOG2E, KERN_EXP_SHIFT);
    const float n = z - KERN_EXP_SHIFT;
    if (fabsf(n) > 126.0f) return expf(x);                    // out of the fast range: libm
    const float b = fmaf(-n, KERN_EXP_LN2_LO, fmaf(-n, KERN_EXP_LN2_HI, x));
    uint32_t zb, one;
    const float onef = 1.0f;
    memcpy(&zb, &z, 4);
    memcpy(&one, &onef, 4);
    const uint32_t kb = (zb << 23) + one;                     // 2^n from the low bits of z
    float k;
    memcpy(&k, &kb, 4);
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(KERN_EXP_C5, b, KERN_EXP_C4), u, fmaf(KERN_EXP_C3, b, KERN_EXP_C2)), u, KERN_EXP_C1 * b);
    return fmaf(j, k, k);
}

static void kern_swiglu_scalar(const float *gate, const float *up, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        out[i] = g / (1.0f + kern_expf_poly(-g)) * up[i];
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void kern_swiglu_avx2(const float *gate, const float *up, float *out, int64_t n) {
    const __m256 shift = _mm256_set1_ps(KERN_EXP_SHIFT), one = _mm256_set1_ps(1.0f);
    const __m256 absmask = _mm256_set1_ps(-0.0f), limit = _mm256_set1_ps(126.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 x = _mm256_sub_ps(_mm256_setzero_ps(), g);      // exp(-g)
        const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(KERN_EXP_LOG2E), shift);
        const __m256 nn = _mm256_sub_ps(z, shift);
        if (_mm256_movemask_ps(_mm256_cmp_ps(_mm256_andnot_ps(absmask, nn), limit, _CMP_GT_OQ))) {
            kern_swiglu_scalar(gate + i, up + i, out + i, 8);          // rare: |g| > ~87
            continue;
        }
        const __m256 b = _mm256_fnmadd_ps(nn, _mm256_set1_ps(KERN_EXP_LN2_LO),
                                          _mm256_fnmadd_ps(nn, _mm256_set1_ps(KERN_EXP_LN2_HI), x));
        const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_slli_epi32(_mm256_castps_si256(z), 23),
                                                              _mm256_castps_si256(one)));
        const __m256 u = _mm256_mul_ps(b, b);
        const __m256 p = _mm256_fmadd_ps(
            _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(KERN_EXP_C5), b, _mm256_set1_ps(KERN_EXP_C4)), u,
                            _mm256_fmadd_ps(_mm256_set1_ps(KERN_EXP_C3), b, _mm256_set1_ps(KERN_EXP_C2))),
            u, _mm256_mul_ps(_mm256_set1_ps(KERN_EXP_C1), b));
        const __m256 e = _mm256_fmadd_ps(p, k, k);
        const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, e));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    kern_swiglu_scalar(gate + i, up + i, out + i, n - i);
}
#endif

void kern_swiglu(int isa, const float *gate, const float *up, float *out, int64_t n) {
#if defined(__x86_64__)
    if (isa >= KERN_ISA_AVX2) { kern_swiglu_avx2(gate, up, out, n); return; }
#endif
    (void)isa;
    kern_swiglu_scalar(gate, up, out, n);
}

void kern_vec_add(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}

void kern_rows_add_bias(const float *b, float *y, int64_t m, int64_t n) {
    for (int64_t r = 0; r < m; r++) {
        for (int64_t i = 0; i < n; i++) y[r * n + i] += b[i];
    }
}

float kern_logsumexp(const float *x, int64_t n) {
    float mx = -INFINITY;
    for (int64_t i = 0; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += expf(x[i] - mx);
    return (float)log(sum) + mx;
}
