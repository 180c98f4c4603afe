#include "kern_attention.h"
#include "kern_cpu.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static float kern_dot_f32_scalar(const float *a, const float *b, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

// out += w * v
static void kern_axpy_f32_scalar(float w, const float *v, float *out, int n) {
    for (int i = 0; i < n; i++) out[i] += w * v[i];
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static float kern_dot_f32_avx2(const float *a, const float *b, int n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc0 = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc0), _mm256_extractf128_ps(acc0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float r = _mm_cvtss_f32(s);
    for (; i < n; i++) r += a[i] * b[i];
    return r;
}

__attribute__((target("avx2,fma")))
static void kern_axpy_f32_avx2(float w, const float *v, float *out, int n) {
    const __m256 wv = _mm256_set1_ps(w);
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_fmadd_ps(wv, _mm256_loadu_ps(v + i), _mm256_loadu_ps(out + i)));
    for (; i < n; i++) out[i] += w * v[i];
}
#endif

typedef struct { const kern_attention_args *a; } kern_attention_task_ctx;

static void kern_attention_task(void *ctx, int ti, int tn) {
    const kern_attention_args *a = ((kern_attention_task_ctx *)ctx)->a;
    const int64_t items = (int64_t)a->n_tokens * a->n_head;
    int64_t begin, end;
    kern_pool_split(items, 1, ti, tn, &begin, &end);
    float *w = a->scratch + (int64_t)ti * a->max_ctx;
    const int group = a->n_head / a->n_kv_head;
    const int64_t kv_dim = (int64_t)a->n_kv_head * a->head_dim;
    const int hd = a->head_dim;
#if defined(__x86_64__)
    const int fast = a->isa >= KERN_ISA_AVX2;
#endif
    for (int64_t it = begin; it < end; it++) {
        const int t = (int)(it / a->n_head), h = (int)(it % a->n_head);
        const int kvh = h / group;
        const int ctx_len = a->token_pos[t] + 1;
        const int32_t *table = a->block_tables + (int64_t)a->token_seq[t] * a->max_blocks;
        const float *q = a->q + ((int64_t)t * a->n_head + h) * hd;
        float *out = a->out + ((int64_t)t * a->n_head + h) * hd;
        float mx = -INFINITY;
        for (int p = 0; p < ctx_len; p++) {
            const int64_t slot = (int64_t)table[p / a->block_size] * a->block_size + p % a->block_size;
            const float *k = a->k_cache + slot * kv_dim + (int64_t)kvh * hd;
#if defined(__x86_64__)
            const float s = (fast ? kern_dot_f32_avx2(q, k, hd) : kern_dot_f32_scalar(q, k, hd)) * a->scale;
#else
            const float s = kern_dot_f32_scalar(q, k, hd) * a->scale;
#endif
            w[p] = s;
            mx = s > mx ? s : mx;
        }
        float sum = 0;
        for (int p = 0; p < ctx_len; p++) {
            w[p] = expf(w[p] - mx);
            sum += w[p];
        }
        const float inv = 1.0f / sum;
        memset(out, 0, sizeof(float) * hd);
        for (int p = 0; p < ctx_len; p++) {
            const int64_t slot = (int64_t)table[p / a->block_size] * a->block_size + p % a->block_size;
            const float *v = a->v_cache + slot * kv_dim + (int64_t)kvh * hd;
#if defined(__x86_64__)
            if (fast) kern_axpy_f32_avx2(w[p] * inv, v, out, hd);
            else kern_axpy_f32_scalar(w[p] * inv, v, out, hd);
#else
            kern_axpy_f32_scalar(w[p] * inv, v, out, hd);
#endif
        }
    }
}

void kern_attention_paged(kern_pool *pool, const kern_attention_args *args) {
    kern_attention_task_ctx ctx = { args };
    kern_pool_run(pool, kern_attention_task, &ctx);
}

void kern_kv_store(const float *k, const float *v, const int32_t *slots, int32_t n_tokens, int32_t kv_dim,
                   float *k_cache, float *v_cache) {
    for (int32_t t = 0; t < n_tokens; t++) {
        memcpy(k_cache + (int64_t)slots[t] * kv_dim, k + (int64_t)t * kv_dim, sizeof(float) * kv_dim);
        memcpy(v_cache + (int64_t)slots[t] * kv_dim, v + (int64_t)t * kv_dim, sizeof(float) * kv_dim);
    }
}
