#include "kern_attention.h"
#include "kern_cpu.h"
#include "kern_dtype.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The attention of one (token, head): an online softmax over positions 0...pos in
// order, Q rounded to f16 for the Q·K products, values accumulated in f16 and
// rescaled when a new maximum appears. This is the arithmetic of ggml's CPU
// flash-attention over an f16 cache, so Tally's logits track llama.cpp's.

static float kern_dot_f16_scalar(const uint16_t *a, const uint16_t *b, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += kern_fp16_to_fp32(a[i]) * kern_fp16_to_fp32(b[i]);
    return s;
}

// acc[i] = f16(acc[i] * scale + v[i] * w)
static void kern_mad_f16_scalar(uint16_t *acc, const uint16_t *v, float scale, float w, int n) {
    for (int i = 0; i < n; i++) {
        acc[i] = kern_fp16_from_fp32(kern_fp16_to_fp32(acc[i]) * scale);
        acc[i] = kern_fp16_from_fp32(kern_fp16_to_fp32(acc[i]) + kern_fp16_to_fp32(v[i]) * w);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma,f16c")))
static float kern_dot_f16_avx2(const uint16_t *a, const uint16_t *b, int n) {
    __m256 acc[4] = { _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps() };
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int j = 0; j < 4; j++) {
            const __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i + 8 * j)));
            const __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8 * j)));
            acc[j] = _mm256_fmadd_ps(x, y, acc[j]);
        }
    }
    acc[0] = _mm256_add_ps(acc[0], acc[2]);
    acc[1] = _mm256_add_ps(acc[1], acc[3]);
    acc[0] = _mm256_add_ps(acc[0], acc[1]);
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(acc[0]), _mm256_extractf128_ps(acc[0], 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    float s = _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
    for (; i < n; i++) s += kern_fp16_to_fp32(a[i]) * kern_fp16_to_fp32(b[i]);
    return s;
}

__attribute__((target("avx2,fma,f16c")))
static void kern_mad_f16_avx2(uint16_t *acc, const uint16_t *v, float scale, float w, int n) {
    const __m256 sv = _mm256_set1_ps(scale), wv = _mm256_set1_ps(w);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(acc + i)));
        if (scale != 1.0f) a = _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_mul_ps(a, sv), _MM_FROUND_TO_NEAREST_INT));
        const __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + i)));
        _mm_storeu_si128((__m128i *)(acc + i), _mm256_cvtps_ph(_mm256_fmadd_ps(x, wv, a), _MM_FROUND_TO_NEAREST_INT));
    }
    if (i < n) kern_mad_f16_scalar(acc + i, v + i, scale, w, n - i);
}

__attribute__((target("avx2,fma,f16c")))
static void kern_f32_to_f16_avx2(const float *x, uint16_t *y, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = kern_fp16_from_fp32(x[i]);
}
#endif

static void kern_f32_to_f16(int isa, const float *x, uint16_t *y, int n) {
#if defined(__x86_64__)
    if (isa >= KERN_ISA_AVX2) { kern_f32_to_f16_avx2(x, y, n); return; }
#endif
    (void)isa;
    for (int i = 0; i < n; i++) y[i] = kern_fp16_from_fp32(x[i]);
}

int64_t kern_attention_scratch_floats(int32_t head_dim) {
    return 2 * (int64_t)head_dim + 64;
}

typedef struct { const kern_attention_args *a; } kern_attention_task_ctx;

static void kern_attention_task(void *ctx, int ti, int tn) {
    const kern_attention_args *a = ((kern_attention_task_ctx *)ctx)->a;
    const int64_t items = (int64_t)a->n_tokens * a->n_head;
    int64_t begin, end;
    kern_pool_split(items, 1, ti, tn, &begin, &end);
    const int hd = a->head_dim;
    float *scratch = a->scratch + (int64_t)ti * kern_attention_scratch_floats(hd);
    uint16_t *q16 = (uint16_t *)scratch;            // [hd] f16
    uint16_t *acc = q16 + hd;                       // [hd] f16
    const int group = a->n_head / a->n_kv_head;
    const int64_t kv_dim = (int64_t)a->n_kv_head * hd;
    const int fast = a->isa >= KERN_ISA_AVX2;
    for (int64_t it = begin; it < end; it++) {
        const int t = (int)(it / a->n_head), h = (int)(it % a->n_head);
        const int kvh = h / group;
        const int ctx_len = a->token_pos[t] + 1;
        const int32_t *table = a->block_tables + (int64_t)a->token_seq[t] * a->max_blocks;
        kern_f32_to_f16(a->isa, a->q + ((int64_t)t * a->n_head + h) * hd, q16, hd);
        memset(acc, 0, sizeof(uint16_t) * hd);
        float m = -INFINITY, sum = 0;
        for (int p = 0; p < ctx_len; p++) {
            const int64_t slot = (int64_t)table[p / a->block_size] * a->block_size + p % a->block_size;
            const uint16_t *k = a->k_cache + slot * kv_dim + (int64_t)kvh * hd;
            const uint16_t *v = a->v_cache + slot * kv_dim + (int64_t)kvh * hd;
#if defined(__x86_64__)
            const float s = (fast ? kern_dot_f16_avx2(q16, k, hd) : kern_dot_f16_scalar(q16, k, hd)) * a->scale;
#else
            const float s = kern_dot_f16_scalar(q16, k, hd) * a->scale;
#endif
            float ms = 1.0f, vs = 1.0f;
            if (s > m) {                             // new maximum: rescale what was summed so far
                ms = expf(m - s);
                m = s;
            } else {
                vs = expf(s - m);
            }
#if defined(__x86_64__)
            if (fast) kern_mad_f16_avx2(acc, v, ms, vs, hd);
            else kern_mad_f16_scalar(acc, v, ms, vs, hd);
#else
            kern_mad_f16_scalar(acc, v, ms, vs, hd);
#endif
            sum = fmaf(sum, ms, vs);                 // fused, as ggml's S = S*ms + vs compiles
        }
        float *out = a->out + ((int64_t)t * a->n_head + h) * hd;
        const float inv = sum == 0 ? 0 : 1.0f / sum;
        for (int i = 0; i < hd; i++) out[i] = kern_fp16_to_fp32(acc[i]) * inv;
    }
    (void)fast;
}

void kern_attention_paged(kern_pool *pool, const kern_attention_args *args) {
    kern_attention_task_ctx ctx = { args };
    kern_pool_run(pool, kern_attention_task, &ctx);
}

void kern_kv_store(int isa, const float *k, const float *v, const int32_t *slots, int32_t n_tokens, int32_t kv_dim,
                   uint16_t *k_cache, uint16_t *v_cache) {
    for (int32_t t = 0; t < n_tokens; t++) {
        kern_f32_to_f16(isa, k + (int64_t)t * kv_dim, k_cache + (int64_t)slots[t] * kv_dim, kv_dim);
        kern_f32_to_f16(isa, v + (int64_t)t * kv_dim, v_cache + (int64_t)slots[t] * kv_dim, kv_dim);
    }
}
