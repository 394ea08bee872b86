#include "engine/cuda/cuda_gemm_kernel.h"

namespace tributary::engine {

namespace {

constexpr int kThreadsX = 16;
constexpr int kThreadsY = 16;
constexpr int kThreadRows = kCudaTileRows / kThreadsY;       // 4
constexpr int kThreadColumns = kCudaTileColumns / kThreadsX; // 4
constexpr int kDepth = 16;

// Thread (x, y) owns rows y + i·16 and columns x + j·16 of the block's tile, so a warp
// reads consecutive shared-memory words and writes consecutive words of C.
__global__ void __launch_bounds__(kThreadsX * kThreadsY)
    gemmKernel(const float *__restrict__ a, const float *__restrict__ b, float *__restrict__ c, int m, int n, int k)
{
    __shared__ float tileA[kDepth][kCudaTileRows];
    __shared__ float tileB[kDepth][kCudaTileColumns];

    const int tx = threadIdx.x;
    const int ty = threadIdx.y;
    const int tid = ty * kThreadsX + tx;
    const int row0 = blockIdx.y * kCudaTileRows;
    const int col0 = blockIdx.x * kCudaTileColumns;
    const auto ldA = static_cast<size_t>(k);
    const auto ldB = static_cast<size_t>(n);

    float acc[kThreadRows][kThreadColumns];
#pragma unroll
    for (int i = 0; i < kThreadRows; ++i) {
#pragma unroll
        for (int j = 0; j < kThreadColumns; ++j)
            acc[i][j] = 0.0f;
    }

    for (int p0 = 0; p0 < k; p0 += kDepth) {
        // Out-of-range elements are staged as zero but never used: the loop below runs
        // exactly the remaining kc steps, and edge rows/columns are not stored.
        for (int e = tid; e < kCudaTileRows * kDepth; e += kThreadsX * kThreadsY) {
            const int r = e / kDepth;
            const int p = e % kDepth;
            const int gr = row0 + r;
            const int gp = p0 + p;
            tileA[p][r] = (gr < m && gp < k) ? a[static_cast<size_t>(gr) * ldA + gp] : 0.0f;
        }
        for (int e = tid; e < kDepth * kCudaTileColumns; e += kThreadsX * kThreadsY) {
            const int p = e / kCudaTileColumns;
            const int col = e % kCudaTileColumns;
            const int gp = p0 + p;
            const int gc = col0 + col;
            tileB[p][col] = (gp < k && gc < n) ? b[static_cast<size_t>(gp) * ldB + gc] : 0.0f;
        }
        __syncthreads();

        const int kc = min(kDepth, k - p0);
        for (int p = 0; p < kc; ++p) {
            float av[kThreadRows];
            float bv[kThreadColumns];
#pragma unroll
            for (int i = 0; i < kThreadRows; ++i)
                av[i] = tileA[p][ty + i * kThreadsY];
#pragma unroll
            for (int j = 0; j < kThreadColumns; ++j)
                bv[j] = tileB[p][tx + j * kThreadsX];
#pragma unroll
            for (int i = 0; i < kThreadRows; ++i) {
#pragma unroll
                for (int j = 0; j < kThreadColumns; ++j)
                    acc[i][j] = __fmaf_rn(av[i], bv[j], acc[i][j]);
            }
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < kThreadRows; ++i) {
        const int r = row0 + ty + i * kThreadsY;
        if (r >= m)
            continue;
#pragma unroll
        for (int j = 0; j < kThreadColumns; ++j) {
            const int col = col0 + tx + j * kThreadsX;
            if (col < n)
                c[static_cast<size_t>(r) * ldB + col] = acc[i][j];
        }
    }
}

} // namespace

cudaError_t launchCudaGemm(const float *a, const float *b, float *c, int m, int n, int k, cudaStream_t stream)
{
    const dim3 block(kThreadsX, kThreadsY);
    const dim3 grid(static_cast<unsigned>((static_cast<long long>(n) + kCudaTileColumns - 1) / kCudaTileColumns),
                    static_cast<unsigned>((static_cast<long long>(m) + kCudaTileRows - 1) / kCudaTileRows));
    gemmKernel<<<grid, block, 0, stream>>>(a, b, c, m, n, k);
    return cudaGetLastError();
}

} // namespace tributary::engine
