#pragma once

// The determinism self-test every device runs when it is discovered: a fixed battery of
// ops (GEMM, convolution, exp, tanh, GELU, division, softmax, layer norm, an AdamW step)
// on fixed inputs, hashed together. A device that keeps exact mode produces exactly
// kDeterminismDigest, the digest of the CPU reference; anything else means its results
// cannot be verified by comparing digests, so it is not used for exact work.
//
// The battery touches the code paths where backends most often deviate: fused vs split
// multiply-add, subnormals, the reduction order, and the transcendental functions.

#include "engine/backend.h"

#include <string>
#include <string_view>

namespace tributary::engine {

// Lower-case hex SHA-256 of the battery's outputs on an exact device.
extern const std::string_view kDeterminismDigest;

// Runs the battery on `backend`; *digest receives the digest of its outputs. Fails only
// when an op fails to run (the message names it); a wrong digest is not an error here.
Status runDeterminismSelfTest(Backend &backend, std::string *digest);

} // namespace tributary::engine
