#pragma once

// CPU GEMM micro-kernels: each computes a tile of up to `rows` × kPanelWidth outputs of C
// over a range of p, keeping the exact-mode chain (one fma per p, in increasing p).
// They differ only in instruction set; selectGemmKernel() picks the best this CPU runs.
//
// B is packed in panels of kPanelWidth columns: panel q holds, for p = 0..k-1, the 32
// values B[p][32q .. 32q+31] contiguously (zero past column n-1).
//
// The panel is 32 wide so that the AVX-512 kernel holds two vectors of C per row and
// reuses each broadcast of A[i][p] for two fmas (with one vector per row it needs a load
// per fma, and measured slower). The AVX2 kernel walks the panel in two 16-wide halves.

#include <cstddef>
#include <vector>

namespace tributary::engine {

inline constexpr int kPanelWidth = 32;
// No kernel handles more rows per tile than this (sizes scratch tiles).
inline constexpr int kGemmMaxRows = 12;

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

// Every kernel this CPU can run, fastest first, the portable one last: tests check each
// against the naive chain, bit for bit, and the benchmark can time each.
std::vector<GemmKernel> supportedGemmKernels();

} // namespace tributary::engine
