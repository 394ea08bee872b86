#pragma once

// A quick self-test that a freshly opened GPU backend keeps the exact-mode contract
// (backend.h) before the engine hands it out. GPU APIs do not all promise it: Vulkan
// allows fma() to round twice and allows fp32 subnormals to be flushed, so each
// device is checked once, at open, on inputs built to expose exactly those deviations.

#include "engine/backend.h"

namespace tributary::engine {

// Runs a few small GEMMs on `backend` and compares them bitwise with the exact-mode
// chain computed here with std::fma. The error names the deviation, e.g.
// "fma is not fused (C[0][0] = 0x3a000000, expected 0x3a008000)".
Status checkExactMode(Backend &backend);

} // namespace tributary::engine
