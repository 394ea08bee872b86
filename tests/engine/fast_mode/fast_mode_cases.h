#pragma once

// Shared by the fast-mode tests: the linear ops every backend runs in fast mode, and the
// comparison of a fast-mode result with the CPU reference in exact mode within
// gemmTolerance() (engine/verify/tolerance.h).

#include "engine/backend.h"
#include "engine/host_tensor.h"
#include "engine/ops/op.h"
#include "engine/verify/tolerance.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tributary::engine::test {

struct FastModeCase {
    std::string name;
    Op op;
    std::vector<HostTensor> inputs;
    std::int64_t k = 0; // depth of the products, for gemmTolerance
};

// MatMul (plain, batched with broadcasting, deep) and Gemm (transposes, alpha, beta, and
// C as [M, N], [N], [M, 1] and a scalar).
std::vector<FastModeCase> fastModeCases();

// Runs `testCase` on `fast` and on `exact`, compares output 0 within gemmTolerance of its
// depth and inputs. Returns false with *why set when a run fails or an element is
// outside the tolerance; *report gets the comparison either way.
bool agreesWithinTolerance(
    Backend &fast, Backend &exact, const FastModeCase &testCase, ToleranceReport *report, std::string *why);

// The same for Backend::gemm on operands of `shape`.
bool gemmAgreesWithinTolerance(
    Backend &fast, Backend &exact, GemmShape shape, ToleranceReport *report, std::string *why);

// Bitwise-different elements of two equally sized buffers (0: identical).
std::int64_t bitwiseDifferences(const std::vector<float> &a, const std::vector<float> &b);

} // namespace tributary::engine::test
