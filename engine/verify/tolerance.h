#pragma once

// Tolerance comparison of fp32 results, for work computed in fast mode
// (ExecutionMode::Fast, backend.h), whose bits depend on the device and the library.
// Exact-mode results are compared by digest instead.
//
//   const Tolerance tolerance = gemmTolerance(k, maxAbsValue(a), maxAbsValue(b));
//   ToleranceReport report;
//   if (Status s = compareWithTolerance(expected, actual, tolerance, &report); !s)
//       ...                                  // sizes differ or the tolerance is invalid
//   if (!report.withinTolerance)
//       log(report.describe());              // "element 1234: 0.5013 vs 0.5021, ..."
//
// An element pair (x, y) agrees when any of these holds:
//   - both are NaN (any payload, any sign);
//   - both are the same infinity;
//   - both are finite and |x − y| ≤ absolute + relative · max(|x|, |y|);
//   - both are finite and they are at most maxUlps representable floats apart.
// Everything else is a mismatch: NaN against a number, an infinity against anything but
// itself. +0 and −0 are equal.

#include "engine/status.h"

#include <cstdint>
#include <span>
#include <string>

namespace tributary::engine {

struct Tolerance {
    double absolute = 0.0; // allowed |x − y|, in the data's units
    double relative = 0.0; // allowed |x − y| / max(|x|, |y|), added to `absolute` as above
    std::uint32_t maxUlps = 0; // allowed distance in units in the last place; 0: not used
};

// The outcome of a comparison. Errors are measured on finite pairs only; a pair with a
// NaN or an infinity on one side has infinite error.
struct ToleranceReport {
    bool withinTolerance = true;
    std::int64_t elements = 0; // pairs compared
    std::int64_t mismatches = 0; // pairs outside the tolerance

    // The first pair outside the tolerance (index −1 when there is none).
    std::int64_t firstMismatch = -1;
    float expected = 0.0f; // the first buffer's value there
    float actual = 0.0f; // the second buffer's value there
    double absoluteError = 0.0; // |expected − actual| there
    double relativeError = 0.0; // absoluteError / max(|expected|, |actual|) there (0 for 0 vs 0)
    double allowedError = 0.0; // absolute + relative · max(|expected|, |actual|) there

    // The largest errors over all pairs, and where the largest absolute error is (−1 when
    // every pair is equal).
    double maxAbsoluteError = 0.0;
    double maxRelativeError = 0.0;
    std::int64_t maxAbsoluteErrorIndex = -1;
    std::uint32_t maxUlpDistance = 0;

    Tolerance tolerance; // what was applied

    // One line for logs and for a coordinator's rejection message:
    //   "element 1234: 0.5013 vs 0.5021, absolute error 8e-04 over 5.02e-05 allowed
    //    (relative error 1.6e-03 over 1e-04), 17 of 4096 elements outside tolerance,
    //    max absolute error 1.2e-03 at element 77"
    // or "all 4096 elements within tolerance (max absolute error 3e-06, ...)".
    std::string describe() const;
};

// Compares `expected` with `actual` element by element. Fails (without filling *report)
// when the sizes differ or the tolerance has a negative or NaN member.
Status compareWithTolerance(std::span<const float> expected, std::span<const float> actual,
    const Tolerance &tolerance, ToleranceReport *report);

// Distance between two finite floats in representable values (0 for equal values and for
// +0 against −0); UINT32_MAX when either is NaN or infinite, or the distance does not fit.
std::uint32_t ulpDistance(float x, float y);

// The largest |value| in a buffer; infinity when it holds a NaN or an infinity, 0 when empty.
float maxAbsValue(std::span<const float> values);

// A tolerance for comparing two fp32 results of C = A·B with depth k (each C[i][j] a sum
// of k products) computed in different orders or with different roundings (exact mode,
// OpenBLAS, cuBLAS, double-rounded fma), given bounds |A| ≤ maxAbsA and |B| ≤ maxAbsB.
//
// Each result's rounding error is at most about γ·u·Σ_p |A[i][p]·B[p][j]| with
// u = 2^-24; the worst case has γ = k, but rounding errors behave like a random walk,
// so in practice γ ~ √k (Higham and Mary, "A new approach to probabilistic rounding error
// analysis", 2019). With Σ|a·b| ≤ k·maxAbsA·maxAbsB, two results and room for an fma that
// rounds twice (2u per step) and for unlucky inputs:
//   absolute = 8 · √k · u · k · maxAbsA · maxAbsB,   relative = 8 · √k · u
// This is loose for typical data (Σ|a·b| is usually well below its bound). It cannot
// catch a deviation smaller than rounding noise, but a wrong result (a transposed operand,
// a skipped block of products) misses it by orders of magnitude.
Tolerance gemmTolerance(std::int64_t k, float maxAbsA, float maxAbsB);

} // namespace tributary::engine
