#include "kern_matmul.h"
#include "kern_cpu.h"
#include "kern_dtype.h"
#include "kern_quant.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define KERN_TILE_ROWS 8        // weight rows dequantized together on the float path

typedef struct { uint16_t d; uint8_t qs[16]; } kern_blk_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[16]; } kern_blk_q4_1;
typedef struct { uint16_t d; int8_t qs[32]; } kern_blk_q8_0;

static int kern_is_q8_dot_type(int32_t t) {
    return t == KERN_DTYPE_Q4_0 || t == KERN_DTYPE_Q4_1 || t == KERN_DTYPE_Q8_0;
}

static float kern_f16_round(float x) { return kern_fp16_to_fp32(kern_fp16_from_fp32(x)); }

// ---- activation quantization ----

static void kern_q8_quantize_row_scalar(const float *x, kern_q8_block *q, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++) {
        const float *xb = x + b * 32;
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = fmaxf(amax, fabsf(xb[i]));
        const float d = amax / 127.0f;
        const float id = amax != 0 ? 127.0f / amax : 0.0f;   // as ggml's x86 quantize_row_q8_0/q8_1
        int32_t sum = 0;
        for (int i = 0; i < 32; i++) {
            const int v = (int)nearbyintf(xb[i] * id);
            q[b].q[i] = (int8_t)v;
            sum += v;
        }
        q[b].d = kern_f16_round(d);
        q[b].s = kern_f16_round(d * (float)sum);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void kern_q8_quantize_row_avx2(const float *x, kern_q8_block *q, int64_t k) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < k / 32; b++) {
        const float *xb = x + b * 32;
        __m256 v0 = _mm256_loadu_ps(xb), v1 = _mm256_loadu_ps(xb + 8), v2 = _mm256_loadu_ps(xb + 16), v3 = _mm256_loadu_ps(xb + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        const float d = amax / 127.0f;
        const __m256 id = _mm256_set1_ps(amax != 0 ? 127.0f / amax : 0.0f);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_hadd_epi32(s4, s4);
        s4 = _mm_hadd_epi32(s4, s4);
        // pack 32 int32 -> 32 int8 in element order
        __m256i p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3);
        __m256i p = _mm256_packs_epi16(p01, p23);
        p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)q[b].q, p);
        q[b].d = kern_f16_round(d);
        q[b].s = kern_f16_round(d * (float)_mm_cvtsi128_si32(s4));
    }
}
#endif

void kern_q8_quantize(int isa, const float *x, kern_q8_block *q, int64_t m, int64_t k) {
    for (int64_t r = 0; r < m; r++) {
#if defined(__x86_64__)
        if (isa >= KERN_ISA_AVX2) { kern_q8_quantize_row_avx2(x + r * k, q + r * (k / 32), k); continue; }
#endif
        (void)isa;
        kern_q8_quantize_row_scalar(x + r * k, q + r * (k / 32), k);
    }
}

// ---- integer block dot products ----

