// Read bandwidth probe: T threads each sum their share of a buffer much larger than
// the caches, repeated R times; prints the median GB/s. The decode ceiling is
// (weight bytes per token) / this.
//   cc -O2 -mavx2 -pthread bench/membw.c -o /tmp/membw && /tmp/membw [threads] [MiB] [reps]
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { const float *p; size_t n; double sum; } part;

static void *reader(void *arg) {
    part *pt = arg;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i + 32 <= pt->n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_load_ps(pt->p + i));
        a1 = _mm256_add_ps(a1, _mm256_load_ps(pt->p + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_load_ps(pt->p + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_load_ps(pt->p + i + 24));
    }
    float o[8];
    _mm256_storeu_ps(o, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    pt->sum = o[0] + o[1] + o[2] + o[3] + o[4] + o[5] + o[6] + o[7];
    return NULL;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    size_t mib = argc > 2 ? (size_t)atol(argv[2]) : 1024;
    int reps = argc > 3 ? atoi(argv[3]) : 9;
    size_t n = mib * 1048576 / sizeof(float);
    float *buf = aligned_alloc(64, n * sizeof(float));
    for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 1023);
    double gbs[64];
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        pthread_t th[64];
        part pt[64];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int t = 0; t < threads; t++) {
            pt[t].p = buf + n / threads * t;
            pt[t].n = n / threads;
            pthread_create(&th[t], NULL, reader, &pt[t]);
        }
        for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        gbs[r] = (double)n * sizeof(float) / s / 1e9;
    }
    qsort(gbs, reps, sizeof(double), cmp);
    printf("threads %d, %zu MiB, %d reps: median %.1f GB/s (min %.1f, max %.1f)\n", threads, mib, reps, gbs[reps / 2], gbs[0], gbs[reps - 1]);
    free(buf);
    return 0;
}
