// Dequantization of GGUF tensor rows: the scalar reference every fast kernel is
// checked against. Block layouts follow ggml's definitions exactly.
#ifndef KERN_QUANT_H
#define KERN_QUANT_H

#include "kern_dtype.h"

// Block layouts (offsets in bytes; all multi-byte fields little-endian; "f16" is
// IEEE half; blocks are packed back to back with no padding or alignment).
// Within one block, element e is the e-th float of that block's output.
//
// F32  (1 elem, 4 B), F16 (1 elem, 2 B), BF16 (1 elem, 2 B): plain values.
//
// Q4_0 (32 elems, 18 B): d f16 @0 | qs[16] @2
//   qs[j] low nibble -> elem j, high nibble -> elem j+16 (j in 0..15).
//   x = (q - 8) * d.
// Q4_1 (32 elems, 20 B): d f16 @0 | m f16 @2 | qs[16] @4
//   nibble order as Q4_0.  x = q * d + m.
// Q5_0 (32 elems, 22 B): d f16 @0 | qh u32 @2 | qs[16] @6
//   low 4 bits as Q4_0; bit e of qh (LE u32) is bit 4 of elem e.
//   x = (q - 16) * d  (q in 0..31).
// Q5_1 (32 elems, 24 B): d f16 @0 | m f16 @2 | qh u32 @4 | qs[16] @8
//   bits as Q5_0.  x = q * d + m.
// Q8_0 (32 elems, 34 B): d f16 @0 | qs[32] int8 @2
//   x = qs[e] * d.
//
// K-quants: 256 elems per super-block. Below, e = 128*h + 32*k + l with
// h in 0..1, k in 0..3, l in 0..31 (the "2-bit plane" order), or
// e = 64*g + 32*u + l with g in 0..3, u in 0..1 (the "nibble" order).
//
// Q2_K (256 elems, 84 B): scales[16] @0 | qs[64] @16 | d f16 @80 | dmin f16 @82
//   16 sub-blocks of 16; scales[e/16]: low nibble sc, high nibble m (4 bits each).
//   q = (qs[32*h + l] >> 2k) & 3.   x = (d * sc) * q - dmin * m.
// Q3_K (256 elems, 110 B): hmask[32] @0 | qs[64] @32 | scales[12] @96 | d f16 @108
//   low 2 bits: (qs[32*h + l] >> 2k) & 3; high bit: (hmask[l] >> (4h + k)) & 1.
//   q = low - (high ? 0 : 4)  (range -4..3).
//   16 6-bit scales, sub-block s = e/16: low 4 bits are s < 8 ? scales[s] & 15
//   : scales[s-8] >> 4; high 2 bits are (scales[8 + s%4] >> 2*(s/4)) & 3;
//   sc = that value - 32.   x = (d * sc) * q.
// Q4_K (256 elems, 144 B): d f16 @0 | dmin f16 @2 | scales[12] @4 | qs[128] @16
//   8 sub-blocks of 32 (sub-block 2g + u); q = (qs[32*g + l] >> 4u) & 15.
//   6-bit scale sc and min m of sub-block j (ggml's get_scale_min_k4):
//     j < 4:  sc = scales[j] & 63,  m = scales[j+4] & 63
//     j >= 4: sc = (scales[j+4] & 15) | (scales[j-4] >> 6) << 4,
//             m  = (scales[j+4] >> 4) | (scales[j]   >> 6) << 4
//   x = (d * sc) * q - dmin * m.
// Q5_K (256 elems, 176 B): d f16 @0 | dmin f16 @2 | scales[12] @4 | qh[32] @16
//                          | qs[128] @48
//   as Q4_K, plus bit 4 of q = (qh[l] >> (2g + u)) & 1  (q in 0..31).
// Q6_K (256 elems, 210 B): ql[128] @0 | qh[64] @128 | scales[16] int8 @192
//                          | d f16 @208
//   low 4 bits: (ql[64*h + 32*(k%2) + l] >> 4*(k/2)) & 15;
//   high 2 bits: (qh[32*h + l] >> 2k) & 3;  q = 6-bit value - 32 (-32..31).
//   x = (d * scales[e/16]) * q.
//
// Not decoded (return -1): Q8_1, Q8_K (activation formats) and unknown ids.

// Decode n elements of one row.
//   src: [n / block_elems(type)] blocks of block_bytes(type) bytes each
//   dst: [n] floats
// n must be a multiple of kern_dtype_block_elems(type). Returns 0 on success,
// -1 when the type is not supported or n is not a whole number of blocks
// (or n < 0). Results match ggml's dequantize_row_* bit for bit.
int kern_row_dequant(int32_t type, const void *src, float *dst, int64_t n);

#endif