static float kern_q8_dot_scalar(int32_t wtype, const void *w, const kern_q8_block *q, int64_t nb) {
    float acc = 0;
    for (int64_t b = 0; b < nb; b++) {
        int32_t sumi = 0;
        if (wtype == KERN_DTYPE_Q8_0) {
            const kern_blk_q8_0 *wb = (const kern_blk_q8_0 *)w + b;
            for (int i = 0; i < 32; i++) sumi += wb->qs[i] * q[b].q[i];
            acc += kern_fp16_to_fp32(wb->d) * q[b].d * (float)sumi;
        } else if (wtype == KERN_DTYPE_Q4_1) {
            const kern_blk_q4_1 *wb = (const kern_blk_q4_1 *)w + b;
            for (int i = 0; i < 16; i++) sumi += (wb->qs[i] & 15) * q[b].q[i] + (wb->qs[i] >> 4) * q[b].q[i + 16];
            acc += kern_fp16_to_fp32(wb->d) * q[b].d * (float)sumi + kern_fp16_to_fp32(wb->m) * q[b].s;
        } else {
            const kern_blk_q4_0 *wb = (const kern_blk_q4_0 *)w + b;
            for (int i = 0; i < 16; i++) sumi += ((wb->qs[i] & 15) - 8) * q[b].q[i] + ((wb->qs[i] >> 4) - 8) * q[b].q[i + 16];
            acc += kern_fp16_to_fp32(wb->d) * q[b].d * (float)sumi;
        }
    }
    return acc;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma,f16c")))
static inline float kern_hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma,f16c")))
static inline float kern_f16_avx(uint16_t h) {
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

__attribute__((target("avx2,fma,f16c")))
static float kern_q8_dot_avx2(int32_t wtype, const void *w, const kern_q8_block *q, int64_t nb) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i low4 = _mm256_set1_epi8(15);
    __m256 acc = _mm256_setzero_ps();
    float extra = 0;
    if (wtype == KERN_DTYPE_Q8_0) {
        const kern_blk_q8_0 *wb = w;
        for (int64_t b = 0; b < nb; b++) {
            const __m256i wq = _mm256_loadu_si256((const __m256i *)wb[b].qs);
            const __m256i xq = _mm256_loadu_si256((const __m256i *)q[b].q);
            const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(wq, wq), _mm256_sign_epi8(xq, wq));
            const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(p16, ones));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(kern_f16_avx(wb[b].d) * q[b].d), p, acc);
        }
    } else {
        const int is_q41 = wtype == KERN_DTYPE_Q4_1;
        const size_t stride = is_q41 ? sizeof(kern_blk_q4_1) : sizeof(kern_blk_q4_0);
        const uint8_t *base = w;
        for (int64_t b = 0; b < nb; b++) {
            const uint8_t *blk = base + b * stride;
            const uint8_t *qs = blk + (is_q41 ? 4 : 2);
            const __m128i raw = _mm_loadu_si128((const __m128i *)qs);
            const __m256i nib = _mm256_and_si256(
                _mm256_insertf128_si256(_mm256_castsi128_si256(raw), _mm_srli_epi16(raw, 4), 1), low4);
            const __m256i xq = _mm256_loadu_si256((const __m256i *)q[b].q);
            __m256 p;
            if (is_q41) {
                p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(nib, xq), ones));
            } else {                                   // signed nibbles: q - 8, then the sign trick
                const __m256i sq = _mm256_sub_epi8(nib, _mm256_set1_epi8(8));
                p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(sq, sq), _mm256_sign_epi8(xq, sq)), ones));
            }
            uint16_t dh;
            memcpy(&dh, blk, 2);
            const float d = kern_f16_avx(dh) * q[b].d;
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), p, acc);
            if (is_q41) {
                uint16_t mh;
                memcpy(&mh, blk + 2, 2);
                extra += kern_f16_avx(mh) * q[b].s;
            }
        }
    }
    return kern_hsum256(acc) + extra;
}
#endif

