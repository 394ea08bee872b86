#pragma once

// Deterministic data order: a Fisher–Yates shuffle driven by splitmix64, computed on the
// host. std::shuffle and std distributions are avoided on purpose: their results differ
// between standard libraries, and the order must be the same on every machine.

#include <cstdint>
#include <vector>

namespace tributary::engine::training {

// One splitmix64 step: advances *state and returns the next 64-bit value.
std::uint64_t splitmix64(std::uint64_t *state);

// The indices 0..count-1 in an order fixed by `seed`.
std::vector<std::int64_t> shuffledIndices(std::int64_t count, std::uint64_t seed);

} // namespace tributary::engine::training
