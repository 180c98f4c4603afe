// Dequantization of GGUF tensor rows: the scalar reference every fast kernel is
// checked against. Block layouts follow ggml's definitions exactly.
#ifndef KERN_QUANT_H
#define KERN_QUANT_H

#include "kern_dtype.h"

// Decode n elements of one row.
//   src: [n / block_elems(type)] blocks of block_bytes(type) bytes each
//   dst: [n] floats
// n must be a multiple of kern_dtype_block_elems(type). Returns 0 on success,
// -1 when the type is not supported or n is not a whole number of blocks.
int kern_row_dequant(int32_t type, const void *src, float *dst, int64_t n);

#endif
