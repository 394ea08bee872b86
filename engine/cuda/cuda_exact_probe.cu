#include "engine/cuda/cuda_exact_probe.h"

namespace tributary::engine {

namespace {

__global__ void subnormalProbeKernel(const float *a, const float *b, float *sum, float *product, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        sum[i] = a[i] + b[i];
        product[i] = a[i] * b[i];
    }
}

} // namespace

cudaError_t launchSubnormalProbe(const float *a, const float *b, float *sum, float *product, int n, cudaStream_t stream)
{
    subnormalProbeKernel<<<(n + 63) / 64, 64, 0, stream>>>(a, b, sum, product, n);
    return cudaGetLastError();
}

} // namespace tributary::engine
