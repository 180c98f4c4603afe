#define _GNU_SOURCE
#include "kern_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#define KERN_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define KERN_PAUSE() __asm__ __volatile__("yield")
#else
#define KERN_PAUSE() ((void)0)
#endif

#define KERN_POOL_MAX 256
// Spins before a waiting thread sleeps: ~50-100 µs, longer than the gap between
// two parallel regions of one forward pass, far shorter than an idle server's wait.
#define KERN_POOL_SPINS 20000

struct kern_worker {
    kern_pool *pool;
    int index;
    int cpu;
    pthread_t thread;
};

struct kern_pool {
    _Alignas(64) _Atomic uint32_t generation;   // bumped by the caller to start a region
    _Alignas(64) _Atomic int32_t pending;       // workers still running the region
    _Alignas(64) _Atomic uint32_t done_seq;     // futex word the caller sleeps on
    _Atomic int stop;
    kern_pool_task task;
    void *ctx;
    int n_threads;
    struct kern_worker workers[KERN_POOL_MAX];
};

static void kern_futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
#else
    (void)addr; (void)expected;
    sched_yield();
#endif
}

static void kern_futex_wake_all(_Atomic uint32_t *addr) {
#if defined(__linux__)
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
#else
    (void)addr;
#endif
}

// Waits until *addr != seen: spins first, then sleeps on the futex.
static uint32_t kern_wait_change(_Atomic uint32_t *addr, uint32_t seen) {
    for (int i = 0; i < KERN_POOL_SPINS; i++) {
        uint32_t now = atomic_load_explicit(addr, memory_order_acquire);
        if (now != seen) return now;
        KERN_PAUSE();
    }
    for (;;) {
        uint32_t now = atomic_load_explicit(addr, memory_order_acquire);
        if (now != seen) return now;
        kern_futex_wait(addr, seen);
    }
}

static void *kern_worker_main(void *arg) {
    struct kern_worker *w = arg;
    kern_pool *pool = w->pool;
#if defined(__linux__)
    if (w->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
#endif
    uint32_t seen = 0;
    for (;;) {
        seen = kern_wait_change(&pool->generation, seen);
        if (atomic_load_explicit(&pool->stop, memory_order_acquire)) return NULL;
        pool->task(pool->ctx, w->index, pool->n_threads);
        if (atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel) == 1) {
            atomic_fetch_add_explicit(&pool->done_seq, 1, memory_order_release);
            kern_futex_wake_all(&pool->done_seq);
        }
    }
}

size_t kern_pool_bytes(int n_threads) {
    (void)n_threads;
    return sizeof(kern_pool);
}

int kern_pool_start(kern_pool *pool, int n_threads, const int *cpus) {
    if (n_threads < 1) n_threads = 1;
    if (n_threads > KERN_POOL_MAX) n_threads = KERN_POOL_MAX;
    memset(pool, 0, sizeof(*pool));
    pool->n_threads = n_threads;
    for (int i = 1; i < n_threads; i++) {
        struct kern_worker *w = &pool->workers[i];
        w->pool = pool;
        w->index = i;
        w->cpu = cpus ? cpus[i] : -1;
        if (pthread_create(&w->thread, NULL, kern_worker_main, w) != 0) {
            pool->n_threads = i;
            kern_pool_stop(pool);
            return -1;
        }
    }
    return 0;
}

void kern_pool_run(kern_pool *pool, kern_pool_task task, void *ctx) {
    const int n = pool->n_threads;
    if (n == 1) {
        task(ctx, 0, 1);
        return;
    }
    pool->task = task;
    pool->ctx = ctx;
    const uint32_t done = atomic_load_explicit(&pool->done_seq, memory_order_acquire);
    atomic_store_explicit(&pool->pending, n - 1, memory_order_release);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_acq_rel);
    kern_futex_wake_all(&pool->generation);
    task(ctx, 0, n);
    kern_wait_change(&pool->done_seq, done);
}

int kern_pool_threads(const kern_pool *pool) {
    return pool->n_threads;
}

void kern_pool_stop(kern_pool *pool) {
    atomic_store_explicit(&pool->stop, 1, memory_order_release);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_acq_rel);
    kern_futex_wake_all(&pool->generation);
    for (int i = 1; i < pool->n_threads; i++) pthread_join(pool->workers[i].thread, NULL);
    pool->n_threads = 1;
    atomic_store_explicit(&pool->stop, 0, memory_order_release);
}

void kern_pool_split(int64_t n, int64_t align, int thread_index, int thread_count, int64_t *begin, int64_t *end) {
    if (align < 1) align = 1;
    const int64_t units = (n + align - 1) / align;
    const int64_t per = units / thread_count, extra = units % thread_count;
    const int64_t b = thread_index * per + (thread_index < extra ? thread_index : extra);
    const int64_t e = b + per + (thread_index < extra ? 1 : 0);
    *begin = b * align < n ? b * align : n;
    *end = e * align < n ? e * align : n;
}
