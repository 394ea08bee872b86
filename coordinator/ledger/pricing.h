#pragma once

// Pricing: what work costs, in credit units (tributary.v1 common.proto: 10^9 units to the
// credit). Credit follows counted floating-point operations, not runtime, so that a CPU
// and a GPU earn the same for the same verified work: one unit per 1000 FLOPs, rounded
// up so that no verified task pays nothing.

#include <cstdint>

namespace tributary::coordinator {

constexpr std::int64_t kUnitsPerCredit = 1'000'000'000;
constexpr std::uint64_t kFlopsPerUnit = 1000;

// What one verified run of a task with this much counted work pays.
constexpr std::int64_t unitsForFlops(std::uint64_t flops)
{
    return static_cast<std::int64_t>((flops + kFlopsPerUnit - 1) / kFlopsPerUnit);
}

} // namespace tributary::coordinator
