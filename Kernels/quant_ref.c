// Scalar reference dequantization of GGUF rows (see kern_quant.h for the block
// layouts). Every fast kernel is checked against these loops, so they favour
// plain byte-level reads over speed: no block structs, no alignment assumptions,
// little-endian fields assembled from bytes. The arithmetic order follows ggml's
// dequantize_row_* (e.g. (d * scale) * q - (dmin * min)) so results match bit
// for bit.
#include "kern_quant.h"

#include <string.h>

// Little-endian 16-bit field at p.
//   p: [2] bytes
static inline uint16_t kern_le16_load(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

// Little-endian 32-bit field at p.
//   p: [4] bytes
static inline uint32_t kern_le32_load(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

// fp16 field at p, widened.
//   p: [2] bytes
static inline float kern_f16_load(const uint8_t *p) {
    return kern_fp16_to_fp32(kern_le16_load(p));
}

// ---------------------------------------------------------------- plain floats

// src: [n] little-endian f32 (4 bytes each); dst: [n]
static void kern_f32_dequant(const uint8_t *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const uint32_t bits = kern_le32_load(src + 4 * i);
        memcpy(&dst[i], &bits, 4);
    }
}

// src: [n] little-endian f16 (2 bytes each); dst: [n]
static void kern_f16_dequant(const uint8_t *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = kern_fp16_to_fp32(kern_le16_load(src + 2 * i));
}

// src: [n] little-endian bf16 (2 bytes each); dst: [n]
static void kern_bf16_dequant(const uint8_t *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = kern_bf16_to_fp32(kern_le16_load(src + 2 * i));
}

// ------------------------------------------------------------- 32-element blocks

// One Q4_0 block: d f16 @0, qs[16] @2.
//   b: [18] bytes; y: [32]
static void kern_q4_0_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    const uint8_t *qs = b + 2;
    for (int j = 0; j < 16; j++) {
        const int lo = (qs[j] & 0x0f) - 8;
        const int hi = (qs[j] >> 4) - 8;
        y[j] = lo * d;
        y[j + 16] = hi * d;
    }
}

// One Q4_1 block: d f16 @0, m f16 @2, qs[16] @4.
//   b: [20] bytes; y: [32]
static void kern_q4_1_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    const float m = kern_f16_load(b + 2);
    const uint8_t *qs = b + 4;
    for (int j = 0; j < 16; j++) {
        const int lo = qs[j] & 0x0f;
        const int hi = qs[j] >> 4;
        y[j] = lo * d + m;
        y[j + 16] = hi * d + m;
    }
}

// One Q5_0 block: d f16 @0, qh u32 (LE) @2, qs[16] @6. Bit j of qh is bit 4 of element j.
//   b: [22] bytes; y: [32]
static void kern_q5_0_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    const uint32_t qh = kern_le32_load(b + 2);
    const uint8_t *qs = b + 6;
    for (int j = 0; j < 16; j++) {
        const int lo = (int)((qs[j] & 0x0f) | (((qh >> j) & 1u) << 4)) - 16;
        const int hi = (int)((qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4)) - 16;
        y[j] = lo * d;
        y[j + 16] = hi * d;
    }
}

// One Q5_1 block: d f16 @0, m f16 @2, qh u32 (LE) @4, qs[16] @8.
//   b: [24] bytes; y: [32]
static void kern_q5_1_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    const float m = kern_f16_load(b + 2);
    const uint32_t qh = kern_le32_load(b + 4);
    const uint8_t *qs = b + 8;
    for (int j = 0; j < 16; j++) {
        const int lo = (int)((qs[j] & 0x0f) | (((qh >> j) & 1u) << 4));
        const int hi = (int)((qs[j] >> 4) | (((qh >> (j + 16)) & 1u) << 4));
        y[j] = lo * d + m;
        y[j + 16] = hi * d + m;
    }
}

// One Q8_0 block: d f16 @0, qs[32] int8 @2.
//   b: [34] bytes; y: [32]
static void kern_q8_0_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    for (int j = 0; j < 32; j++) y[j] = (int8_t)b[2 + j] * d;
}

// ------------------------------------------------------------------- K-quants

