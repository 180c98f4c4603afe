// Instruction-set levels the kernels dispatch on. The caller detects the level
// once (kern_cpu_detect, or a forced level for tests) and passes it to every call.
#ifndef KERN_CPU_H
#define KERN_CPU_H

typedef enum kern_isa {
    KERN_ISA_SCALAR = 0,   // portable C, the reference
    KERN_ISA_AVX2 = 1,     // AVX2 + FMA + F16C
    KERN_ISA_AVX512 = 2,   // AVX-512 F/BW/VL + VNNI
} kern_isa;

// The best level this CPU supports.
int kern_cpu_detect(void);
// "scalar", "avx2", "avx512".
const char *kern_isa_name(int isa);

// The CPUs this process may run on, lowest first.
//   cpus: [cap]
// Returns how many were written (0 when the platform cannot tell).
int kern_cpu_allowed(int *cpus, int cap);

#endif
