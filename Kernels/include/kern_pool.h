// A fork-join thread pool for the kernels: pinned workers that spin briefly on a
// generation counter, then sleep on a futex, so a parallel region costs well
// under a microsecond while a busy server runs and an idle one burns no core.
//
// The caller owns the memory: kern_pool_bytes(n) bytes, aligned to 64.
#ifndef KERN_POOL_H
#define KERN_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct kern_pool kern_pool;

// One parallel task: called once on every thread with its index in [0, n).
typedef void (*kern_pool_task)(void *ctx, int thread_index, int thread_count);

// Bytes a pool of n_threads threads (the caller's thread counts as one) needs.
size_t kern_pool_bytes(int n_threads);

// Starts n_threads - 1 workers in caller-provided memory.
//   pool: kern_pool_bytes(n_threads) bytes, 64-byte aligned
//   cpus: [n_threads] CPU ids to pin thread i to (cpus[0] is the caller's and is not
//         pinned), or NULL for no pinning
// Returns 0, or -1 when a worker could not be started (none are left running).
int kern_pool_start(kern_pool *pool, int n_threads, const int *cpus);

// Runs task(ctx, i, n) on every thread i (i == 0 on the caller) and returns when all finished.
void kern_pool_run(kern_pool *pool, kern_pool_task task, void *ctx);

// Threads in the pool (>= 1).
int kern_pool_threads(const kern_pool *pool);

// Stops and joins the workers.
void kern_pool_stop(kern_pool *pool);

// Splits [0, n) into equal chunks of `align` elements; thread i gets [*begin, *end).
void kern_pool_split(int64_t n, int64_t align, int thread_index, int thread_count, int64_t *begin, int64_t *end);

#endif