// 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes shared by
// Q4_K and Q5_K (ggml's get_scale_min_k4):
//   j < 4: scale = s[j] & 63,                          min = s[j+4] & 63
//   j >= 4: scale = (s[j+4] & 15) | (s[j-4] >> 6) << 4, min = (s[j+4] >> 4) | (s[j] >> 6) << 4
//   s: [12] bytes; sc: [1]; mn: [1]
static inline void kern_k4_scale_min_get(int j, const uint8_t *s, uint8_t *sc, uint8_t *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (uint8_t)((s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4));
        *mn = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

// One Q2_K block: scales[16] @0 (low nibble scale, high nibble min), qs[64] @16,
// d f16 @80, dmin f16 @82. Element e = 128*h + 32*k + l (h in 0..1, k in 0..3,
// l in 0..31) is bits 2k..2k+1 of qs[32*h + l], with sub-block 16-elem index e/16.
//   b: [84] bytes; y: [256]
static void kern_q2_k_block_dequant(const uint8_t *b, float *y) {
    const uint8_t *scales = b;
    const uint8_t *qs = b + 16;
    const float d = kern_f16_load(b + 80);
    const float dmin = kern_f16_load(b + 82);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        const uint8_t sm = scales[e / 16];
        const float dl = d * (sm & 0x0f);
        const float ml = dmin * (sm >> 4);
        const int q = (qs[32 * h + l] >> (2 * k)) & 3;
        y[e] = dl * q - ml;
    }
}

// The sixteen 6-bit Q3_K scales from their 12 packed bytes, offset removed:
//   low 4 bits of scale j: j < 8 ? s[j] & 15 : s[j-8] >> 4
//   high 2 bits of scale j: (s[8 + j%4] >> 2*(j/4)) & 3
//   result: that 6-bit value - 32 (range -32..31)
//   s: [12] bytes; out: [16]
static void kern_q3_k_scales_unpack(const uint8_t *s, int8_t *out) {
    for (int j = 0; j < 16; j++) {
        const int lo = j < 8 ? (s[j] & 0x0f) : (s[j - 8] >> 4);
        const int hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        out[j] = (int8_t)((lo | (hi << 4)) - 32);
    }
}

// One Q3_K block: hmask[32] @0, qs[64] @32, scales[12] @96, d f16 @108.
// Element e = 128*h + 32*k + l: low 2 bits are bits 2k..2k+1 of qs[32*h + l];
// the value is low - 4 when bit (4*h + k) of hmask[l] is clear, low when set.
//   b: [110] bytes; y: [256]
static void kern_q3_k_block_dequant(const uint8_t *b, float *y) {
    const uint8_t *hmask = b;
    const uint8_t *qs = b + 32;
    int8_t scales[16];
    kern_q3_k_scales_unpack(b + 96, scales);
    const float d = kern_f16_load(b + 108);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        const float dl = d * (scales[e / 16]);
        const int lo = (qs[32 * h + l] >> (2 * k)) & 3;
        const int high_set = (hmask[l] >> (4 * h + k)) & 1;
        y[e] = dl * (lo - (high_set ? 0 : 4));
    }
}

// One Q4_K block: d f16 @0, dmin f16 @2, scales[12] @4, qs[128] @16.
// Element e = 64*g + 32*u + l (g in 0..3, u in 0..1): nibble u of qs[32*g + l],
// sub-block 2*g + u.
//   b: [144] bytes; y: [256]
static void kern_q4_k_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    const float dmin = kern_f16_load(b + 2);
    const uint8_t *scales = b + 4;
    const uint8_t *qs = b + 16;
    for (int g = 0; g < 4; g++) {
        for (int u = 0; u < 2; u++) {
            uint8_t sc, mn;
            kern_k4_scale_min_get(2 * g + u, scales, &sc, &mn);
            const float dl = d * sc;
            const float ml = dmin * mn;
            for (int l = 0; l < 32; l++) {
                const int q = (qs[32 * g + l] >> (4 * u)) & 0x0f;
                y[64 * g + 32 * u + l] = dl * q - ml;
            }
        }
    }
}

