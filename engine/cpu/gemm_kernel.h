#pragma once

// CPU GEMM micro-kernels: each computes a tile of up to `rows` × kPanelWidth outputs of C
// over a range of p, keeping the exact-mode chain (one fma per p, in increasing p).
// They differ only in instruction set; selectGemmKernel() picks the best this CPU runs.
//
// B is packed in panels of kPanelWidth columns: panel q holds, for p = 0..k-1, the 16
// values B[p][16q .. 16q+15] contiguously (zero past column n-1).

#include <cstddef>

namespace tributary::engine {

inline constexpr int kPanelWidth = 16;
// No kernel handles more rows per tile than this (sizes scratch tiles).
inline constexpr int kGemmMaxRows = 8;

struct GemmTile {
    const float *a = nullptr; // &A[i][p0]; row r at a + r * lda
    std::size_t lda = 0;
    const float *b = nullptr; // packed panel at row p0: kc rows of kPanelWidth floats
    float *c = nullptr;       // &C[i][j0]; row r at c + r * ldc, kPanelWidth columns written
    std::size_t ldc = 0;
    int rows = 0;             // 1 .. GemmKernel::maxRows
    int kc = 0;               // number of p steps
    bool accumulate = false;  // continue the chains stored in c, or start them from 0.0f
};

struct GemmKernel {
    void (*run)(const GemmTile &tile) = nullptr;
    int maxRows = 0;
    const char *name = "";
};

// The fastest kernel this CPU supports (checked at run time).
GemmKernel selectGemmKernel();

// The portable std::fma kernel, available everywhere; used as the reference in tests.
GemmKernel portableGemmKernel();

} // namespace tributary::engine
