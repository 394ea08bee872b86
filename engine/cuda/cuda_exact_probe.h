#pragma once

// The subnormal probe of exact_mode_check.h as a CUDA kernel: sum[i] = a[i] + b[i] and
// product[i] = a[i] * b[i] with plain float operations (built like every kernel here:
// -ftz=false, --fmad=false).

#include <cuda_runtime_api.h>

namespace tributary::engine {

// Enqueues the probe on `stream` (device pointers, n elements each).
cudaError_t launchSubnormalProbe(const float *a, const float *b, float *sum, float *product, int n,
                                 cudaStream_t stream);

} // namespace tributary::engine
