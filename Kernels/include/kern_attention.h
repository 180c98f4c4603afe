// Attention over a paged KV cache: each sequence's keys and values live in
// fixed-size blocks named by its block table, stored as IEEE half floats. A token at position p attends to
// positions 0...p of its own sequence, so decode, prefill and chunked prefill
// (causal within the chunk, full over the cached past) are the same call.
#ifndef KERN_ATTENTION_H
#define KERN_ATTENTION_H

#include <stdint.h>

#include "kern_pool.h"

typedef struct kern_attention_args {
    int isa;                        // kern_isa
    const float *q;                 // [n_tokens, n_head, head_dim]
    float *out;                     // [n_tokens, n_head, head_dim]
    const uint16_t *k_cache;        // [n_blocks, block_size, n_kv_head, head_dim] f16
    const uint16_t *v_cache;        // [n_blocks, block_size, n_kv_head, head_dim] f16
    const int32_t *block_tables;    // [n_seqs, max_blocks]: block ids of each sequence, in order
    const int32_t *token_seq;       // [n_tokens]: row of block_tables each token reads
    const int32_t *token_pos;       // [n_tokens]: position of each token (it sees 0...pos)
    float *scratch;                 // [n_threads, 2 * head_dim + 64]
    int32_t max_blocks;
    int32_t n_tokens;
    int32_t n_head;
    int32_t n_kv_head;              // n_head is a multiple of it (GQA)
    int32_t head_dim;
    int32_t block_size;
    float scale;                    // usually 1/sqrt(head_dim)
} kern_attention_args;

void kern_attention_paged(kern_pool *pool, const kern_attention_args *args);

// Scratch floats per thread that kern_attention_paged needs.
int64_t kern_attention_scratch_floats(int32_t head_dim);

// Writes each token's key and value rows, rounded to f16, into its cache slot
// (block * block_size + offset).
//   k, v: [n_tokens, kv_dim]   slots: [n_tokens]   k_cache, v_cache: [n_slots, kv_dim] f16
void kern_kv_store(int isa, const float *k, const float *v, const int32_t *slots, int32_t n_tokens, int32_t kv_dim,
                   uint16_t *k_cache, uint16_t *v_cache);

#endif
