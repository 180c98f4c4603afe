// Umbrella header of the CKernels target: every public kern_* declaration.
#ifndef CKERNELS_H
#define CKERNELS_H
#include "kern_attention.h"
#include "kern_cpu.h"
#include "kern_dtype.h"
#include "kern_matmul.h"
#include "kern_numa.h"
#include "kern_ops.h"
#include "kern_pool.h"
#include "kern_quant.h"
#endif
