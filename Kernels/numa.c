#include "kern_numa.h"

#if defined(__linux__)
#include <numa.h>

int kern_numa_nodes(void) {
    if (numa_available() < 0) return 1;
    const int n = numa_num_configured_nodes();
    return n > 0 ? n : 1;
}

int kern_numa_interleave(void *p, size_t n) {
    if (kern_numa_nodes() < 2) return 0;
    if (p == NULL || n == 0) return -1;
    numa_interleave_memory(p, n, numa_all_nodes_ptr);
    return 1;
}
#else
int kern_numa_nodes(void) { return 1; }
int kern_numa_interleave(void *p, size_t n) { (void)p; (void)n; return 0; }
#endif
