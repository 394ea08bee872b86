#include "engine/cpu/gemm_kernel.h"

#include <cmath>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TRIBUTARY_X86 1
#endif

namespace tributary::engine {

namespace {

constexpr int kPortableRows = 4;

void portableKernel(const GemmTile &t)
{
    float acc[kPortableRows][kPanelWidth];
    for (int r = 0; r < t.rows; ++r) {
        for (int j = 0; j < kPanelWidth; ++j)
            acc[r][j] = t.accumulate ? t.c[r * t.ldc + j] : 0.0f;
    }
    for (int p = 0; p < t.kc; ++p) {
        const float *bRow = t.b + p * kPanelWidth;
        for (int r = 0; r < t.rows; ++r) {
            const float a = t.a[r * t.lda + p];
            for (int j = 0; j < kPanelWidth; ++j)
                acc[r][j] = std::fma(a, bRow[j], acc[r][j]);
        }
    }
    for (int r = 0; r < t.rows; ++r) {
        for (int j = 0; j < kPanelWidth; ++j)
            t.c[r * t.ldc + j] = acc[r][j];
    }
}

#ifdef TRIBUTARY_X86

constexpr int kAvx2Rows = 6;

// 6 rows × 16 columns: 12 accumulators, 2 B vectors and a broadcast fill 15 of 16 ymm registers.
template <int Rows>
__attribute__((target("avx2,fma"))) void avx2Tile(const GemmTile &t)
{
    __m256 acc[Rows][2];
#pragma GCC unroll 6
    for (int r = 0; r < Rows; ++r) {
        if (t.accumulate) {
            acc[r][0] = _mm256_loadu_ps(t.c + r * t.ldc);
            acc[r][1] = _mm256_loadu_ps(t.c + r * t.ldc + 8);
        } else {
            acc[r][0] = _mm256_setzero_ps();
            acc[r][1] = _mm256_setzero_ps();
        }
    }
    const float *b = t.b;
    for (int p = 0; p < t.kc; ++p, b += kPanelWidth) {
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
        for (int r = 0; r < Rows; ++r) {
            const __m256 a = _mm256_broadcast_ss(t.a + r * t.lda + p);
            acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < Rows; ++r) {
        _mm256_storeu_ps(t.c + r * t.ldc, acc[r][0]);
        _mm256_storeu_ps(t.c + r * t.ldc + 8, acc[r][1]);
    }
}

void avx2Kernel(const GemmTile &t)
{
    switch (t.rows) {
    case 6: avx2Tile<6>(t); break;
    case 5: avx2Tile<5>(t); break;
    case 4: avx2Tile<4>(t); break;
    case 3: avx2Tile<3>(t); break;
    case 2: avx2Tile<2>(t); break;
    default: avx2Tile<1>(t); break;
    }
}

#endif

} // namespace

GemmKernel portableGemmKernel()
{
    return {portableKernel, kPortableRows, "portable"};
}

GemmKernel selectGemmKernel()
{
#ifdef TRIBUTARY_X86
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return {avx2Kernel, kAvx2Rows, "avx2+fma"};
#endif
    return portableGemmKernel();
}

} // namespace tributary::engine