// One Q5_K block: d f16 @0, dmin f16 @2, scales[12] @4, qh[32] @16, qs[128] @48.
// Element e = 64*g + 32*u + l: low 4 bits as in Q4_K, bit 4 is bit (2*g + u) of qh[l].
//   b: [176] bytes; y: [256]
static void kern_q5_k_block_dequant(const uint8_t *b, float *y) {
    const float d = kern_f16_load(b);
    const float dmin = kern_f16_load(b + 2);
    const uint8_t *scales = b + 4;
    const uint8_t *qh = b + 16;
    const uint8_t *qs = b + 48;
    for (int g = 0; g < 4; g++) {
        for (int u = 0; u < 2; u++) {
            uint8_t sc, mn;
            kern_k4_scale_min_get(2 * g + u, scales, &sc, &mn);
            const float dl = d * sc;
            const float ml = dmin * mn;
            for (int l = 0; l < 32; l++) {
                const int lo = (qs[32 * g + l] >> (4 * u)) & 0x0f;
                const int hi = (qh[l] >> (2 * g + u)) & 1;
                y[64 * g + 32 * u + l] = dl * (lo + 16 * hi) - ml;
            }
        }
    }
}

// One Q6_K block: ql[128] @0, qh[64] @128, scales[16] int8 @192, d f16 @208.
// Element e = 128*h + 32*k + l (k in 0..3): low 4 bits are nibble (k/2) of
// ql[64*h + 32*(k%2) + l], high 2 bits are bits 2k..2k+1 of qh[32*h + l];
// value = 6-bit q - 32, scale = scales[e/16].
//   b: [210] bytes; y: [256]
static void kern_q6_k_block_dequant(const uint8_t *b, float *y) {
    const uint8_t *ql = b;
    const uint8_t *qh = b + 128;
    const int8_t *scales = (const int8_t *)(b + 192);
    const float d = kern_f16_load(b + 208);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        const int lo = (ql[64 * h + 32 * (k % 2) + l] >> (4 * (k / 2))) & 0x0f;
        const int hi = (qh[32 * h + l] >> (2 * k)) & 3;
        const int q = (lo | (hi << 4)) - 32;
        y[e] = d * scales[e / 16] * q;
    }
}

// ------------------------------------------------------------------ dispatch

typedef void (*kern_block_dequant_fn)(const uint8_t *b, float *y);

int kern_row_dequant(int32_t type, const void *src, float *dst, int64_t n) {
    if (n < 0 || !kern_dtype_is_supported(type)) return -1;
    const int64_t elems = kern_dtype_block_elems(type);
    const int64_t bytes = kern_dtype_block_bytes(type);
    if (elems <= 0 || bytes <= 0 || n % elems != 0) return -1;
    const uint8_t *s = (const uint8_t *)src;

    kern_block_dequant_fn fn = NULL;
    switch (type) {
    case KERN_DTYPE_F32:  kern_f32_dequant(s, dst, n);  return 0;
    case KERN_DTYPE_F16:  kern_f16_dequant(s, dst, n);  return 0;
    case KERN_DTYPE_BF16: kern_bf16_dequant(s, dst, n); return 0;
    case KERN_DTYPE_Q4_0: fn = kern_q4_0_block_dequant; break;
    case KERN_DTYPE_Q4_1: fn = kern_q4_1_block_dequant; break;
    case KERN_DTYPE_Q5_0: fn = kern_q5_0_block_dequant; break;
    case KERN_DTYPE_Q5_1: fn = kern_q5_1_block_dequant; break;
    case KERN_DTYPE_Q8_0: fn = kern_q8_0_block_dequant; break;
    case KERN_DTYPE_Q2_K: fn = kern_q2_k_block_dequant; break;
    case KERN_DTYPE_Q3_K: fn = kern_q3_k_block_dequant; break;
    case KERN_DTYPE_Q4_K: fn = kern_q4_k_block_dequant; break;
    case KERN_DTYPE_Q5_K: fn = kern_q5_k_block_dequant; break;
    case KERN_DTYPE_Q6_K: fn = kern_q6_k_block_dequant; break;
    default: return -1;
    }
    const int64_t nb = n / elems;
    for (int64_t i = 0; i < nb; i++) fn(s + i * bytes, dst + i * elems);
    return 0;
}
