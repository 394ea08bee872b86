#pragma once

// Helpers shared by the engine tests: the naive exact-mode GEMM (one std::fma chain per
// output element) and bitwise comparison of results.

#include "engine/backend.h"

#include <string>
#include <vector>

namespace tributary::engine::test {

// The shapes every backend is checked on.
std::vector<GemmShape> standardShapes();

// C = A·B as the exact-mode contract defines it, one scalar std::fma chain per element.
std::vector<float> naiveGemm(const std::vector<float> &a, const std::vector<float> &b, GemmShape shape);

// Deterministic operands for a shape (fillUniform with fixed seeds).
std::vector<float> operandA(GemmShape shape);
std::vector<float> operandB(GemmShape shape);

// Empty when expected and actual are bitwise equal, else a description of the first
// mismatch ("C[3][7]: expected 0x3f800000 (1), got ...", plus the count).
std::string bitwiseDifference(const std::vector<float> &expected, const std::vector<float> &actual,
                              GemmShape shape);

std::string shapeName(GemmShape shape);

} // namespace tributary::engine::test