#if defined(__x86_64__)
// A 4-row × NC-column tile of int8 dots (NC = 1 or 2): each output accumulates exactly as
// kern_q8_dot_avx2 does (same per-block operations in the same order, so bit-identical), but
// the independent chains interleave and each weight block and activation block is loaded once.
//   w: [4] row pointers (wtype blocks)   q: [NC] activation rows of nb blocks   out: [4][2]
__attribute__((target("avx2,fma,f16c"), always_inline))
static inline void kern_q8_tile_avx2(int32_t wtype, const uint8_t *const w[4], const kern_q8_block *const q[2],
                                     const int NC, int64_t nb, float out[4][2]) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i low4 = _mm256_set1_epi8(15);
    __m256 acc[4][2];
    float extra[4][2];
    for (int r = 0; r < 4; r++) {
        for (int c = 0; c < NC; c++) { acc[r][c] = _mm256_setzero_ps(); extra[r][c] = 0; }
    }
    const int is_q80 = wtype == KERN_DTYPE_Q8_0, is_q41 = wtype == KERN_DTYPE_Q4_1;
    const size_t stride = is_q80 ? sizeof(kern_blk_q8_0) : (is_q41 ? sizeof(kern_blk_q4_1) : sizeof(kern_blk_q4_0));
    for (int64_t b = 0; b < nb; b++) {
        __m256i xq[2];
        float xd[2], xs[2];
        for (int c = 0; c < NC; c++) {
            xq[c] = _mm256_loadu_si256((const __m256i *)q[c][b].q);
            xd[c] = q[c][b].d;
            xs[c] = q[c][b].s;
        }
        for (int r = 0; r < 4; r++) {
            const uint8_t *blk = w[r] + b * stride;
            uint16_t dh;
            memcpy(&dh, blk, 2);
            const float dw = kern_f16_avx(dh);
            if (is_q80) {
                const __m256i wq = _mm256_loadu_si256((const __m256i *)(blk + 2));
                const __m256i aw = _mm256_sign_epi8(wq, wq);
                for (int c = 0; c < NC; c++) {
                    const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(xq[c], wq)), ones));
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * xd[c]), p, acc[r][c]);
                }
            } else {
                const __m128i raw = _mm_loadu_si128((const __m128i *)(blk + (is_q41 ? 4 : 2)));
                const __m256i nib = _mm256_and_si256(
                    _mm256_insertf128_si256(_mm256_castsi128_si256(raw), _mm_srli_epi16(raw, 4), 1), low4);
                if (is_q41) {
                    uint16_t mh;
                    memcpy(&mh, blk + 2, 2);
                    const float mw = kern_f16_avx(mh);
                    for (int c = 0; c < NC; c++) {
                        const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(nib, xq[c]), ones));
                        acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * xd[c]), p, acc[r][c]);
                        extra[r][c] += mw * xs[c];
                    }
                } else {
                    const __m256i sq = _mm256_sub_epi8(nib, _mm256_set1_epi8(8));
                    const __m256i aw = _mm256_sign_epi8(sq, sq);
                    for (int c = 0; c < NC; c++) {
                        const __m256 p = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(xq[c], sq)), ones));
                        acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(dw * xd[c]), p, acc[r][c]);
                    }
                }
            }
        }
    }
    for (int r = 0; r < 4; r++) {
        for (int c = 0; c < NC; c++) out[r][c] = kern_hsum256(acc[r][c]) + extra[r][c];
    }
}

__attribute__((target("avx2,fma,f16c")))
static void kern_q8_tile_4x2_avx2(int32_t wtype, const uint8_t *const w[4], const kern_q8_block *const q[2], int64_t nb, float out[4][2]) {
    kern_q8_tile_avx2(wtype, w, q, 2, nb, out);
}

__attribute__((target("avx2,fma,f16c")))
static void kern_q8_tile_4x1_avx2(int32_t wtype, const uint8_t *const w[4], const kern_q8_block *const q[2], int64_t nb, float out[4][2]) {
    kern_q8_tile_avx2(wtype, w, q, 1, nb, out);
}
#endif

float kern_q8_dot(int isa, int32_t wtype, const void *w, const kern_q8_block *q, int64_t k) {
#if defined(__x86_64__)
    if (isa >= KERN_ISA_AVX2) return kern_q8_dot_avx2(wtype, w, q, k / 32);
#endif
    (void)isa;
    return kern_q8_dot_scalar(wtype, w, q, k / 32);
}

// ---- float path ----

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static float kern_dot_f32_avx2(const float *a, const float *b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    float r = kern_hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) r += a[i] * b[i];
    return r;
}
#endif

