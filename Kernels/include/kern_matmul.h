// y = x · wᵀ for weight matrices stored in any supported tensor type.
//
// For Q4_0, Q4_1 and Q8_0 weights the activations are quantized per row on the
// fly to int8 blocks of 32 (scale rounded to f16, as ggml's q8_0/q8_1) and each
// block's dot product is taken in integers; every other type dequantizes tiles
// of weight rows to float and takes float dot products. Each y[i, j] is computed
// by the same instructions whatever m is, so batching never changes a row.
#ifndef KERN_MATMUL_H
#define KERN_MATMUL_H

#include <stddef.h>
#include <stdint.h>

#include "kern_pool.h"

// One block of 32 activations quantized to int8: x[i] ≈ d * q[i].
typedef struct kern_q8_block {
    float d;        // scale (an f16 value held in f32)
    float s;        // d · Σ q[i], rounded to f16 (ggml's q8_1 s)
    int8_t q[32];
} kern_q8_block;

typedef struct kern_matmul_args {
    int isa;                // kern_isa
    int32_t wtype;          // kern_dtype of w
    const void *w;          // [n, k]: n rows of k elements in wtype blocks
    const float *x;         // [m, k]
    float *y;               // [m, ldy]: y[i, j] for j < n
    int64_t m, n, k, ldy;
    void *scratch;          // kern_matmul_scratch_bytes(m, k, threads), 64-byte aligned
} kern_matmul_args;

size_t kern_matmul_scratch_bytes(int64_t m, int64_t k, int n_threads);

// Returns 0, or -1 when wtype is unsupported or k is not a whole number of its blocks.
int kern_matmul(kern_pool *pool, const kern_matmul_args *args);

// Quantizes rows of activations to int8 blocks (k a multiple of 32).
//   x: [m, k]   q: [m, k/32]
void kern_q8_quantize(int isa, const float *x, kern_q8_block *q, int64_t m, int64_t k);

// Dot product of one weight row (Q4_0, Q4_1 or Q8_0 blocks) with one quantized activation row.
//   w: [k/32] blocks of wtype   q: [k/32]
float kern_q8_dot(int isa, int32_t wtype, const void *w, const kern_q8_block *q, int64_t k);

#endif
