#include "engine/cpu/gemm_kernel.h"

#include <array>
#include <cmath>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TRIBUTARY_X86 1
#endif

namespace tributary::engine {

namespace {

using TileFunction = void (*)(const GemmTile &tile);

// Dispatch on the row count of a tile: entry r - 1 runs Tile<r>, so every unrolled
// variant keeps its accumulators in registers.
template<template<int> class Tile, std::size_t... Rows> constexpr auto tileTable(std::index_sequence<Rows...>)
{
    return std::array<TileFunction, sizeof...(Rows)> { Tile<static_cast<int>(Rows) + 1>::run... };
}

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

// 6 rows × 16 columns: 12 accumulators, 2 B vectors and a broadcast fill 15 of 16 ymm
// registers, so the 32-wide panel is done as two 16-wide halves, each its own pass over p.
template<int Rows> struct Avx2Tile {
    __attribute__((target("avx2,fma"))) static void half(const GemmTile &t, int column)
    {
        __m256 acc[Rows][2];
#pragma GCC unroll 6
        for (int r = 0; r < Rows; ++r) {
            if (t.accumulate) {
                acc[r][0] = _mm256_loadu_ps(t.c + r * t.ldc + column);
                acc[r][1] = _mm256_loadu_ps(t.c + r * t.ldc + column + 8);
            } else {
                acc[r][0] = _mm256_setzero_ps();
                acc[r][1] = _mm256_setzero_ps();
            }
        }
        const float *b = t.b + column;
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
            _mm256_storeu_ps(t.c + r * t.ldc + column, acc[r][0]);
            _mm256_storeu_ps(t.c + r * t.ldc + column + 8, acc[r][1]);
        }
    }

    static void run(const GemmTile &t)
    {
        half(t, 0);
        half(t, 16);
    }
};

void avx2Kernel(const GemmTile &t)
{
    static constexpr auto kTiles = tileTable<Avx2Tile>(std::make_index_sequence<kAvx2Rows>());
    kTiles[static_cast<std::size_t>(t.rows - 1)](t);
}

constexpr int kAvx512Rows = 12;

// 12 rows × 32 columns: 24 zmm accumulators, 2 B vectors and the broadcast of A[i][p],
// which feeds two fmas. Per p: 2 vector loads, 12 broadcasts, 24 fmas.
template<int Rows> struct Avx512Tile {
    __attribute__((target("avx512f"))) static void run(const GemmTile &t)
    {
        __m512 acc[Rows][2];
#pragma GCC unroll 16
        for (int r = 0; r < Rows; ++r) {
            if (t.accumulate) {
                acc[r][0] = _mm512_loadu_ps(t.c + r * t.ldc);
                acc[r][1] = _mm512_loadu_ps(t.c + r * t.ldc + 16);
            } else {
                acc[r][0] = _mm512_setzero_ps();
                acc[r][1] = _mm512_setzero_ps();
            }
        }
        const float *b = t.b;
        for (int p = 0; p < t.kc; ++p, b += kPanelWidth) {
            const __m512 b0 = _mm512_loadu_ps(b);
            const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
            for (int r = 0; r < Rows; ++r) {
                const __m512 a = _mm512_set1_ps(t.a[r * t.lda + p]);
                acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
            }
        }
#pragma GCC unroll 16
        for (int r = 0; r < Rows; ++r) {
            _mm512_storeu_ps(t.c + r * t.ldc, acc[r][0]);
            _mm512_storeu_ps(t.c + r * t.ldc + 16, acc[r][1]);
        }
    }
};

void avx512Kernel(const GemmTile &t)
{
    static constexpr auto kTiles = tileTable<Avx512Tile>(std::make_index_sequence<kAvx512Rows>());
    kTiles[static_cast<std::size_t>(t.rows - 1)](t);
}

static_assert(kAvx512Rows <= kGemmMaxRows && kAvx2Rows <= kGemmMaxRows && kPortableRows <= kGemmMaxRows);

#endif

} // namespace

GemmKernel portableGemmKernel()
{
    return { portableKernel, kPortableRows, "portable" };
}

std::vector<GemmKernel> supportedGemmKernels()
{
    std::vector<GemmKernel> kernels;
#ifdef TRIBUTARY_X86
    if (__builtin_cpu_supports("avx512f"))
        kernels.push_back({ avx512Kernel, kAvx512Rows, "avx512f" });
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        kernels.push_back({ avx2Kernel, kAvx2Rows, "avx2+fma" });
#endif
    kernels.push_back(portableGemmKernel());
    return kernels;
}

GemmKernel selectGemmKernel()
{
    return supportedGemmKernels().front();
}

} // namespace tributary::engine
