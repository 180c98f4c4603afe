#define _GNU_SOURCE
#include "kern_cpu.h"

#if defined(__linux__)
#include <sched.h>
#endif

int kern_cpu_detect(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")) return KERN_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) return KERN_ISA_AVX2;
#endif
    return KERN_ISA_SCALAR;
}

const char *kern_isa_name(int isa) {
    switch (isa) {
    case KERN_ISA_AVX512: return "avx512";
    case KERN_ISA_AVX2: return "avx2";
    default: return "scalar";
    }
}

int kern_cpu_allowed(int *cpus, int cap) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    int n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < cap; c++) {
        if (CPU_ISSET(c, &set)) cpus[n++] = c;
    }
    return n;
#else
    (void)cpus; (void)cap;
    return 0;
#endif
}
