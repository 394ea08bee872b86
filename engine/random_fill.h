#pragma once

// Deterministic test and sample data: the same seed gives the same floats on every
// machine (splitmix64, no std::random distributions, whose output is
// implementation-defined). Values are multiples of 2^-24 in [-1, 1).

#include <cstdint>
#include <span>

namespace tributary::engine {

void fillUniform(std::span<float> out, std::uint64_t seed);

} // namespace tributary::engine
