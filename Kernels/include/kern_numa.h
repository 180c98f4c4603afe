// NUMA placement through libnuma. On a single-node host (or where libnuma reports
// NUMA unavailable) every call is a no-op that says so through its return value.
#ifndef KERN_NUMA_H
#define KERN_NUMA_H

#include <stddef.h>

// Memory nodes this host has (1 when NUMA is unavailable).
int kern_numa_nodes(void);

// Interleaves the pages of a region across all memory nodes.
//   p: [n] bytes, page-aligned (an mmap'd file, say)
// Returns 1 when placement was applied, 0 when it is a no-op (one node), -1 on error.
int kern_numa_interleave(void *p, size_t n);

#endif
