#pragma once

// Correctness checks for measured GEMM results, against the exact-mode contract.

#include "engine/backend.h"

#include <span>
#include <string>

namespace tributary::bench {

// Empty when `actual` is bitwise equal to `expected`, else the first differing element
// and how many differ ("C[3][7]: expected 0x3f800000, got 0x3f800001; 12 of 65536 differ").
std::string bitwiseMismatch(
    std::span<const float> expected, std::span<const float> actual, engine::GemmShape shape);

// Recomputes `samples` elements of C (the four corners and a fixed pseudo-random spread)
// with the naive exact-mode chain, one std::fma per p in increasing p, and compares bits.
// Empty when all match. Costs samples × k fmas, so it suits sizes too large for a full
// comparison.
std::string sampleMismatch(std::span<const float> a, std::span<const float> b, std::span<const float> c,
    engine::GemmShape shape, int samples = 256);

} // namespace tributary::bench
