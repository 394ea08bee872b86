#pragma once

// A quick self-test that a freshly opened GPU backend keeps the exact-mode contract
// (backend.h) before the engine hands it out. GPU APIs do not all promise it: Vulkan
// allows fma() to round twice and allows fp32 subnormals to be flushed, so each
// device is checked once, at open, on inputs built to expose exactly those deviations.

#include "engine/backend.h"

#include <array>
#include <span>

namespace tributary::engine {

// Runs a few small GEMMs on `backend` and compares them bitwise with the exact-mode
// chain computed here with std::fma. The error names the deviation, e.g.
// "fma is not fused (C[0][0] = 0x3a000000, expected 0x3a008000)".
Status checkExactMode(Backend &backend);

// The subnormal probe of plain float arithmetic, which elementwise kernels rely on
// (rule 3: subnormals are kept). A GPU backend runs one tiny kernel at open computing,
// for every i, sum[i] = a[i] + b[i] and product[i] = a[i] * b[i] with ordinary float
// operations (no fma), and hands the results to checkSubnormalResults(). The inputs
// include subnormal operands (lost when the device treats denormal inputs as zero) and
// subnormal results (lost when it flushes them), with a rounding case among them.
constexpr std::size_t kSubnormalProbeSize = 8;
struct SubnormalProbe {
    std::array<float, kSubnormalProbeSize> a;
    std::array<float, kSubnormalProbeSize> b;
};
const SubnormalProbe &subnormalProbe();
// Compares bitwise with the host's IEEE results; the error names the first deviation,
// e.g. "float addition flushes subnormals (0x1p-130 + 0 = 0x00000000, expected 0x00200000)".
Status checkSubnormalResults(std::span<const float> sum, std::span<const float> product);

} // namespace tributary::engine
