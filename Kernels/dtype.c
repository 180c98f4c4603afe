// Block layouts of the tensor types (ggml's definitions) and float16/bfloat16.
#include "kern_dtype.h"

#include <string.h>

typedef struct { int32_t type; int64_t elems; int64_t bytes; const char *name; } kern_layout;

static const kern_layout kern_layouts[] = {
    { KERN_DTYPE_F32,  1,   4,   "f32"  },
    { KERN_DTYPE_F16,  1,   2,   "f16"  },
    { KERN_DTYPE_BF16, 1,   2,   "bf16" },
    { KERN_DTYPE_Q4_0, 32,  18,  "q4_0" },   // f16 d; 16 bytes of nibbles
    { KERN_DTYPE_Q4_1, 32,  20,  "q4_1" },   // f16 d, f16 m; 16 bytes of nibbles
    { KERN_DTYPE_Q5_0, 32,  22,  "q5_0" },   // f16 d; 4 bytes high bits; 16 bytes nibbles
    { KERN_DTYPE_Q5_1, 32,  24,  "q5_1" },   // f16 d, f16 m; 4 bytes high bits; 16 bytes nibbles
    { KERN_DTYPE_Q8_0, 32,  34,  "q8_0" },   // f16 d; 32 int8
    { KERN_DTYPE_Q8_1, 32,  36,  "q8_1" },   // f16 d, f16 s; 32 int8
    { KERN_DTYPE_Q2_K, 256, 84,  "q2_K" },   // 16 scales/mins bytes, 64 bytes q, f16 d, f16 dmin
    { KERN_DTYPE_Q3_K, 256, 110, "q3_K" },   // 32 bytes hmask, 64 bytes q, 12 bytes scales, f16 d
    { KERN_DTYPE_Q4_K, 256, 144, "q4_K" },   // f16 d, f16 dmin, 12 bytes scales, 128 bytes q
    { KERN_DTYPE_Q5_K, 256, 176, "q5_K" },   // f16 d, f16 dmin, 12 bytes scales, 32 bytes qh, 128 bytes q
    { KERN_DTYPE_Q6_K, 256, 210, "q6_K" },   // 128 bytes ql, 64 bytes qh, 16 int8 scales, f16 d
    { KERN_DTYPE_Q8_K, 256, 292, "q8_K" },   // f32 d, 256 int8, 16 int16 bsums
};

static const kern_layout *kern_layout_find(int32_t type) {
    for (size_t i = 0; i < sizeof(kern_layouts) / sizeof(kern_layouts[0]); i++) {
        if (kern_layouts[i].type == type) return &kern_layouts[i];
    }
    return NULL;
}

int64_t kern_dtype_block_elems(int32_t type) {
    const kern_layout *l = kern_layout_find(type);
    return l ? l->elems : 0;
}

int64_t kern_dtype_block_bytes(int32_t type) {
    const kern_layout *l = kern_layout_find(type);
    return l ? l->bytes : 0;
}

const char *kern_dtype_name(int32_t type) {
    const kern_layout *l = kern_layout_find(type);
    return l ? l->name : "unknown";
}

int kern_dtype_is_supported(int32_t type) {
    // Q8_1 and Q8_K are activation formats: Tally never loads weights in them.
    return kern_layout_find(type) != NULL && type != KERN_DTYPE_Q8_1 && type != KERN_DTYPE_Q8_K;
}

float kern_fp16_to_fp32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {                                   // subnormal: normalize
            int e = -1;
            do { mant <<= 1; e++; } while ((mant & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);  // inf / nan
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t kern_fp16_from_fp32(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) {                     // inf or nan
        return (uint16_t)(sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0));
    }
    if (absx >= 0x477ff000u) return (uint16_t)(sign | 0x7c00);   // rounds to >= 65536: inf
    if (absx < 0x38800000u) {                      // result is subnormal or zero
        if (absx < 0x33000000u) return (uint16_t)sign;            // < half of smallest subnormal
        const uint32_t e = absx >> 23;
        const uint32_t m = (absx & 0x7fffff) | 0x800000;
        const uint32_t shift = 126 - e;            // 14 + (112 - e) + ... keeps 10 bits
        const uint32_t q = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1);
        const uint32_t half = 1u << (shift - 1);
        uint32_t r = q + (rem > half || (rem == half && (q & 1)));
        return (uint16_t)(sign | r);
    }
    uint32_t r = absx - 0x38000000u;               // rebias exponent 127 -> 15
    const uint32_t rem = r & 0x1fff;
    r >>= 13;
    if (rem > 0x1000 || (rem == 0x1000 && (r & 1))) r++;
    return (uint16_t)(sign | r);
}

float kern_bf16_to_fp32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t kern_bf16_from_fp32(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);   // quiet nan
    return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}
