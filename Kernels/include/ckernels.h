// Umbrella header of the CKernels target: every public kern_* declaration.
#ifndef CKERNELS_H
#define CKERNELS_H
#include "kern_dtype.h"
#include "kern_quant.h"
#endif
