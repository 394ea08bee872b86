#pragma once

// Double-precision naive references of the linear ops, for the linear tests. Each also
// returns, per output, the sum of absolute values of the terms (the scale of the
// float32 rounding error), so a test can bound the difference to the engine's result.

#include "engine/host_tensor.h"
#include "engine/ops/linear.h"

#include <vector>

namespace tributary::engine::test {

struct Reference {
    Shape shape;
    std::vector<double> value;
    std::vector<double> magnitude; // Σ|terms| per output
};

Reference referenceGemm(const HostTensor &a, const HostTensor &b, const HostTensor *c, const GemmAttributes &attrs);
Reference referenceMatMul(const HostTensor &a, const HostTensor &b);
Reference referenceConv2d(const HostTensor &x, const HostTensor &w, const HostTensor *bias,
                          const Conv2dAttributes &attrs);
Reference referencePool(OpKind kind, const HostTensor &x, const Pool2dAttributes &attrs);

// Empty when `actual` is within tolerance·magnitude (+ tiny absolute slack) of the
// reference everywhere; otherwise the first offending index and values.
std::string compareToReference(const HostTensor &actual, const Reference &reference, double tolerance = 1e-5);

} // namespace tributary::engine::test
