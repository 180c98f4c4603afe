// Tensor element types and their block layouts.
// The numeric values are GGUF's (ggml_type), so a tensor's type id read from a
// file is a kern_dtype with no mapping table in between.
#ifndef KERN_DTYPE_H
#define KERN_DTYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum kern_dtype {
    KERN_DTYPE_F32  = 0,
    KERN_DTYPE_F16  = 1,
    KERN_DTYPE_Q4_0 = 2,
    KERN_DTYPE_Q4_1 = 3,
    KERN_DTYPE_Q5_0 = 6,
    KERN_DTYPE_Q5_1 = 7,
    KERN_DTYPE_Q8_0 = 8,
    KERN_DTYPE_Q8_1 = 9,
    KERN_DTYPE_Q2_K = 10,
    KERN_DTYPE_Q3_K = 11,
    KERN_DTYPE_Q4_K = 12,
    KERN_DTYPE_Q5_K = 13,
    KERN_DTYPE_Q6_K = 14,
    KERN_DTYPE_Q8_K = 15,
    KERN_DTYPE_BF16 = 30,
} kern_dtype;

// Elements per block (1 for plain float types, 32 for Q4_0..Q8_0, 256 for K-quants);
// 0 when the id is not a type Tally knows.
int64_t kern_dtype_block_elems(int32_t type);
// Bytes per block; 0 when unknown.
int64_t kern_dtype_block_bytes(int32_t type);
// Short name as ggml prints it ("q4_1", "f16"); "unknown" otherwise.
const char *kern_dtype_name(int32_t type);
// 1 when kern_row_dequant can decode this type.
int kern_dtype_is_supported(int32_t type);

// IEEE half and bfloat16 conversions (round-to-nearest-even on the way down).
float kern_fp16_to_fp32(uint16_t h);
uint16_t kern_fp16_from_fp32(float f);
float kern_bf16_to_fp32(uint16_t h);
uint16_t kern_bf16_from_fp32(float f);

#endif
