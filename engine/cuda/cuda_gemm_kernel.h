#pragma once

// The CUDA GEMM kernel, exact mode (backend.h): each C[i][j] is one __fmaf_rn chain over
// p = 0..k-1 in order. A block of 16×16 threads computes a 64×64 tile of C, staging
// 16-deep slices of A and B in shared memory; each thread computes 4×4 outputs.

#include <cuda_runtime_api.h>

namespace tributary::engine {

// Tile of C computed by one thread block.
inline constexpr int kCudaTileRows = 64;
inline constexpr int kCudaTileColumns = 64;

// Enqueues C[m×n] = A[m×k]·B[k×n] on `stream` (device pointers, row-major). Returns the
// launch error, if any; execution errors surface at the next synchronisation.
cudaError_t launchCudaGemm(const float *a, const float *b, float *c, int m, int n, int k, cudaStream_t stream);

} // namespace tributary::engine
