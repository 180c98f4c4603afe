#include "kern_cpu.h"

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