static float kern_dot_f32(int isa, const float *a, const float *b, int64_t n) {
#if defined(__x86_64__)
    if (isa >= KERN_ISA_AVX2) return kern_dot_f32_avx2(a, b, n);
#endif
    (void)isa;
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

// ---- driver ----

static size_t kern_align64(size_t n) { return (n + 63) & ~(size_t)63; }

size_t kern_matmul_scratch_bytes(int64_t m, int64_t k, int n_threads) {
    const size_t q8 = kern_align64((size_t)m * (size_t)((k + 31) / 32) * sizeof(kern_q8_block));
    const size_t tiles = kern_align64((size_t)n_threads * KERN_TILE_ROWS * (size_t)k * sizeof(float));
    return q8 + tiles;
}

typedef struct {
    const kern_matmul_args *a;
    kern_q8_block *q8;      // [m, k/32]
    float *tiles;           // [threads, KERN_TILE_ROWS, k]
    int64_t row_bytes;
} kern_matmul_ctx;

static void kern_matmul_quantize_task(void *p, int ti, int tn) {
    kern_matmul_ctx *c = p;
    int64_t b, e;
    kern_pool_split(c->a->m, 1, ti, tn, &b, &e);
    if (e > b) kern_q8_quantize(c->a->isa, c->a->x + b * c->a->k, c->q8 + b * (c->a->k / 32), e - b, c->a->k);
}

static void kern_matmul_rows_task(void *p, int ti, int tn) {
    kern_matmul_ctx *c = p;
    const kern_matmul_args *a = c->a;
    int64_t n0, n1;
    kern_pool_split(a->n, 4, ti, tn, &n0, &n1);
    const uint8_t *w = a->w;
    const int64_t nbk = a->k / 32;
    if (kern_is_q8_dot_type(a->wtype)) {
#if defined(__x86_64__)
        if (a->isa >= KERN_ISA_AVX2) {
            // 4 weight rows × 2 activation rows per tile; edges repeat a valid row and drop its output.
            for (int64_t j0 = n0; j0 < n1; j0 += 4) {
                const uint8_t *rows[4];
                for (int r = 0; r < 4; r++) rows[r] = w + (j0 + r < n1 ? j0 + r : n1 - 1) * c->row_bytes;
                for (int64_t i = 0; i < a->m; i += 2) {
                    const kern_q8_block *cols[2] = { c->q8 + i * nbk, c->q8 + (i + 1 < a->m ? i + 1 : i) * nbk };
                    float out[4][2];
                    if (i + 1 < a->m) kern_q8_tile_4x2_avx2(a->wtype, rows, cols, nbk, out);
                    else kern_q8_tile_4x1_avx2(a->wtype, rows, cols, nbk, out);
                    for (int r = 0; r < 4 && j0 + r < n1; r++) {
                        a->y[i * a->ldy + j0 + r] = out[r][0];
                        if (i + 1 < a->m) a->y[(i + 1) * a->ldy + j0 + r] = out[r][1];
                    }
                }
            }
            return;
        }
#endif
        for (int64_t j0 = n0; j0 < n1; j0 += KERN_TILE_ROWS) {
            const int64_t j1 = j0 + KERN_TILE_ROWS < n1 ? j0 + KERN_TILE_ROWS : n1;
            for (int64_t i = 0; i < a->m; i++) {
                const kern_q8_block *qx = c->q8 + i * nbk;
                for (int64_t j = j0; j < j1; j++) {
                    a->y[i * a->ldy + j] = kern_q8_dot(a->isa, a->wtype, w + j * c->row_bytes, qx, a->k);
                }
            }
        }
        return;
    }
    float *tile = c->tiles + (int64_t)ti * KERN_TILE_ROWS * a->k;
    for (int64_t j0 = n0; j0 < n1; j0 += KERN_TILE_ROWS) {
        const int64_t j1 = j0 + KERN_TILE_ROWS < n1 ? j0 + KERN_TILE_ROWS : n1;
        const float *rows;
        if (a->wtype == KERN_DTYPE_F32) {
            rows = (const float *)(w + j0 * c->row_bytes);
        } else {
            for (int64_t j = j0; j < j1; j++) kern_row_dequant(a->wtype, w + j * c->row_bytes, tile + (j - j0) * a->k, a->k);
            rows = tile;
        }
        for (int64_t i = 0; i < a->m; i++) {
            const float *xr = a->x + i * a->k;
            for (int64_t j = j0; j < j1; j++) a->y[i * a->ldy + j] = kern_dot_f32(a->isa, rows + (j - j0) * a->k, xr, a->k);
        }
    }
}

int kern_matmul(kern_pool *pool, const kern_matmul_args *a) {
    const int64_t be = kern_dtype_block_elems(a->wtype);
    if (!kern_dtype_is_supported(a->wtype) || be == 0 || a->k % be != 0) return -1;
    kern_matmul_ctx c;
    c.a = a;
    c.row_bytes = a->k / be * kern_dtype_block_bytes(a->wtype);
    c.q8 = a->scratch;
    c.tiles = (float *)((uint8_t *)a->scratch + kern_align64((size_t)a->m * (size_t)((a->k + 31) / 32) * sizeof(kern_q8_block)));
    if (kern_is_q8_dot_type(a->wtype)) kern_pool_run(pool, kern_matmul_quantize_task, &c);
    kern_pool_run(pool, kern_matmul_rows_task, &c);
    return 0;
}
